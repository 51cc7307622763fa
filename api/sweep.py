"""`sandbox assess --jsonl FILE`: a sweep over one profile per line, in constant memory.

Lines are read and assessed in windows of WINDOW lines, so memory does not grow with the
input; with --workers N each window is spread over N processes and results come back in input
order. The workers are forked from a parent that has already compiled every release and
registered it with durable-rules, so they start at once with the same rulesets (the engine
runs no threads of its own, so forking it is safe). Every input line gives exactly one output line: the
decision, or {"line": N, "errors": [...]} for a line that is not a valid profile.
"""

import multiprocessing
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date
from typing import IO, Any

from api.inputs import InputError, parse_document
from engine import ProfileError, SandboxError, default_rulebook, evaluate
from engine.release import canonical_json

WINDOW = 2048
_settings: dict[str, Any] = {}


def _init(as_of: date | None, release: str | None) -> None:
    _settings.update(as_of=as_of, release=release)


def assess_line(item: tuple[int, str]) -> tuple[str, bool]:
    """One output line for one input line, and whether the input was good."""
    number, text = item
    try:
        document = parse_document(text, yaml_ok=False)
        return evaluate(
            document, as_of=_settings.get("as_of"), release=_settings.get("release")
        ).to_json(), True
    except InputError as exc:
        errors = [{"path": "", "reason": str(exc)}]
    except ProfileError as exc:
        errors = [{"path": e.path, "reason": e.reason} for e in exc.errors]
    except SandboxError as exc:
        errors = [{"path": "", "reason": f"{exc.code}: {exc}"}]
    return canonical_json({"line": number, "errors": errors}), False


def _windows(lines: Iterable[str]) -> Iterator[list[tuple[int, str]]]:
    window: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            window.append((number, line))
        if len(window) >= WINDOW:
            yield window
            window = []
    if window:
        yield window


class _Progress:
    """A one-line counter on a terminal's standard error; silent otherwise."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream, self.on = stream, stream.isatty()
        self.started = self.last = time.monotonic()
        self.done = 0

    def add(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.on and now - self.last > 0.25:
            rate = self.done / max(now - self.started, 1e-9)
            self.stream.write(f"\r{self.done:,} profiles assessed, {rate:,.0f}/s")
            self.stream.flush()
            self.last = now

    def close(self) -> None:
        if self.on:
            self.stream.write(f"\r{self.done:,} profiles assessed.{' ' * 20}\n")


def sweep(
    lines: Iterable[str], out: IO[str], *, workers: int, as_of: date | None, release: str | None
) -> int:
    """Assess every line and write one line each, in input order; the number of bad lines."""
    progress = _Progress(sys.stderr)
    bad = 0
    pool = None
    if workers > 1:
        book = default_rulebook()
        for release_id in book.compiled:
            book.handle(release_id)
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_init, initargs=(as_of, release))
    else:
        _init(as_of, release)
    try:
        for window in _windows(lines):
            results = pool.imap(assess_line, window, chunksize=64) if pool else map(assess_line, window)
            for text, good in results:
                out.write(text + "\n")
                bad += not good
            progress.add(len(window))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        progress.close()
    return bad


def read_lines(name: str) -> Iterator[str]:
    """The lines of a file, or of standard input for '-', read lazily."""
    if name == "-":
        yield from sys.stdin
        return
    with open(name, encoding="utf-8") as handle:
        yield from handle
