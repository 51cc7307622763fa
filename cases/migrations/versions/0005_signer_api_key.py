"""A signer may be bound to one regulator's API key: the API and the web pages accept a signature
only from the signer bound to the key that sends it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signer") as batch:
        batch.add_column(sa.Column("api_key_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_signer_api_key", "api_key", ["api_key_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("signer") as batch:
        batch.drop_constraint("fk_signer_api_key", type_="foreignkey")
        batch.drop_column("api_key_id")
