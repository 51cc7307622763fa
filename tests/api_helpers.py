"""Plain helpers of the API tests: keys for every role, request headers, platform profiles."""

from dataclasses import dataclass
from typing import Any

from cases.store import Store
from cases.store.keys import KeyCache, create_key
from tests.conftest import make_profile
from tests.store_helpers import uscc

USCC_A, USCC_B = uscc(101), uscc(202)


@dataclass(frozen=True)
class Keys:
    regulator: str
    auditor: str
    platform_a: str
    platform_b: str


def auth(token: str) -> dict[str, str]:
    return {"X-API-Key": token}


def platform_profile(code: str, **changes: Any) -> dict[str, Any]:
    """A valid profile of the platform with this USCC."""
    return make_profile(**{"name": f"Platform {code[-6:]} Co., Ltd.", "uscc": code, **changes})


def make_keys(store: Store) -> Keys:
    """One key per role, made as `sandbox keys create` makes them; platforms A and B."""
    return Keys(
        regulator=create_key(store, role="regulator", name="Inspector Wang").token,
        auditor=create_key(store, role="auditor", name="Auditor Li").token,
        platform_a=create_key(store, role="platform", uscc=USCC_A, name="Platform A").token,
        platform_b=create_key(store, role="platform", uscc=USCC_B, name="Platform B").token,
    )


def key_id_of(store: Store, token: str) -> int:
    """The id of the API key this token is (what `sandbox keys list` shows)."""
    caller = KeyCache(store).lookup(token)
    assert caller is not None, "no such key"
    return caller.key_id
