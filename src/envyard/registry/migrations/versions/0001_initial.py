"""Initial schema: registry items, versions, tags, API tokens, runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Self-contained on purpose (no imports from envyard.registry.models): a migration describes the
schema as it was when it was written. Datetimes are stored as naive UTC.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("scope", sa.String(8), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_api_tokens_token_hash"),
    )
    op.create_table(
        "registry_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("current_version_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registry_items"),
        sa.UniqueConstraint("kind", "name", name="uq_registry_items_kind_name"),
        sqlite_autoincrement=True,  # ids are never reused, so ETags (id.revision) stay unique
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("job_name", sa.String(128), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("target", sa.String(128), nullable=True),
        sa.Column("backend", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.Column("handle", sa.JSON(), nullable=False),
        sa.Column("run_dir", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_index("ix_runs_state_created_at", "runs", ["state", "created_at"])
    op.create_table(
        "registry_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(80), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("replaced_by", sa.String(200), nullable=True),
        sa.Column("delete_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(128), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["registry_items.id"],
            name="fk_registry_versions_item_id_registry_items",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_registry_versions"),
        sa.UniqueConstraint("item_id", "seq", name="uq_registry_versions_item_seq"),
        sa.UniqueConstraint("item_id", "version", name="uq_registry_versions_item_version"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_registry_versions_content_hash", "registry_versions", ["content_hash"])
    op.create_table(
        "registry_tags",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("value", sa.String(512), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["registry_versions.id"],
            name="fk_registry_tags_version_id_registry_versions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "key", name="pk_registry_tags"),
    )
    op.create_index("ix_registry_tags_key_value", "registry_tags", ["key", "value"])


def downgrade() -> None:
    op.drop_index("ix_registry_tags_key_value", table_name="registry_tags")
    op.drop_table("registry_tags")
    op.drop_index("ix_registry_versions_content_hash", table_name="registry_versions")
    op.drop_table("registry_versions")
    op.drop_index("ix_runs_state_created_at", table_name="runs")
    op.drop_table("runs")
    op.drop_table("registry_items")
    op.drop_table("api_tokens")
