"""One object per metastore with everything in it: environments, prerequisites, runs, tokens."""

from __future__ import annotations

from envyard.registry.db import Database
from envyard.registry.kinds import ENVIRONMENT, PREREQUISITE
from envyard.registry.runs import RunStore
from envyard.registry.service import RegistryService
from envyard.registry.tokens import TokenStore


class Registry:
    """``Registry.open(url)``: the services on one (migrated) database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.environments = RegistryService(db, ENVIRONMENT)
        self.prerequisites = RegistryService(db, PREREQUISITE)
        self.runs = RunStore(db)
        self.tokens = TokenStore(db)

    @classmethod
    def open(cls, url: str | None = None) -> Registry:
        """The registry on ``url`` (default: ``load_settings().db_url``)."""
        return cls(Database.open(url))
