"""The `sandbox` command line, run as a real process on real files: what it prints, in which order,
and how it fails (exit 2, a message naming the file, the field and the reason, never a traceback)."""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import default_rulebook, evaluate
from rules import RULES_DIR
from tests.conftest import make_profile

SCRIPT = Path(sys.executable).with_name("sandbox")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "api.cli"]

# The rule ids of release 2020.07, as POLICY §5 lists them.
CATALOGUE_2020_07 = {
    "M22-BAN-ACTIVITY",
    "M22-BAN-UNLICENSED",
    "M22-STRICT-SAFETY",
    "M22-STRICT-FUNDS",
    "M22-STRICT-HARM",
    "M22-OBSERVE-NEW",
    "M22-REVIEW-DUE",
    "M22-STANDARD",
    "M23-CREDIT-UNRATED",
    "M23-CREDIT-ABNORMAL",
    "M23-CREDIT-DISHONEST",
    "M23-ESCALATE-D",
    "M23-GRADE",
    "M23-INTENSITY",
    "M23-LARGE-FLOOR",
    "M21-COMPLAINTS",
    "M21-ENTRY-EXIT",
    "M25-IDENTITY",
    "M25-TWO-WAY",
    "M26-LOGS",
    "M26-MLPS",
    "M26-REAL-NAME",
    "M26-FILING",
}

HOSPITAL = make_profile(
    name="Hangzhou Online Hospital",
    formats=["internet_hospital"],
    licences=["medical_institution_licence"],
)
# Tutoring without its online_training_filing: prohibited (M22-BAN-UNLICENSED).
TUTORING = make_profile(name="Ningbo Tutors", formats=["online_tutoring"], credit={"class": "C"})
OFFICE = make_profile(name="Wenzhou Remote Desks")


def sandbox(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*COMMAND, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def write_json(folder: Path, name: str, data: Any) -> str:
    (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return name


def error_lines(stderr: str, file: str) -> list[str]:
    return [line for line in stderr.splitlines() if f"{file}: " in line]


# --- text output ---------------------------------------------------------------------------------


def test_text_output_shows_the_tier_and_the_reasons(tmp_path: Path) -> None:
    name = write_json(tmp_path, "hospital.json", HOSPITAL)
    result = sandbox("assess", name, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""
    decision = evaluate(HOSPITAL)
    assert decision.tier == "strict"
    assert f"== {name} ==" in result.stdout
    assert "Tier: STRICT" in result.stdout
    assert "M22-STRICT-SAFETY" in result.stdout
    for fired in decision.explanation.fired:
        assert f"{fired.rule}: {fired.reason.en}" in result.stdout
    for obligation in decision.obligations:
        assert obligation.text.en in result.stdout


def test_lang_zh_prints_chinese_text(tmp_path: Path) -> None:
    name = write_json(tmp_path, "office.json", OFFICE)
    result = sandbox("assess", "--lang", "zh", name, cwd=tmp_path)
    assert result.returncode == 0
    decision = evaluate(OFFICE)
    assert "监管层级" in result.stdout
    assert "义务" in result.stdout
    for english_label in ("Tier:", "Obligations:", "Reasons:", "Ruleset:"):
        assert english_label not in result.stdout
    for fired in decision.explanation.fired:
        assert fired.reason.zh in result.stdout
        assert fired.reason.en not in result.stdout
    for obligation in decision.obligations:
        assert obligation.text.zh in result.stdout


# --- JSON output ---------------------------------------------------------------------------------


def test_json_prints_one_decision_per_file_in_input_order(tmp_path: Path) -> None:
    profiles = {"c.json": OFFICE, "a.json": HOSPITAL, "b.json": TUTORING}
    for name, data in profiles.items():
        write_json(tmp_path, name, data)
    result = sandbox("assess", "--json", *profiles, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines == [evaluate(data).to_json() for data in profiles.values()]
    assert [json.loads(line)["tier"] for line in lines] == ["standard", "strict", "prohibited"]


def test_json_output_follows_the_order_of_the_command_line(tmp_path: Path) -> None:
    write_json(tmp_path, "one.json", HOSPITAL)
    write_json(tmp_path, "two.json", OFFICE)
    forward = sandbox("assess", "--json", "one.json", "two.json", cwd=tmp_path).stdout.splitlines()
    backward = sandbox("assess", "--json", "two.json", "one.json", cwd=tmp_path).stdout.splitlines()
    assert len(forward) == 2
    assert backward == list(reversed(forward))


def test_the_same_file_given_twice_is_assessed_twice(tmp_path: Path) -> None:
    name = write_json(tmp_path, "office.json", OFFICE)
    result = sandbox("assess", "--json", name, name, cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [evaluate(OFFICE).to_json()] * 2


# --- bad files -----------------------------------------------------------------------------------


def test_a_bad_file_among_good_ones_exits_2_and_the_good_ones_are_still_assessed(tmp_path: Path) -> None:
    write_json(tmp_path, "first.json", HOSPITAL)
    write_json(tmp_path, "broken.json", make_profile(formats=["ride_hail"], scale={"market_value_cny": -1}))
    write_json(tmp_path, "last.json", OFFICE)
    result = sandbox("assess", "--json", "first.json", "broken.json", "last.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [evaluate(HOSPITAL).to_json(), evaluate(OFFICE).to_json()]
    errors = error_lines(result.stderr, "broken.json")
    assert any("formats.0" in line and "unknown format code 'ride_hail'" in line for line in errors)
    assert any("did you mean 'ride_hailing'?" in line for line in errors)
    assert any("scale.market_value_cny" in line and "greater than or equal to 0" in line for line in errors)
    assert "first.json" not in result.stderr
    assert "last.json" not in result.stderr


def test_a_bad_file_in_text_mode_exits_2_and_the_good_file_is_still_printed(tmp_path: Path) -> None:
    write_json(tmp_path, "good.json", OFFICE)
    write_json(tmp_path, "bad.json", make_profile(credit={"clas": "A"}))
    result = sandbox("assess", "bad.json", "good.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "== good.json ==" in result.stdout
    assert "bad.json" not in result.stdout
    [line] = error_lines(result.stderr, "bad.json")
    assert "credit.clas: unknown field; did you mean 'class'?" in line


def test_every_bad_field_of_a_file_is_reported(tmp_path: Path) -> None:
    data = make_profile(name="", formats=[], security={"mlps_level": 6}, risk={"minors_targeted": "true"})
    write_json(tmp_path, "many.json", data)
    result = sandbox("assess", "many.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    errors = error_lines(result.stderr, "many.json")
    for path in ("name", "formats", "security.mlps_level", "risk.minors_targeted"):
        assert any(f"many.json: {path}: " in line for line in errors), (path, errors)


def test_a_missing_file_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    write_json(tmp_path, "good.json", OFFICE)
    result = sandbox("assess", "--json", "nowhere.json", "good.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout.splitlines() == [evaluate(OFFICE).to_json()]
    [line] = error_lines(result.stderr, "nowhere.json")
    assert "no such file" in line


def test_a_duplicated_json_key_exits_2_naming_the_key(tmp_path: Path) -> None:
    text = '{"schema_version": "1", "name": "A", "formats": ["remote_office"], "name": "B"}'
    (tmp_path / "dup.json").write_text(text, encoding="utf-8")
    result = sandbox("assess", "dup.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = error_lines(result.stderr, "dup.json")
    assert "'name'" in line and "twice" in line


def test_a_duplicated_key_in_a_nested_json_object_is_rejected(tmp_path: Path) -> None:
    text = json.dumps(make_profile())[:-1] + ', "risk": {"minors_targeted": true, "minors_targeted": false}}'
    (tmp_path / "nested.json").write_text(text, encoding="utf-8")
    result = sandbox("assess", "nested.json", cwd=tmp_path)
    assert result.returncode == 2
    [line] = error_lines(result.stderr, "nested.json")
    assert "'minors_targeted'" in line and "twice" in line


def test_a_duplicated_yaml_key_is_rejected(tmp_path: Path) -> None:
    text = 'schema_version: "1"\nname: A\nformats: [remote_office]\nname: B\n'
    (tmp_path / "dup.yaml").write_text(text, encoding="utf-8")
    result = sandbox("assess", "dup.yaml", cwd=tmp_path)
    assert result.returncode == 2
    [line] = error_lines(result.stderr, "dup.yaml")
    assert "'name'" in line and "twice" in line


def test_invalid_json_exits_2_saying_where(tmp_path: Path) -> None:
    (tmp_path / "cut.json").write_text('{"schema_version": "1",\n  "name": ', encoding="utf-8")
    result = sandbox("assess", "cut.json", cwd=tmp_path)
    assert result.returncode == 2
    [line] = error_lines(result.stderr, "cut.json")
    assert "not valid JSON" in line
    assert "line 2" in line


def test_an_empty_file_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_text("", encoding="utf-8")
    result = sandbox("assess", "empty.json", cwd=tmp_path)
    assert result.returncode == 2
    [line] = error_lines(result.stderr, "empty.json")
    assert "not valid JSON" in line


def test_a_document_that_is_not_an_object_exits_2(tmp_path: Path) -> None:
    write_json(tmp_path, "list.json", [OFFICE])
    result = sandbox("assess", "list.json", cwd=tmp_path)
    assert result.returncode == 2
    [line] = error_lines(result.stderr, "list.json")
    assert "must be an object" in line


def test_a_file_that_is_not_utf8_or_is_a_directory_exits_2(tmp_path: Path) -> None:
    (tmp_path / "latin1.json").write_bytes('{"name": "Café"}'.encode("latin-1"))
    (tmp_path / "folder.json").mkdir()
    result = sandbox("assess", "latin1.json", "folder.json", cwd=tmp_path)
    assert result.returncode == 2
    assert "cannot be read" in error_lines(result.stderr, "latin1.json")[0]
    assert "cannot be read" in error_lines(result.stderr, "folder.json")[0]


# --- YAML and standard input ---------------------------------------------------------------------


def test_yaml_input_is_assessed_like_the_same_json(tmp_path: Path) -> None:
    text = (
        'schema_version: "1"\n'
        "name: Ningbo Tutors\n"
        "assessment_date: 2026-03-02\n"
        "formats:\n"
        "  - online_tutoring\n"
        "credit:\n"
        "  class: C\n"
    )
    (tmp_path / "tutors.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "tutors.yml").write_text(text, encoding="utf-8")
    result = sandbox("assess", "--json", "tutors.yaml", "tutors.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [evaluate(TUTORING).to_json()] * 2


def test_a_dash_reads_a_json_profile_from_standard_input(tmp_path: Path) -> None:
    result = sandbox("assess", "--json", "-", cwd=tmp_path, stdin=json.dumps(HOSPITAL))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [evaluate(HOSPITAL).to_json()]


def test_a_dash_reads_a_yaml_profile_from_standard_input_in_its_place_among_files(tmp_path: Path) -> None:
    write_json(tmp_path, "office.json", OFFICE)
    write_json(tmp_path, "hospital.json", HOSPITAL)
    stdin = yaml.safe_dump(TUTORING, allow_unicode=True)
    result = sandbox("assess", "--json", "office.json", "-", "hospital.json", cwd=tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        evaluate(OFFICE).to_json(),
        evaluate(TUTORING).to_json(),
        evaluate(HOSPITAL).to_json(),
    ]


def test_a_bad_profile_on_standard_input_is_reported_under_the_name_dash(tmp_path: Path) -> None:
    result = sandbox("assess", "-", cwd=tmp_path, stdin=json.dumps(make_profile(formats=[])))
    assert result.returncode == 2
    assert any(line.startswith("sandbox: -: formats: ") for line in result.stderr.splitlines())


# --- dates and releases --------------------------------------------------------------------------


def test_as_of_overrides_the_profile_date(tmp_path: Path) -> None:
    name = write_json(tmp_path, "office.json", OFFICE)
    result = sandbox("assess", "--json", "--as-of", "2021-06-01", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["assessment_date"] == "2021-06-01"
    assert decision["ruleset"]["release"] == "2020.07"
    assert decision["ruleset"]["selection"] == "in_force"
    assert result.stdout.strip() == evaluate(OFFICE, as_of=date(2021, 6, 1)).to_json()


def test_as_of_before_the_first_release_exits_2_on_assessment_date(tmp_path: Path) -> None:
    name = write_json(tmp_path, "office.json", OFFICE)
    result = sandbox("assess", "--as-of", "2020-07-02", name, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = error_lines(result.stderr, name)
    assert "assessment_date: no ruleset release is in force on 2020-07-02" in line


def test_a_malformed_as_of_date_is_a_usage_error(tmp_path: Path) -> None:
    name = write_json(tmp_path, "office.json", OFFICE)
    result = sandbox("assess", "--as-of", "2021/06/01", name, cwd=tmp_path)
    assert result.returncode == 2
    assert "--as-of" in result.stderr and "YYYY-MM-DD" in result.stderr


def test_an_explicit_release_applied_to_a_2026_date_is_marked_explicit(tmp_path: Path) -> None:
    name = write_json(tmp_path, "office.json", OFFICE)
    result = sandbox("assess", "--json", "--release", "2020.07", name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["assessment_date"] == "2026-03-02"
    assert decision["ruleset"] == {
        "release": "2020.07",
        "sha256": default_rulebook().get("2020.07").release.sha256,
        "selection": "explicit",
    }
    assert result.stdout.strip() == evaluate(OFFICE, release="2020.07").to_json()
    text = sandbox("assess", "--release", "2020.07", name, cwd=tmp_path)
    assert "Ruleset: 2020.07 (chosen explicitly)" in text.stdout


def test_the_release_in_force_is_marked_in_force(tmp_path: Path) -> None:
    name = write_json(tmp_path, "office.json", OFFICE)
    decision = json.loads(sandbox("assess", "--json", name, cwd=tmp_path).stdout)
    assert decision["ruleset"]["release"] == "2026.01"
    assert decision["ruleset"]["selection"] == "in_force"


def test_an_unknown_release_exits_2_and_names_the_known_releases(tmp_path: Path) -> None:
    name = write_json(tmp_path, "office.json", OFFICE)
    result = sandbox("assess", "--release", "2019.01", name, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "unknown release '2019.01'" in result.stderr
    assert "2020.07, 2022.01, 2026.01" in result.stderr


# --- rules ---------------------------------------------------------------------------------------


def rule_blocks(listing: str) -> dict[str, list[str]]:
    """Each rule line of `rules list` with the citation lines under it, per release."""
    blocks: dict[str, list[str]] = {}
    release = ""
    current: list[str] = []
    for line in listing.splitlines():
        if line.startswith("# Release "):
            release = line.removeprefix("# Release ").split(":")[0]
        elif line.startswith("M"):
            current = []
            blocks[f"{release} {line.split()[0]}"] = current
        elif line.startswith("    "):
            current.append(line.strip())
    return blocks


def test_rules_list_prints_every_rule_id_with_its_seed_citation(tmp_path: Path) -> None:
    result = sandbox("rules", "list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    blocks = rule_blocks(result.stdout)
    seed = "".join(p.read_text(encoding="utf-8") for p in sorted((RULES_DIR / "seed").glob("*.txt")))
    book = default_rulebook()
    expected = {f"{r.id} {rule}" for r in book.releases for rule in book.get(r.id).rules}
    assert set(blocks) == expected
    for key, citations in blocks.items():
        seed_lines = [c for c in citations if c.startswith("seed measure ")]
        assert seed_lines, f"{key} has no seed citation"
        for cite in seed_lines:
            quoted = cite.split(": ", 1)[1]
            assert quoted in seed, f"{key} quotes text that is not in the seed: {quoted}"


def test_rules_list_for_one_release_lists_the_policy_catalogue(tmp_path: Path) -> None:
    result = sandbox("rules", "list", "--release", "2020.07", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    blocks = rule_blocks(result.stdout)
    assert {key.split()[1] for key in blocks} == CATALOGUE_2020_07
    assert {key.split()[0] for key in blocks} == {"2020.07"}
    later = rule_blocks(sandbox("rules", "list", "--release", "2026.01", cwd=tmp_path).stdout)
    assert {key.split()[1] for key in later} == CATALOGUE_2020_07 | {"M26-PI-REPORT"}


def test_rules_list_with_an_unknown_release_exits_2(tmp_path: Path) -> None:
    result = sandbox("rules", "list", "--release", "1999.01", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown release '1999.01'" in result.stderr
    assert "2020.07, 2022.01, 2026.01" in result.stderr


def test_rules_hash_prints_the_three_releases_with_their_pinned_hashes(tmp_path: Path) -> None:
    result = sandbox("rules", "hash", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.splitlines()]
    assert [line[0] for line in lines] == ["2020.07", "2022.01", "2026.01"]
    for release_id, sha256, status in lines:
        meta = yaml.safe_load((RULES_DIR / "releases" / release_id / "release.yaml").read_text("utf-8"))
        assert sha256 == meta["sha256"] == default_rulebook().get(release_id).release.sha256
        assert status == "published"


def test_rules_list_piped_into_a_reader_that_stops_early_prints_no_traceback(tmp_path: Path) -> None:
    # `sandbox rules list | head` : the reader has gone before the listing is written.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [*COMMAND, "rules", "list"],
            cwd=tmp_path,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr, result.stderr
    assert "BrokenPipeError" not in result.stderr, result.stderr


@pytest.mark.parametrize("args", [[], ["assess"], ["rules"], ["frobnicate"]])
def test_a_usage_error_exits_2_with_the_usage_and_no_traceback(tmp_path: Path, args: list[str]) -> None:
    result = sandbox(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert "usage: sandbox" in result.stderr


def test_assessing_does_not_load_the_store_or_the_web_stack() -> None:
    """`sandbox assess` starts without SQLAlchemy, alembic or FastAPI: only the commands that
    keep records or serve the API import them."""
    probe = "import sys, api.cli; print(sorted({'sqlalchemy', 'alembic', 'fastapi'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_command_line_offers_the_roles_the_api_keys_know() -> None:
    from api.cli import serve
    from cases.store import keys

    assert serve.ROLES == keys.ROLES


def test_the_store_errors_that_are_bad_input_exit_2_by_their_codes() -> None:
    from api.cli import records as cli_records
    from cases.store import InvalidRecord, StoreConfigError, StoreUnavailable, UnknownDecision
    from cases.store.errors import UnknownCase

    bad_input = {StoreConfigError, UnknownDecision, UnknownCase, InvalidRecord}
    assert {e.code for e in bad_input} == cli_records.BAD_INPUT_CODES
    assert StoreUnavailable.code not in cli_records.BAD_INPUT_CODES
