"""Security headers of the web UI and the API docs pages (issue 18, item 7).

HTML pages get a Content-Security-Policy that allows same-origin scripts and styles only (no
inline script; Swagger UI and ReDoc set inline styles from JavaScript, hence
``'unsafe-inline'`` for styles on those two pages alone), ``X-Frame-Options: DENY`` (and
``frame-ancestors 'none'``) and ``Referrer-Policy: same-origin``; every UI response (static
files and plain-text logs too) gets ``X-Content-Type-Options: nosniff``.

Set per response by the UI's ``render`` and the docs pages rather than by a middleware: a
middleware would also wrap the REST API, whose fast read path answers without the app's
per-request machinery (:mod:`.fastpath`) and must give the same bytes as the route.
"""

from __future__ import annotations

from starlette.responses import Response

__all__ = ["DOCS_CSP", "PAGE_CSP", "protect"]

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def protect(response: Response, *, csp: str = PAGE_CSP) -> Response:
    """``response`` with the headers above (the HTML ones when it is HTML)."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    if headers.get("content-type", "").startswith("text/html"):
        headers["Content-Security-Policy"] = csp
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "same-origin"
    return response
