"""The UI's router: pages and actions registered on one :class:`fastapi.APIRouter`."""

from envyard.service.ui import actions, pages, registry_pages, runs_pages, tokens_page
from envyard.service.ui.rendering import router

__all__ = ["actions", "pages", "registry_pages", "router", "runs_pages", "tokens_page"]
