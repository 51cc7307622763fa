"""Reproduces a durable-rules defect measured here, for tests/test_durable_host.py: in a ruleset
of about 180 rules or more, deleting sessions whose fact matched no rule corrupts the C core's
heap and the process aborts. With a catch-all rule (as the compiler adds per phase) it survives.

    python -m engine.durable_probe bare        # aborts (non-zero exit)
    python -m engine.durable_probe catch-all   # prints "survived"
"""

import json
import sys
from typing import Any

import durable_rules_engine as core


def main(mode: str) -> None:
    rules: dict[str, Any] = {
        f"r{i}": {"all": [{"m": {"$and": [{"phase": 0}, {f"g{i}": True}]}}]} for i in range(300)
    }
    if mode == "catch-all":
        rules["all"] = {"all": [{"m": {"phase": 0}}]}
    handle = core.create_ruleset("probe", json.dumps(rules))
    message = json.dumps({"sid": "1", "phase": 0, "f1": True, "f2": False, "x": 5})
    for _ in range(3000):
        result = core.assert_fact(handle, message)
        if result[0] == 0:
            pending = core.start_action_for_state(handle, result[1])
            while pending:
                following = core.complete_and_start_action(handle, result[1])
                pending = (None, following) if following else None
        core.delete_state(handle, "1")
    print("survived")


if __name__ == "__main__":
    main(sys.argv[1])
