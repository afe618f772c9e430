"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) served by Envyard itself, with no CDN.

The JavaScript and CSS are the files the ``fastapi-offline`` package ships (its code is not
used); the pages load only same-origin scripts, so they work without internet access and
under the UI's Content-Security-Policy (no inline script: ``init.js`` starts Swagger UI).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from envyard.service.headers import DOCS_CSP, protect

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_FILES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
_INIT = """\
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.openapi, dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout",
  });
});
"""
_SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Envyard API · Swagger UI</title>
<link rel="icon" href="/docs/static/favicon.png">
<link rel="stylesheet" href="/docs/static/swagger-ui.css">
<script src="/docs/static/swagger-ui-bundle.js" defer></script>
<script src="/docs/static/init.js" defer></script>
</head><body data-openapi="/openapi.json"><div id="swagger-ui"></div></body></html>
"""
_REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Envyard API · ReDoc</title>
<link rel="icon" href="/docs/static/favicon.png">
</head><body><redoc spec-url="/openapi.json"></redoc>
<script src="/docs/static/redoc.standalone.js"></script></body></html>
"""
_CACHE = {"Cache-Control": "public, max-age=86400"}


@cache
def _asset(name: str) -> bytes:
    return resources.files("fastapi_offline").joinpath("static", name).read_bytes()


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui() -> Response:
    return protect(HTMLResponse(_SWAGGER), csp=DOCS_CSP)


@router.get("/redoc", response_class=HTMLResponse)
def redoc() -> Response:
    return protect(HTMLResponse(_REDOC), csp=DOCS_CSP)


@router.get("/docs/static/{name}")
def asset(name: str) -> Response:
    if name == "init.js":
        return protect(Response(_INIT, media_type="text/javascript", headers=_CACHE))
    media = _FILES.get(name)
    if media is None:
        return protect(Response("not found", status_code=404, media_type="text/plain"))
    return protect(Response(_asset(name), media_type=media, headers=_CACHE))
