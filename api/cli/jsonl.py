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

from engine import ProfileError, SandboxError, default_rulebook, evaluate_many
from engine.documents import InputError, parse_document
from engine.release import canonical_json

WINDOW = 2048
# Profiles per engine call (engine.evaluate_many, which shares a durable-rules session among 8)
# and per task of a worker; larger batches keep more young objects alive per collection (slower).
BATCH = 64
_settings: dict[str, Any] = {}


def _init(as_of: date | None, release: str | None) -> None:
    _settings.update(as_of=as_of, release=release)


def assess_lines(items: list[tuple[int, str]]) -> tuple[str, int, int]:
    """The output for some input lines, a line each (in one string, so that a worker hands back
    one object), their count and how many were bad; the profiles are assessed together
    (engine.evaluate_many), each exactly as alone."""
    out: list[tuple[str, bool] | None] = [None] * len(items)
    documents: list[Any] = []
    places: list[int] = []
    for place, (number, text) in enumerate(items):
        try:
            documents.append(parse_document(text, yaml_ok=False))
            places.append(place)
        except InputError as exc:
            out[place] = _error_line(number, [{"path": "", "reason": str(exc)}])
    results = evaluate_many(documents, as_of=_settings.get("as_of"), release=_settings.get("release"))
    for place, result in zip(places, results, strict=True):
        number = items[place][0]
        if isinstance(result, ProfileError):
            out[place] = _error_line(number, [{"path": e.path, "reason": e.reason} for e in result.errors])
        elif isinstance(result, SandboxError):
            out[place] = _error_line(number, [{"path": "", "reason": f"{result.code}: {result}"}])
        else:
            out[place] = (result.to_json(), True)
    lines = [line for line in out if line is not None]
    return "".join(text + "\n" for text, _ in lines), len(lines), sum(not good for _, good in lines)


def _error_line(number: int, errors: list[dict[str, str]]) -> tuple[str, bool]:
    return canonical_json({"line": number, "errors": errors}), False


def _windows(lines: Iterable[str]) -> Iterator[list[list[tuple[int, str]]]]:
    """Windows of WINDOW non-blank numbered lines, each cut into batches of BATCH."""
    window: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            window.append((number, line))
        if len(window) >= WINDOW:
            yield _batches(window)
            window = []
    if window:
        yield _batches(window)


def _batches(window: list[tuple[int, str]]) -> list[list[tuple[int, str]]]:
    return [window[i : i + BATCH] for i in range(0, len(window), BATCH)]


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


def warm_engine() -> None:
    """Compile every release and register it with durable-rules, once, before any fork."""
    book = default_rulebook()
    for release_id in book.compiled:
        book.handle(release_id)


def sweep(
    lines: Iterable[str], out: IO[str], *, workers: int, as_of: date | None, release: str | None
) -> int:
    """Assess every line and write one line each, in input order; the number of bad lines.

    With workers > 1 the caller's process is forked: call it from a process that runs no other
    threads (the command line does)."""
    progress = _Progress(sys.stderr)
    bad = 0
    pool = None
    warm_engine()
    if workers > 1:
        pool = multiprocessing.get_context("fork").Pool(workers, initializer=_init, initargs=(as_of, release))
    else:
        _init(as_of, release)
    try:
        for window in _windows(lines):
            results = pool.imap(assess_lines, window) if pool else map(assess_lines, window)
            for text, count, bad_lines in results:
                out.write(text)
                bad += bad_lines
                progress.add(count)
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
