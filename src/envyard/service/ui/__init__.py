"""The web UI served by ``envyard serve``: server-rendered pages (Jinja2) over the registry.

``router`` is included by :func:`envyard.service.app.create_app`; ``/`` is the environment
list. Pages read through the same service layer as the REST API. Writes (create, deprecate,
archive, delete) need a write token, which the user pastes once: it is kept in an HttpOnly,
SameSite=Strict cookie and checked on every write exactly like a ``Bearer`` token, and every
form also carries a CSRF token. No Node build step: a little CSS and plain JavaScript.

Files: ``pages.py`` (environment list and detail, static files), ``registry_pages.py`` (locked
packages, package search, prerequisites), ``runs_pages.py`` (runs, live logs, cancel, re-run),
``tokens_page.py`` (the token page), ``actions.py`` (forms that change environments, sign in
and out), ``session.py`` (token cookie, scopes, CSRF), ``rendering.py`` (templates, flash
messages, security headers on every page), ``views.py`` (what pages show), ``routes.py`` (the
router every page and action is registered on).
"""

from envyard.service.ui.routes import router

__all__ = ["router"]
