"""The one place that touches durable-rules. Everything else in the project goes through it.

We drive durable-rules' C core (the module `durable_rules_engine` that the durable-rules
package ships) directly, without the `durable.lang` host: that host starts two background
timer threads per process that call into the core every 0.2 s, and the core is not
thread-safe (shared/DURABLE_NOTES.md, notes 3 and 11). Here:

- every call into the core holds one process-wide lock, so threads never meet inside it;
- a profile is asserted as a fact, never posted as an event (note 1: events are consumed
  by the first rule that matches);
- each evaluation (or batch of evaluations) runs in a fresh session that is deleted in
  `finally` (note 2: 1024 live sessions at most, about 250 KB each); facts asserted together
  go in one call, each numbered (`n`) so that the actions say which fact fired them and equal
  facts stay distinct (note 7: an equal fact is refused as already observed);
- a fact no rule matches is refused (note 7), and its session is left in place: in a ruleset of
  about 180 rules or more, deleting sessions whose fact matched no rule corrupts the core's heap
  (the process aborts with "munmap_chunk(): invalid pointer" within 3,000 such sessions;
  measured here, and pinned by a test). The compiler gives every phase a catch-all rule, so in
  the engine every fact is matched and this path is never taken;
- its JSON parser refuses numbers in exponent notation ("Could not assert fact, error code:
  204"), which Python writes for floats of 1e16 and more or below 1e-4: they are rewritten as
  plain decimals before the fact is asserted (facts carry no free text, only numbers, booleans
  and codes, so no string can be touched);
- ruleset names are global and permanent (note 9), so compiled rulesets are kept by name;
- rules never use not-exists (note 4) and lists arrive as one boolean per code (note 5):
  that is the compiler's side of the contract.
"""

import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import durable_rules_engine as _core

from engine.errors import EngineError

_LOCK = threading.RLock()
_RULESETS: dict[str, tuple[int, str]] = {}
_SESSION_IDS = itertools.count(1)
_live_sessions = 0
_abandoned: list[str] = []

_HANDLED, _NOT_HANDLED, _OBSERVED = 0, 1, 2
# The field each asserted fact carries its number in (first in the fact, see _fact_number).
FACT_NUMBER = "n"


def ruleset(name: str, definition: dict[str, Any]) -> int:
    """The durable-rules handle of a ruleset, created on first use and kept for the process."""
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False)
    with _LOCK:
        known = _RULESETS.get(name)
        if known is not None:
            if known[1] != text:
                raise EngineError(f"ruleset {name!r} is already registered with another definition")
            return known[0]
        try:
            handle = int(_core.create_ruleset(name, text))
        except Exception as exc:  # the core reports bad definitions as a bare error
            raise EngineError(f"durable-rules rejected ruleset {name!r}: {exc}") from exc
        _RULESETS[name] = (handle, text)
        return handle


class Session:
    """A live session of one ruleset; assert facts and learn which rules fired."""

    def __init__(self, handle: int, sid: str) -> None:
        self.handle = handle
        self.sid = sid
        self.has_state = False
        self.unmatched = False
        self.asserted = 0

    def assert_facts(self, facts: list[dict[str, Any]], on_fire: Callable[[int, str], None]) -> None:
        """Assert facts in one call; on_fire(index of the fact, rule name) for every rule each
        makes fire. Each fact carries its index as `n` (also keeping equal facts distinct)."""
        if any(FACT_NUMBER in fact for fact in facts):
            raise EngineError(f"a fact may not use the field {FACT_NUMBER!r}: the host numbers facts with it")
        first = self.asserted
        self.asserted += len(facts)
        message = _plain_numbers(
            json.dumps(
                [{FACT_NUMBER: first + k, **fact, "sid": self.sid} for k, fact in enumerate(facts)],
                ensure_ascii=False,
            )
        )
        self.has_state = True
        result = _core.assert_facts(self.handle, message)
        if result[0] == _NOT_HANDLED:
            self.unmatched = True
            raise EngineError(
                "durable-rules matched no rule for a fact; every ruleset needs a catch-all rule"
            )
        if result[0] != _HANDLED:
            code = "the same fact was already asserted" if result[0] == _OBSERVED else f"code {result[0]}"
            raise EngineError(f"durable-rules refused the facts: {code}")
        state = result[1]
        pending = _core.start_action_for_state(self.handle, state)
        while pending:
            text: str = pending[1]
            try:
                on_fire(_fact_number(text) - first, _rule_name(text))
            except BaseException:
                _core.abandon_action(self.handle, state)
                raise
            following = _core.complete_and_start_action(self.handle, state)
            pending = (None, following) if following else None


_EXPONENT = re.compile(r"(?<=[:,\[ ])(-?\d+(?:\.\d+)?[eE][+-]?\d+)(?=[,}\] ])")


def _plain_numbers(message: str) -> str:
    """The message with every exponent-form number written out as a plain decimal."""
    if "e+" not in message and "e-" not in message and "E" not in message:
        return message  # json.dumps writes every exponent with its sign: 1e+16, 1e-05
    return _EXPONENT.sub(lambda m: format(Decimal(m.group(1)), "f"), message)


_NUMBERED = re.compile(r'\{"m":\{"' + FACT_NUMBER + r'": (\d+)')


def _fact_number(action: str) -> int:
    """The `n` of the fact an action is for; durable-rules writes the fact back as it was sent,
    so `n`, sent first, follows the rule name: {"NAME":{"m":{"n": 3, ...}}}."""
    found = _NUMBERED.search(action)
    if found is None:
        raise EngineError(f"unexpected action message from durable-rules: {action[:80]!r}")
    return int(found.group(1))


def _rule_name(action: str) -> str:
    """The rule name of an action message, which durable-rules writes as {"NAME":{...}}."""
    if not action.startswith('{"'):
        raise EngineError(f"unexpected action message from durable-rules: {action[:80]!r}")
    return action[2 : action.index('"', 2)]


@contextmanager
def session(handle: int) -> Iterator[Session]:
    """A fresh session, holding the engine lock until it has been deleted."""
    global _live_sessions
    with _LOCK:
        sid = str(next(_SESSION_IDS))
        _live_sessions += 1
        live = Session(handle, sid)
        try:
            yield live
        finally:
            _live_sessions -= 1
            if live.unmatched:
                _abandoned.append(sid)  # never deleted: see the module docstring
            elif live.has_state:
                _core.delete_state(handle, sid)


def abandoned_sessions() -> int:
    """Sessions left undeleted because their fact matched no rule (0 in the engine)."""
    return len(_abandoned)


def live_sessions() -> int:
    """Sessions opened and not yet deleted (always 0 between evaluations)."""
    return _live_sessions


def session_exists(handle: int, sid: str) -> bool:
    """Whether durable-rules still holds state for a session id."""
    with _LOCK:
        try:
            _core.get_facts(handle, sid)
        except Exception:
            return False
        return True
