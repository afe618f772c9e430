"""Command-line interface: thin click commands, one module per noun, calling domain functions.

=========================== ===================================================================
module                      what
=========================== ===================================================================
``main``                    the ``envyard`` group (commands loaded lazily), the error boundary
``env``                     ``envyard env``: environments in the registry
``env_lock``                ``env lock | relock | search``: the exact packages of versions
``env_launch``              ``env launch``: run a command in an environment's kernel
``prereq``                  ``envyard prereq``: reusable job prerequisites in the registry
``registry_commands``       the commands ``env`` and ``prereq`` share, built for one kind
``registry_common``         their client options and output
``asset``                   ``envyard asset``: the group and ``validate``
``asset_build``             ``asset pin | build | test``
``asset_release``           ``asset release | deprecate | archive``
``asset_options``           the tag-resolving options the asset commands share
``override``                ``envyard override``: a target's profile applied to staged copies
``job``                     ``envyard job render | submit | status | logs | cancel | list``
``job_options``             what the job commands share: the job file, params, warnings
``nb``                      ``envyard nb``: notebook CI
``validate``                ``envyard validate``: spec files of every kind
``schema``                  ``envyard schema``: the JSON Schema of a spec kind
``serve``                   ``envyard serve``: the REST API and web UI
``token``                   ``envyard token``: API tokens
``demo``                    ``envyard demo``
=========================== ===================================================================
"""
