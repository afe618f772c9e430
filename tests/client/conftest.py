"""SDK tests run on SQLite and on a real PostgreSQL cluster (``metastore_url``)."""

from envyard.service.testing import metastore_url

__all__ = ["metastore_url"]
