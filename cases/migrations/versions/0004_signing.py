"""Signed decisions and signed checkpoints: signers, decision signatures, checkpoint keys, checkpoints.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "signer",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("valid_from", sa.String(40), nullable=False),
        sa.Column("valid_until", sa.String(40), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.UniqueConstraint("fingerprint", name="uq_signer_fingerprint"),
    )
    op.create_table(
        "decision_signature",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("record_seq", sa.Integer(), sa.ForeignKey("decision_record.seq"), nullable=False),
        sa.Column("signer_id", sa.Integer(), sa.ForeignKey("signer.id"), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("record_hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("signed_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("record_seq", name="uq_decision_signature_record"),
    )
    op.create_table(
        "checkpoint_key",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.UniqueConstraint("fingerprint", name="uq_checkpoint_key_fingerprint"),
    )
    op.create_table(
        "checkpoint",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.String(40), nullable=False),
        sa.Column("key_fingerprint", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
    )


def downgrade() -> None:
    for table in ("checkpoint", "checkpoint_key", "decision_signature", "signer"):
        op.drop_table(table)
