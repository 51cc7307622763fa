"""Alembic environment: migrate the connection the store hands over, or DATABASE_URL when run by hand.

By hand: `alembic -c cases/migrations/alembic.ini upgrade head` (or `revision -m "..."`).
"""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

import cases.store.audit_tables
import cases.store.keys
import cases.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    from cases.store.database import open_store

    store = open_store(migrate_schema=False)
    with store.engine.connect() as connection:
        _run(connection)
        connection.commit()
