"""A decision may name the decision it reassesses (observation reviews).

The column is nullable and enters a record's hash only when set, so every record written
before this migration keeps its hash.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("decision_record", sa.Column("reassesses", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("decision_record", "reassesses")
