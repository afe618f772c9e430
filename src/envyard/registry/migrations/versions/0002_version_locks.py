"""Locks: each version stores its lock, the spec hash it was resolved from and the lock hash.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

Versions made before locks existed keep NULLs: they are locked at launch (and by
``envyard env relock NAME``, which makes a locked new version).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("registry_versions", sa.Column("spec_hash", sa.String(80), nullable=True))
    op.add_column("registry_versions", sa.Column("lock_hash", sa.String(80), nullable=True))
    op.add_column("registry_versions", sa.Column("lock", sa.JSON(), nullable=True))
    op.create_index("ix_registry_versions_lock_hash", "registry_versions", ["lock_hash"])


def downgrade() -> None:
    op.drop_index("ix_registry_versions_lock_hash", table_name="registry_versions")
    with op.batch_alter_table("registry_versions") as batch:
        batch.drop_column("lock")
        batch.drop_column("lock_hash")
        batch.drop_column("spec_hash")
