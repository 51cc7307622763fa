"""The command line of the store: assess --record, cases load-examples and list, and store errors."""

import json
from pathlib import Path

import pytest

from api.cli import main
from cases import EXAMPLES_DIR
from cases.store import Store, count_decisions, get_decision, list_cases
from tests.conftest import make_profile
from tests.store_helpers import large_by_monthly_users

pytest_plugins = ["tests.store_fixtures"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    written = {}
    for name, profile in {
        "big": large_by_monthly_users(),
        "small": make_profile(name="Small Co"),
        "bad": make_profile(formats=["teleportation"]),
    }.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(profile), encoding="utf-8")
        written[name] = str(path)
    return written


@pytest.fixture
def cli_store(store: Store, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return store


def test_plain_assess_stores_nothing(
    cli_store: Store, files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assess", files["big"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["platform_grade"] == "small_medium"
    assert count_decisions(cli_store) == 0


def test_assess_record_stores_regulatory_decisions_and_prints_the_same_decision(
    cli_store: Store, files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["assess", "--record", "--actor", "inspector Wang", files["big"], files["small"], "--json"]) == 0
    )
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert [get_decision(cli_store, n).decision_json for n in (1, 2)] == lines
    assert [(get_decision(cli_store, n).kind, get_decision(cli_store, n).actor) for n in (1, 2)] == [
        ("regulatory", "inspector Wang"),
        ("regulatory", "inspector Wang"),
    ]
    assert f"sandbox: {files['big']}: recorded as decision 1 (case 1, Hangzhou Dayu Network Co., Ltd.)" in err


def test_assess_record_can_store_a_self_assessment(
    cli_store: Store, files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["assess", "--record", "--kind", "self_assessment", "--actor", "Small Co", files["small"]]) == 0
    )
    assert get_decision(cli_store, 1).kind == "self_assessment"
    assert "Tier: STANDARD" in capsys.readouterr().out


def test_assess_record_stores_the_good_files_and_nothing_for_a_bad_one(
    cli_store: Store, files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["assess", "--record", files["big"], files["bad"], files["small"]]) == 2
    assert "unknown format code 'teleportation'" in capsys.readouterr().err
    assert [c.name for c in list_cases(cli_store)] == ["Hangzhou Dayu Network Co., Ltd.", "Small Co"]
    assert count_decisions(cli_store) == 2


def test_load_examples_twice_stores_each_example_once_and_lists_the_cases(
    cli_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    examples = len(list(EXAMPLES_DIR.glob("*.profile.json")))
    assert main(["cases", "load-examples"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"examples: {examples} new, 0 already stored"
    assert main(["cases", "load-examples"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"examples: 0 new, {examples} already stored"
    assert count_decisions(cli_store) == examples
    assert main(["cases", "list", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sum(c["decisions"] for c in listed) == examples
    assert all(get_decision(cli_store, c["latest_decision"]).case_id == c["id"] for c in listed)


def test_an_unusable_database_url_is_bad_input(
    files: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/test")
    assert main(["audit", "verify"]) == 2
    assert main(["assess", "--record", files["small"]]) == 2
    assert (
        capsys.readouterr().err.splitlines()
        == [
            "sandbox: invalid_database_url: DATABASE_URL mysql://root@localhost/test: "
            "unsupported database 'mysql'; use sqlite or postgresql"
        ]
        * 2
    )


def test_a_database_that_does_not_answer_is_reported_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/test")
    assert main(["replay", "--all"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sandbox: store_unavailable: cannot open the store at postgresql+psycopg://")
    assert "Traceback" not in err
