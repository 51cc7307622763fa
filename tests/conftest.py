"""Shared test helpers: build valid profiles with only the facts a test is about."""

import copy
from collections.abc import Iterator
from typing import Any

import pytest

BASE_PROFILE: dict[str, Any] = {
    "schema_version": "1",
    "name": "Hangzhou Example Technology Co., Ltd.",
    "assessment_date": "2026-03-02",
    "formats": ["remote_office"],
}


def make_profile(**changes: Any) -> dict[str, Any]:
    """A minimal valid profile; keyword arguments replace top-level fields.

    Nested groups merge: make_profile(credit={"class": "D"}) keeps the other credit defaults.
    """
    profile = copy.deepcopy(BASE_PROFILE)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(profile.get(key), dict):
            profile[key] = {**profile[key], **value}
        elif value is None and key in profile and key != "launch_date":
            del profile[key]
        else:
            profile[key] = value
    return profile


@pytest.fixture
def profile() -> Any:
    """The make_profile builder as a fixture."""
    return make_profile


@pytest.fixture(autouse=True, scope="session")
def _checkpoint_key_outside_the_worktree(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A checkpoint key a test makes goes to a temporary folder, never the working directory."""
    patch = pytest.MonkeyPatch()
    patch.setenv("SANDBOX_CHECKPOINT_KEY", str(tmp_path_factory.mktemp("checkpoint") / "checkpoint.key"))
    yield
    patch.undo()
