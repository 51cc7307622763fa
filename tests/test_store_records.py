"""Recording decisions: what is stored, how cases are found, and that failures write nothing."""

import ast
import json
import re
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel, select

from cases.migrations import MIGRATIONS_DIR
from cases.store import (
    InvalidRecord,
    Store,
    StoreConfigError,
    StoreSettings,
    UnknownDecision,
    append,
    count_decisions,
    get_decision,
    list_cases,
    open_store,
    record_assessment,
    replay_decision,
    verify_chain,
)
from cases.store.examples import load_examples
from cases.store.records import stored_input
from cases.store.tables import ChainHead
from engine import ProfileError, __version__, evaluate, parse_profile
from tests.conftest import make_profile
from tests.store_helpers import ROOT, large_by_monthly_users, run_writer, uscc

pytest_plugins = ["tests.store_fixtures"]

SQL_WRITE = re.compile(r"\bDELETE\s+FROM\b|\bUPDATE\s+\w+\s+SET\b|\bTRUNCATE\b", re.IGNORECASE)


def head_of(store: Store) -> tuple[int, str]:
    with store.reading() as session:
        head = session.exec(select(ChainHead)).one()
        return head.seq, head.hash


def test_a_recorded_decision_reads_back_with_its_input_release_and_output(store: Store) -> None:
    profile = large_by_monthly_users()
    decision, stored, new = record_assessment(store, profile, actor="inspector Li")
    back = get_decision(store, stored.id)
    assert new and back == stored
    assert back.decision_json == decision.to_json() == evaluate(profile).to_json()
    assert back.profile == parse_profile(profile).canonical()
    assert (back.release, back.release_sha256, back.selection) == (
        "2022.01",
        decision.ruleset.sha256,
        "in_force",
    )
    assert back.as_of == date(2025, 6, 1)
    assert (back.kind, back.actor, back.engine_version) == ("regulatory", "inspector Li", __version__)
    assert (back.case_name, back.case_uscc, back.case_seq) == (profile["name"], profile["uscc"], 1)


def test_the_stored_input_carries_the_as_of_date_actually_used(store: Store) -> None:
    _, stored, _ = record_assessment(store, large_by_monthly_users(), actor="a", as_of=date(2026, 2, 1))
    assert stored.profile["assessment_date"] == "2026-02-01"
    assert stored.as_of == date(2026, 2, 1)
    assert stored.release == "2026.01"


def test_decisions_of_one_platform_share_a_case_found_by_uscc(store: Store) -> None:
    record_assessment(store, large_by_monthly_users(), actor="a")
    _, renamed, _ = record_assessment(store, large_by_monthly_users(name="Dayu Group"), actor="a")
    _, other, _ = record_assessment(store, make_profile(uscc=uscc(13)), actor="a")
    assert renamed.case_id != other.case_id
    assert renamed.case_seq == 2 and other.case_seq == 1
    assert [(c.decisions, c.latest_decision) for c in list_cases(store)] == [(2, 2), (1, 3)]


def test_a_platform_renamed_under_its_uscc_is_answered_with_its_case_as_stored(store: Store) -> None:
    _, first, _ = record_assessment(store, large_by_monthly_users(), actor="a")
    _, renamed, _ = record_assessment(store, large_by_monthly_users(name="Dayu Group"), actor="a")
    assert renamed.case_id == first.case_id
    assert renamed.case_name == first.case_name == get_decision(store, renamed.id).case_name
    assert renamed.profile["name"] == "Dayu Group"


def test_a_platform_without_uscc_is_found_again_by_name(store: Store) -> None:
    _, first, _ = record_assessment(store, make_profile(name="Xihu Studio"), actor="a")
    _, again, _ = record_assessment(store, make_profile(name="Xihu Studio"), actor="a")
    _, other, _ = record_assessment(store, make_profile(name="Binjiang Studio"), actor="a")
    assert first.case_id == again.case_id != other.case_id
    assert first.case_uscc is None


def test_a_self_assessment_is_stored_as_such(store: Store) -> None:
    _, stored, _ = record_assessment(store, make_profile(), kind="self_assessment", actor="platform")
    assert get_decision(store, stored.id).kind == "self_assessment"


def test_a_failed_assessment_writes_nothing(store: Store) -> None:
    with pytest.raises(ProfileError):
        record_assessment(store, make_profile(formats=["no_such_format"]), actor="a")
    with pytest.raises(ProfileError):
        record_assessment(store, make_profile(assessment_date="2019-01-01"), actor="a")
    assert count_decisions(store) == 0
    assert list_cases(store) == []
    assert head_of(store) == (0, "0" * 64)


def test_a_record_without_an_actor_is_refused_and_writes_nothing(store: Store) -> None:
    with pytest.raises(InvalidRecord, match="needs an actor"):
        record_assessment(store, make_profile(), actor=" ")
    assert count_decisions(store) == 0 and head_of(store) == (0, "0" * 64)


def test_a_decision_is_stored_only_with_the_input_it_was_evaluated_on(store: Store) -> None:
    profile = large_by_monthly_users()  # its own assessment date is 2025-06-01
    decision = evaluate(profile, as_of=date(2025, 7, 1))
    with pytest.raises(InvalidRecord, match="not the canonical input"):
        append(
            store, profile=parse_profile(profile).canonical(), decision=decision, kind="regulatory", actor="a"
        )
    assert count_decisions(store) == 0
    stored, new = append(
        store, profile=stored_input(profile, decision), decision=decision, kind="regulatory", actor="a"
    )
    assert new and stored.profile["assessment_date"] == "2025-07-01"
    assert replay_decision(store, stored.id).identical


def test_an_exception_between_insert_and_commit_leaves_the_chain_as_it_was(store: Store) -> None:
    record_assessment(store, make_profile(), actor="a")
    before = head_of(store)

    def fail(record: object) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        record_assessment(store, large_by_monthly_users(), actor="a", before_commit=fail)
    assert head_of(store) == before
    assert count_decisions(store) == 1 and len(list_cases(store)) == 1
    _, after, _ = record_assessment(store, large_by_monthly_users(), actor="a")
    assert after.id == 2
    with store.reading() as session:
        assert verify_chain(session).intact


def test_a_process_killed_between_insert_and_commit_leaves_the_chain_intact(
    store: Store, database_url: str
) -> None:
    record_assessment(store, make_profile(), actor="a")
    writer = run_writer(database_url, "Crashing Co", "1", "--die-before-commit")
    out, err = writer.communicate(timeout=120)
    assert writer.returncode == 3, err
    assert "written but not committed" in out
    assert count_decisions(store) == 1
    _, next_one, _ = record_assessment(store, make_profile(), actor="a")
    assert next_one.id == 2
    with store.reading() as session:
        report = verify_chain(session)
    assert report.intact and report.records == 2


def test_an_unknown_decision_id_is_a_clear_error(store: Store) -> None:
    record_assessment(store, make_profile(), actor="a")
    with pytest.raises(UnknownDecision, match=r"no decision 42 in the store \(it holds decisions 1-1\)"):
        get_decision(store, 42)


def test_loading_examples_twice_records_each_example_once(store: Store, tmp_path: Path) -> None:
    for index, name in enumerate(["alpha", "beta"]):
        day = f"2024-05-0{index + 1}"
        profile = make_profile(name=f"{name} platform", uscc=uscc(100 + index), assessment_date=day)
        (tmp_path / f"{name}.profile.json").write_text(json.dumps(profile), encoding="utf-8")
    (tmp_path / "broken.profile.json").write_text('{"schema_version": "1"}', encoding="utf-8")
    first = load_examples(store, directory=tmp_path)
    second = load_examples(store, directory=tmp_path)
    assert [(e.file, e.new) for e in first if not e.error] == [
        ("alpha.profile.json", True),
        ("beta.profile.json", True),
    ]
    assert [e.file for e in first if e.error] == ["broken.profile.json"]
    assert not any(e.new for e in second)
    assert [e.decision_id for e in second if not e.error] == [1, 2]
    assert count_decisions(store) == 2
    assert get_decision(store, 2).as_of == date(2024, 5, 2)


def test_the_migrated_schema_matches_the_table_models(store: Store) -> None:
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []


def latest_migration() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_opening_a_store_twice_migrates_once(database_url: str) -> None:
    for _ in range(2):
        store = open_store(StoreSettings(database_url=database_url))
        try:
            with store.engine.connect() as connection:
                assert MigrationContext.configure(connection).get_current_heads() == (latest_migration(),)
        finally:
            store.dispose()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://root@localhost/test", "unsupported database 'mysql'"),
        ("sqlite://", "in-memory SQLite database keeps no records"),
        ("postgresql+psycopg2://h/test", "psycopg 3"),
        ("postgresql://h", "name the database"),
        ("not a url", "is not a database URL"),
        ("", "set but empty"),
    ],
)
def test_an_unusable_database_url_is_refused_with_a_reason(url: str, reason: str) -> None:
    with pytest.raises(StoreConfigError, match=reason):
        StoreSettings.from_env({"DATABASE_URL": url})


def test_the_default_store_is_a_sqlite_file_in_the_working_directory() -> None:
    settings = StoreSettings.from_env({})
    assert (settings.backend, settings.url.database) == ("sqlite", "sandbox.db")
    assert StoreSettings.from_env({"DATABASE_URL": "postgresql://u:pw@h/db"}).shown == (
        "postgresql+psycopg://u:***@h/db"
    )


def test_the_store_code_has_no_update_or_delete_path_for_decisions() -> None:
    found = []
    for path in sorted((ROOT / "cases" / "store").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.ImportFrom) and node.module in ("sqlalchemy", "sqlmodel"):
                found += [f"{where} imports {a.name}" for a in node.names if a.name in ("update", "delete")]
            method = (
                node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else ""
            )
            if method in ("delete", "bulk_update_mappings", "bulk_save_objects"):
                found.append(f"{where} calls {method}()")
            sql = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if SQL_WRITE.search(sql):
                found.append(f"{where} SQL {sql!r}")
    assert found == []
