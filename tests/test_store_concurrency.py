"""Several processes recording at once never fork or break the chain."""

import itertools
from pathlib import Path

from sqlmodel import col, select

from cases.store import Store, verify_chain
from cases.store.chain import iter_records
from cases.store.tables import Case
from tests.store_helpers import run_writer

pytest_plugins = ["tests.store_fixtures"]

WRITERS, EACH = 4, 25


def test_four_writer_processes_recording_25_decisions_each_leave_one_unbroken_chain(
    store: Store, database_url: str, tmp_path: Path
) -> None:
    go = tmp_path / "go"  # every writer is started, connected and compiled before any records
    writers = [
        run_writer(database_url, f"writer platform {n}", str(EACH), "--go-file", str(go))
        for n in range(WRITERS)
    ]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
    go.touch()
    outputs = [w.communicate(timeout=300) for w in writers]
    assert [w.returncode for w in writers] == [0] * WRITERS, [err for _, err in outputs]
    reported = sorted(int(line) for out, _ in outputs for line in out.split())
    with store.reading() as session:
        report = verify_chain(session)
        records = list(iter_records(session))
        cases = session.exec(select(Case).order_by(col(Case.id))).all()
    assert report.intact, report.problem
    assert report.records == len(records) == WRITERS * EACH
    assert [r.seq for r in records] == reported == list(range(1, WRITERS * EACH + 1))
    assert len({r.prev_hash for r in records}) == WRITERS * EACH
    assert sorted(c.name for c in cases) == [f"writer platform {n}" for n in range(WRITERS)]
    for case in cases:
        own = [r.case_seq for r in records if r.case_id == case.id]
        assert own == list(range(1, EACH + 1))
    interleaved = sum(1 for a, b in itertools.pairwise(records) if a.case_id != b.case_id)
    assert interleaved > WRITERS - 1, "the writers ran one after another, not at once"
