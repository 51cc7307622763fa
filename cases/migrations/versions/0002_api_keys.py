"""API keys of the HTTP service: hashed tokens with a role, platforms bound to a USCC.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("key_sha256", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.UniqueConstraint("key_sha256", name="uq_api_key_sha256"),
        sa.CheckConstraint("role IN ('regulator', 'platform', 'auditor')", name="ck_api_key_role"),
        sa.CheckConstraint("role <> 'platform' OR uscc IS NOT NULL", name="ck_api_key_platform_uscc"),
    )


def downgrade() -> None:
    op.drop_table("api_key")
