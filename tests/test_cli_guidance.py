"""`sandbox assess --guide`: guidance in text and in the JSON decision."""

import json
import subprocess
import sys

from cases import EXAMPLES_DIR
from engine import evaluate
from engine.guidance import guide

RIDE = EXAMPLES_DIR / "01-ride-hailing-unlicensed-prelaunch.profile.json"
RETAIL = EXAMPLES_DIR / "02-b2c-retail-credit-class-d.profile.json"


def sandbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_guide_in_text_names_the_permit_and_says_strict_is_the_floor() -> None:
    done = sandbox("assess", str(RIDE), "--guide")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "to reach tier strict: obtain the online ride-hailing taxi operating permit" in done.stdout
    assert "observation: cannot be reached by changes within the platform's control" in done.stdout
    assert "formats.ride_hailing = True: inherent to the format" in done.stdout


def test_guide_in_json_adds_a_guidance_field_to_the_decision() -> None:
    done = sandbox("assess", str(RETAIL), str(RIDE), "--guide", "--json")
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and len(lines) == 2
    for line, path in zip(lines, (RETAIL, RIDE), strict=True):
        data = json.loads(line)
        profile = json.loads(path.read_text(encoding="utf-8"))
        decision = evaluate(profile)
        assert {k: v for k, v in data.items() if k != "guidance"} == decision.model_dump(mode="json")
        assert data["guidance"] == guide(profile, decision).model_dump(mode="json")


def test_guide_in_chinese() -> None:
    done = sandbox("assess", str(RETAIL), "--guide", "--lang", "zh")
    assert "完成信用修复并申请调整为C类" in done.stdout
