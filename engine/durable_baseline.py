"""durable-rules driven the way its own documentation shows, for the benchmark only: the
`durable.lang` host with a Python action per rule and one session per profile, asserting a
release's first-phase facts. It makes the cost of our lean host and our layers visible; nothing
in the product uses it (and its host starts background threads that call into the C core, which
is why the product does not)."""

import itertools
from collections.abc import Callable
from typing import Any

from durable.lang import get_host

from engine.compiler import CompiledRelease

_names = itertools.count()


def naive_runner(compiled: CompiledRelease) -> Callable[[dict[str, Any]], list[str]]:
    """A function asserting one phase-0 fact in a fresh session and returning the rules that fired."""
    fired: list[str] = []

    def action(name: str) -> Callable[[Any], None]:
        # one parameter: durable-rules treats a two-parameter action as asynchronous
        return lambda c: fired.append(name)

    definition = {name: {**rule, "run": action(name)} for name, rule in compiled.durable_definition().items()}
    ruleset = f"baseline{next(_names)}"
    host = get_host()
    host.set_rulesets({ruleset: definition})
    sessions = itertools.count()

    def run(fact: dict[str, Any]) -> list[str]:
        fired.clear()
        sid = str(next(sessions))
        host.assert_fact(ruleset, {**fact, "sid": sid, "phase": 0})
        host.delete_state(ruleset, sid)
        return sorted(fired)

    return run
