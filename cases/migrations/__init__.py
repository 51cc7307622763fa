"""Alembic migrations of the decision store, applied programmatically when a store opens."""

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).parent
