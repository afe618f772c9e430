"""The web UI served by ``envyard serve``: server-rendered pages (Jinja2) over the registry.

``router`` is included by :func:`envyard.service.app.create_app`; ``/`` is the environment
list. Pages read through the same service layer as the REST API. Writes (create, deprecate,
archive, delete) need a write token, which the user pastes once: it is kept in an HttpOnly,
SameSite=Strict cookie and checked on every write exactly like a ``Bearer`` token, and every
form also carries a CSRF token. No Node build step: a little CSS and plain JavaScript.
"""

from envyard.service.ui.routes import router

__all__ = ["router"]
