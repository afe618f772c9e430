"""Environment assets in the azureml-assets layout: discover, validate, pin, release, build.

Subpackages, each named for what it does (a subpackage imports only those listed before it):

- ``discovery/``  find every ``asset.yaml`` and load it with its spec and ``extra_config``
  (``discover.py``), the loaded :class:`~envyard.assets.discovery.model.Asset` (``model.py``),
  the files an asset releases and their confinement to the repository (``paths.py``), the
  paths its spec names beside its folder: code, data, build context (``named.py``), every
  other path an asset names kept inside the repository (``confine.py``);
- ``tags/``       template tags: the scanner (``scan.py``), spec tags ``{{asset.*}}``/
  ``{{image.*}}`` (``spec.py``), and what the resolvers ask: OCI registries (``oci.py``),
  package indexes (``pypi_index.py``), tag ordering (``ordering.py``), the HTTP session
  (``http.py``);
- ``resolvers/``  the resolver plugins behind ``{{latest-image-tag}}`` and
  ``{{latest-pypi-version}}`` (entry points ``envyard.resolver``);
- ``pinning/``    a build context with every tag resolved (``pin.py``) and its lock file
  (``lock.py``);
- ``rules/``      validation: the rule table (``table.py``), what a rule sees besides its asset
  (``context.py``: settings, all assets, files read once), generic and environment rules
  (``generic.py``, ``environment.py``), the naming rules (``naming.py``), the runner forked
  over the cores (``validate.py``, ``forkpool.py``), SARIF output (``sarif.py``);
- ``release/``    the release branch: plan (``plan.py``; its items and versions ``items.py``),
  the azureml-assets layout ``latest/<type>/<name>/`` (``latest.py``, planned by
  ``plan_latest.py``), apply atomically with git plumbing (``apply.py``,
  ``git.py``), publish to the registry (``publish.py``), deprecate and archive
  (``deprecate.py``);
- ``build/``      build an environment's image (``image.py``) and run an asset's tests
  (``tests.py``).

At the top: the ``[assets]`` settings (``config.py``, validated through ``settings_schema.py``
when not plain), small file helpers (``fsutil.py``), and what the commands print (``report.py``:
pin outcomes and the rule table; ``progress.py``: a progress bar). The files' models are
:mod:`envyard.spec.asset` (one pydantic model per file kind).
"""
