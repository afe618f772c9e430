"""The UI's router: pages and actions registered on one :class:`fastapi.APIRouter`."""

from envyard.service.ui import actions, pages, registry_pages
from envyard.service.ui.rendering import router

__all__ = ["actions", "pages", "registry_pages", "router"]
