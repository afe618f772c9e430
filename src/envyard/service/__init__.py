"""The REST service: ``create_app()`` (FastAPI) with the API under ``/api/v1`` and the web UI.

==================== ========================================================================
module               what
==================== ========================================================================
:mod:`.app`          ``create_app(settings=None)``: the app; ``envyard serve`` runs it
:mod:`.apidocs`      ``/docs`` (Swagger UI) and ``/redoc`` from local files, no CDN
:mod:`.deps`         dependencies: the :class:`~envyard.registry.store.Registry`, auth scopes
:mod:`.errors`       EnvyardError -> HTTP status and JSON body (422 lists located problems)
:mod:`.fastpath`     the fast read path for ``GET`` of one record (same bytes as the route)
:mod:`.headers`      security headers of the UI and docs pages (CSP, frames, nosniff, referrer)
:mod:`.routes`       ``/api/v1/environments``, ``/api/v1/prerequisites``, ``/api/v1/runs``,
                     ``/api/v1/tokens``; ``/api/v1/runs/{id}/logs`` (``?follow`` streams)
:mod:`.testing`      a real server in a child process for tests and benchmarks
:mod:`.ui`           the web UI router (when installed), mounted at ``/``
==================== ========================================================================
"""
