"""Reusable test helpers that run REAL servers: an OCI registry, a package index, PostgreSQL, git.

Load the pytest fixtures with ``pytest_plugins = ["envyard.testing.plugin"]`` (see
:mod:`envyard.testing.plugin` for the list); use the classes below directly elsewhere.

========================================= =========================================================
module                                    what
========================================= =========================================================
:mod:`envyard.testing.registry`           :class:`OciRegistry` (Debian ``docker-registry``)
:mod:`envyard.testing.registry_client`    :class:`RegistryClient`: push/read over Registry v2 API
:mod:`envyard.testing.images`             reproducible tiny images, manifests and indexes
:mod:`envyard.testing.token_issuer`       :class:`TokenIssuer`: the bearer-token realm
:mod:`envyard.testing.pypi`               :class:`PypiIndex` (pypiserver) and isolated pip/uv env
:mod:`envyard.testing.wheels`             :func:`build_wheel`: tiny valid wheels, no network
:mod:`envyard.testing.postgres`           :class:`PostgresServer`: ephemeral cluster
:mod:`envyard.testing.git`                :class:`GitRepo`: git CLI in a tmp dir
:mod:`envyard.testing.process`            start / wait for / stop server processes
:mod:`envyard.testing.ports`              :func:`free_port`
:mod:`envyard.testing.pypiserver_main`    pypiserver's own app under waitress (the child process)
:mod:`envyard.testing.lock_index`         ``locking_index``: uv pointed at the local index alone
:mod:`envyard.testing.conda_channel`      a real conda channel, indexed with rattler
:mod:`envyard.testing.ray`                a real local Ray head on loopback
:mod:`envyard.testing.jobs`               real runs that wait at a gate (for server tests)
:mod:`envyard.testing.browser`            headless Chromium through Playwright (web UI tests)
:mod:`envyard.testing.plugin`             the pytest fixtures over all of the above
========================================= =========================================================

Importing this package does not import the server modules (they need test-only dependencies
such as ``bcrypt``); import from the submodules.
"""
