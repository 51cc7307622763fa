"""The self-assessment pages without a browser: every contract field is on the form, errors
come back beside their fields with the CLI's messages, and a result shows tier and guidance."""

import re

from fastapi.testclient import TestClient

from api.web.form_profile import profile_groups
from api.web.i18n import FIELD_LABELS
from cases.store import Store, count_decisions, get_decision
from engine.profile import Profile
from tests.api_helpers import USCC_A, USCC_B, Keys
from tests.web_helpers import signed_in

pytest_plugins = ["tests.web_fixtures"]


def _contract_paths() -> set[str]:
    paths = set()
    for name, info in Profile.model_fields.items():
        sub = info.annotation
        if isinstance(sub, type) and hasattr(sub, "model_fields"):
            paths |= {f"{name}.{f.alias or n}" for n, f in sub.model_fields.items()}
        elif name != "schema_version":
            paths.add(name)
    return paths


def _error_beside(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert found, f"no error beside {field_id}"
    return found.group(1)


def test_every_field_of_the_contract_is_on_the_form_with_a_label(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.platform_a)
    html = web.get("/assess").text
    on_form = {f.path for g in profile_groups() for f in g.fields}
    assert on_form == _contract_paths()
    for path in on_form:
        field_id = "f-" + path.replace(".", "-")
        assert f'id="{field_id}"' in html
        assert f'<label for="{field_id}">' in html
        assert path in FIELD_LABELS
    assert "网约车 (ride_hailing)" in html  # codes by their Chinese names
    assert f'value="{USCC_A}"' in html  # a platform assesses itself


def test_bad_fields_show_the_cli_messages_beside_them(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    token = signed_in(web, web_keys.platform_a)
    answer = web.post(
        "/assess",
        data={
            "csrf_token": token,
            "name": "Lakeside Rides",
            "uscc": USCC_A,
            "formats": ["ride_hailing"],
            "scale.annual_active_users": "many",
            "launch_date": "2025-13-01",
        },
    )
    assert answer.status_code == 422
    assert "Input should be a valid integer" in _error_beside(answer.text, "f-scale-annual_active_users")
    assert "is not a calendar date" in _error_beside(answer.text, "f-launch_date")
    assert 'value="Lakeside Rides"' in answer.text  # what was typed is kept
    assert count_decisions(web_store) == 0  # nothing half-written


def test_a_platform_cannot_assess_another_uscc(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    token = signed_in(web, web_keys.platform_a)
    answer = web.post(
        "/assess", data={"csrf_token": token, "name": "Not Mine", "uscc": USCC_B, "formats": ["b2c_retail"]}
    )
    assert answer.status_code == 422
    assert f"self-assesses only profiles of USCC {USCC_A}" in _error_beside(answer.text, "f-uscc")
    assert count_decisions(web_store) == 0


def test_a_platform_sees_its_tier_and_guidance(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    token = signed_in(web, web_keys.platform_a)
    answer = web.post(
        "/assess",
        data={
            "csrf_token": token,
            "name": "Lakeside Rides",
            "uscc": USCC_A,
            "assessment_date": "2026-06-01",
            "formats": ["ride_hailing"],
            "participants.complaint_channel": "true",
        },
    )
    assert answer.status_code == 201, answer.text
    assert 'data-tier="prohibited"' in answer.text and "依法取缔" in answer.text
    assert "M22-BAN-UNLICENSED" in answer.text
    assert "取得网络预约出租汽车经营许可证" in answer.text  # guidance: the licence to obtain
    assert "“" in answer.text  # the seed clause quoted
    assert "M21-COMPLAINTS" not in answer.text  # the channel is in place
    assert count_decisions(web_store) == 1


def test_a_pasted_yaml_document_is_assessed(web: TestClient, web_keys: Keys) -> None:
    token = signed_in(web, web_keys.regulator)
    document = "schema_version: '1'\nname: Paste Co\nformats: [remote_office]\nassessment_date: 2026-02-01\n"
    answer = web.post("/assess", data={"csrf_token": token, "document": document, "name": "ignored"})
    assert answer.status_code == 201
    assert "Paste Co" in answer.text and 'data-tier="standard"' in answer.text


def test_a_pasted_document_with_errors_lists_them_beside_it(web: TestClient, web_keys: Keys) -> None:
    token = signed_in(web, web_keys.regulator)
    answer = web.post(
        "/assess",
        data={
            "csrf_token": token,
            "document": '{"schema_version": "1", "name": "x", "formats": ["b2c"], "x": 1}',
        },
    )
    assert answer.status_code == 422
    listed = re.search(r'<ul class="error" id="f-document-error">(.*?)</ul>', answer.text, re.S)
    assert listed
    assert "formats.0: unknown format code &#39;b2c&#39;" in listed.group(1)
    assert "x: unknown field" in listed.group(1)


def test_an_uploaded_file_that_is_not_json_or_yaml_is_refused(web: TestClient, web_keys: Keys) -> None:
    token = signed_in(web, web_keys.regulator)
    answer = web.post(
        "/assess",
        data={"csrf_token": token},
        files={"upload": ("p.json", b'{"name": "a", "name": "b"}', "application/json")},
    )
    assert answer.status_code == 422
    assert "appears twice" in answer.text


def test_an_auditor_may_not_assess(web: TestClient, web_keys: Keys) -> None:
    signed_in(web, web_keys.auditor)
    assert web.get("/assess").status_code == 403


def test_the_assessment_form_needs_the_csrf_token(web: TestClient, web_keys: Keys, web_store: Store) -> None:
    signed_in(web, web_keys.platform_a)
    answer = web.post("/assess", data={"name": "x", "uscc": USCC_A, "formats": ["b2c_retail"]})
    assert answer.status_code == 403
    assert count_decisions(web_store) == 0


def test_a_regulator_records_a_regulatory_decision_from_the_form(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    token = signed_in(web, web_keys.regulator)
    form = web.get("/assess").text
    assert 'id="f-kind"' in form
    answer = web.post(
        "/assess",
        data={"csrf_token": token, "kind": "regulatory", "name": "Office Co", "formats": ["remote_office"]},
    )
    assert answer.status_code == 201 and 'href="/decisions/1/notice"' in answer.text
    assert get_decision(web_store, 1).kind == "regulatory"


def test_a_platform_cannot_record_a_regulatory_decision(
    web: TestClient, web_keys: Keys, web_store: Store
) -> None:
    token = signed_in(web, web_keys.platform_a)
    assert 'id="f-kind"' not in web.get("/assess").text
    answer = web.post(
        "/assess",
        data={
            "csrf_token": token,
            "kind": "regulatory",
            "name": "A",
            "uscc": USCC_A,
            "formats": ["b2c_retail"],
        },
    )
    assert answer.status_code == 201
    assert get_decision(web_store, 1).kind == "self_assessment"


def test_in_english_the_result_speaks_the_rule_files_english(web: TestClient, web_keys: Keys) -> None:
    token = signed_in(web, web_keys.regulator)
    web.get("/?lang=en")
    answer = web.post(
        "/assess",
        data={"csrf_token": token, "kind": "self_assessment", "name": "Ride Co", "formats": ["ride_hailing"]},
    )
    assert answer.status_code == 201
    assert 'data-tier="prohibited">prohibited<' in answer.text
    assert "Obligations" in answer.text and "Guidance" in answer.text
    assert "Obtain each missing licence before operating: ride_hailing_permit." in answer.text
    assert "依法取缔" not in answer.text
