"""``create_app(settings=None)``: the FastAPI app behind ``envyard serve``.

- ``/api/v1/environments``, ``/api/v1/prerequisites``: versioned CRUD + lifecycle.
- ``/api/v1/runs``: run records (read-only) and their logs; ``/api/v1/tokens``: tokens (admin).
- ``/docs`` (Swagger UI), ``/redoc``: from local files (:mod:`.apidocs`); ``/openapi.json``;
  ``/healthz``. The UI and docs pages carry security headers (:mod:`.headers`).
- ``/``: the web UI (module ``envyard.service.ui``, its ``router``) when it is installed,
  else a redirect to ``/docs``.

For ``uvicorn --factory envyard.service.app:create_app`` (``envyard serve`` uses
:func:`server_app`: the same app behind a fast path for reading one record).
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse

from envyard import __version__
from envyard.registry.records import EnvironmentRecord, PrerequisiteRecord
from envyard.registry.store import Registry
from envyard.service import apidocs, errors
from envyard.service.fastpath import FastReads
from envyard.service.routes import runs, tokens
from envyard.service.routes.versioned import versioned_router
from envyard.settings import Settings, load_settings

UI_MODULE = "envyard.service.ui"


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def create_app(
    settings: Settings | None = None, *, require_read_token: bool | None = None
) -> FastAPI:
    """The app on ``settings.db_url`` (migrated on first use).

    ``require_read_token`` (default: ``ENVYARD_REQUIRE_READ_TOKEN``) makes reads need a token too.
    """
    settings = settings or load_settings()
    if require_read_token is None:
        require_read_token = _truthy(os.environ.get("ENVYARD_REQUIRE_READ_TOKEN"))
    app = FastAPI(
        title="Envyard",
        version=__version__,
        description="Environment registry: versioned environments and prerequisites, "
        "run records, API tokens. Writes need `Authorization: Bearer <token>`.",
        docs_url=None,  # apidocs serves /docs and /redoc from local files (no CDN)
        redoc_url=None,
    )
    app.state.registry = Registry.open(settings.db_url)
    app.state.settings = settings
    app.state.require_read_token = require_read_token
    errors.install(app)
    app.include_router(versioned_router("environments", EnvironmentRecord))
    app.include_router(versioned_router("prerequisites", PrerequisiteRecord))
    app.include_router(runs.router)
    app.include_router(tokens.router)
    app.include_router(_health)
    app.include_router(apidocs.router)
    if importlib.util.find_spec(UI_MODULE) is not None:
        ui = importlib.import_module(UI_MODULE)
        app.include_router(ui.router)
    else:
        app.add_api_route("/", _to_docs, include_in_schema=False)
    return app


def server_app() -> FastReads | FastAPI:
    """The factory ``envyard serve`` gives uvicorn: :func:`create_app` behind the fast read path.

    :class:`~envyard.service.fastpath.FastReads` answers ``GET`` of one environment or
    prerequisite without FastAPI's per-request machinery (same bytes, same headers, never
    stale) and passes every other request to the app. ``ENVYARD_FAST_READS=0`` leaves it out
    (every request takes the FastAPI routes; for comparison and as an escape hatch).

    Then ``gc.freeze()``: it moves everything made at start-up (FastAPI, SQLAlchemy, pydantic,
    the routes) out of the garbage collector's view, so its full collections stay short: this
    keeps long pauses out of the request latency tail.
    """
    app = create_app()
    served = FastReads(app) if _truthy(os.environ.get("ENVYARD_FAST_READS", "1")) else app
    gc.collect()
    gc.freeze()
    return served


_health = APIRouter(tags=["health"])


@_health.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}


def _to_docs() -> RedirectResponse:
    return RedirectResponse("/docs")
