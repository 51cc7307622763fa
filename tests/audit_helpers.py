"""Helpers of the signing and checkpoint tests: a tamperer who rebuilds the chain with raw SQL."""

from typing import Any

from sqlalchemy import create_engine, text

from cases.store import StoreSettings
from cases.store.chain import GENESIS, HASHED_FIELDS, hashed_content
from engine.release import sha256_of


def rebuild_chain(database_url: str, *, seq: int, old: str, new: str) -> int:
    """Rewrite one record's decision with raw SQL and recompute every hash from it on, as an
    attacker with write access would, so the chain verifies again; returns records rehashed."""
    engine = create_engine(StoreSettings(database_url=database_url).url)
    columns = ", ".join(HASHED_FIELDS)
    try:
        with engine.begin() as connection:
            rows = [
                dict(r._mapping)
                for r in connection.execute(text(f"SELECT {columns} FROM decision_record ORDER BY seq"))
            ]
            previous, touched = GENESIS, 0
            for row in rows:
                if row["seq"] == seq:
                    assert old in row["decision_json"]
                    row["decision_json"] = row["decision_json"].replace(old, new)
                row["prev_hash"] = previous
                values: dict[str, Any] = dict(row)
                digest = sha256_of(hashed_content(values))
                if row["seq"] >= seq:
                    connection.execute(
                        text(
                            "UPDATE decision_record SET decision_json = :d, prev_hash = :p, hash = :h "
                            "WHERE seq = :s"
                        ),
                        {"d": row["decision_json"], "p": previous, "h": digest, "s": row["seq"]},
                    )
                    touched += 1
                previous = digest
            connection.execute(text("UPDATE chain_head SET hash = :h WHERE id = 1"), {"h": previous})
        return touched
    finally:
        engine.dispose()
