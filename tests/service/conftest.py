"""REST tests: a real uvicorn server per metastore (``envyard_server_factory``)."""

from envyard.service.testing import envyard_server_factory, metastore_url, sqlite_server

__all__ = ["envyard_server_factory", "metastore_url", "sqlite_server"]
