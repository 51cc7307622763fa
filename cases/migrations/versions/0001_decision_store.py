"""Decision store: cases, hash-chained decision records and the chain head.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The hash a first record links to; fixed here so the migration never depends on later code.
GENESIS = "0" * 64


def upgrade() -> None:
    op.create_table(
        "sandbox_case",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("uscc", name="uq_case_uscc"),
    )
    op.create_index("ix_sandbox_case_name", "sandbox_case", ["name"])
    op.create_table(
        "decision_record",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("sandbox_case.id"), nullable=False),
        sa.Column("case_seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("profile_json", sa.Text(), nullable=False),
        sa.Column("profile_sha256", sa.String(64), nullable=False),
        sa.Column("release_id", sa.String(40), nullable=False),
        sa.Column("release_sha256", sa.String(64), nullable=False),
        sa.Column("selection", sa.String(10), nullable=False),
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("decision_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("case_id", "case_seq", name="uq_decision_case_seq"),
        sa.UniqueConstraint("prev_hash", name="uq_decision_prev_hash"),
        sa.UniqueConstraint("hash", name="uq_decision_hash"),
        sa.CheckConstraint("kind IN ('regulatory', 'self_assessment')", name="ck_decision_kind"),
        sa.CheckConstraint("selection IN ('in_force', 'explicit')", name="ck_decision_selection"),
    )
    op.create_index("ix_decision_record_case_id", "decision_record", ["case_id"])
    op.create_index("ix_decision_record_profile_sha256", "decision_record", ["profile_sha256"])
    head = op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])


def downgrade() -> None:
    op.drop_table("chain_head")
    op.drop_index("ix_decision_record_profile_sha256", "decision_record")
    op.drop_index("ix_decision_record_case_id", "decision_record")
    op.drop_table("decision_record")
    op.drop_index("ix_sandbox_case_name", "sandbox_case")
    op.drop_table("sandbox_case")
