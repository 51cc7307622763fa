"""Opening the store: the SQLAlchemy engine, transactions that serialise chain appends,
and the migrations applied on start."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from cases.migrations import MIGRATIONS_DIR
from cases.store.errors import StoreUnavailable
from cases.store.settings import Backend, StoreSettings

# Execution option asking the SQLite begin hook for BEGIN IMMEDIATE (the write lock at once).
_EXCLUSIVE = "sandbox_exclusive"
# Key of the PostgreSQL advisory lock that serialises migrations of one database.
_MIGRATION_LOCK = 0x5A4E_4D49


@dataclass(frozen=True)
class Store:
    """An open decision store: one engine, migrated to the latest schema."""

    engine: Engine
    settings: StoreSettings

    @property
    def backend(self) -> Backend:
        return self.settings.backend

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; nothing it does is committed."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One exclusive write transaction: committed when the block ends, rolled back on any error.

        On SQLite it starts with BEGIN IMMEDIATE, so two writers never both read the chain head;
        on PostgreSQL the writer locks the chain-head row itself (records.append).
        """
        with Session(self.engine, expire_on_commit=False) as session:
            session.connection(execution_options={_EXCLUSIVE: True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_hooks(engine: Engine) -> None:
    """Take transaction control from the sqlite3 driver, whose legacy mode begins lazily."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        # write-ahead log: one fsync per commit instead of several, and readers never block
        # the writer; synchronous FULL keeps every committed record on disk.
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = FULL")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        exclusive = connection.get_execution_options().get(_EXCLUSIVE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if exclusive else "BEGIN")


def _make_engine(settings: StoreSettings) -> Engine:
    if settings.backend == "sqlite":
        # the busy timeout lets parallel writers queue for the write lock instead of failing
        engine = create_engine(settings.url, connect_args={"timeout": 60})
        _sqlite_hooks(engine)
        return engine
    return create_engine(settings.url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest migration, in one transaction that concurrent starters wait for."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        connection = connection.execution_options(**{_EXCLUSIVE: True})
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")


def open_store(settings: StoreSettings | None = None, *, migrate_schema: bool = True) -> Store:
    """Open the store named by the settings (default: DATABASE_URL), migrating it unless told not to."""
    settings = settings or StoreSettings.from_env()
    engine = _make_engine(settings)
    if migrate_schema:
        try:
            migrate(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreUnavailable(f"cannot open the store at {settings.shown}: {_first_line(exc)}") from None
    return Store(engine, settings)


def _first_line(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
