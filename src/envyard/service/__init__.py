"""The REST service: ``create_app()`` (FastAPI) with the API under ``/api/v1`` and the web UI.

==================== ========================================================================
module               what
==================== ========================================================================
:mod:`.app`          ``create_app(settings=None)``: the app; ``envyard serve`` runs it
:mod:`.deps`         dependencies: the :class:`~envyard.registry.store.Registry`, auth scopes
:mod:`.errors`       EnvyardError -> HTTP status and JSON body (422 lists located problems)
:mod:`.routes`       ``/api/v1/environments``, ``/api/v1/prerequisites``, ``/api/v1/runs``,
                     ``/api/v1/tokens``
:mod:`.ui`           the web UI router (when installed), mounted at ``/``
==================== ========================================================================
"""
