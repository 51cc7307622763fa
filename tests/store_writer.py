"""A writer process for the store tests: records decisions into DATABASE_URL.

python -m tests.store_writer NAME COUNT            record COUNT decisions for platform NAME
python -m tests.store_writer NAME 1 --die-before-commit
                                                   write one record, then die before commit
python -m tests.store_writer NAME COUNT --go-file F
                                                   connect and compile the rules, print "ready",
                                                   and start recording once F exists
"""

import os
import sys
import time

from cases.store import open_store, record_assessment
from cases.store.tables import DecisionRecord
from engine import evaluate
from tests.conftest import make_profile


def _die(record: DecisionRecord) -> None:
    print(f"dying with decision {record.seq} written but not committed", flush=True)
    os._exit(3)  # a hard crash: no rollback, no cleanup, the connection just goes away


def main(argv: list[str]) -> int:
    name, count = argv[0], int(argv[1])
    hook = _die if "--die-before-commit" in argv else None
    store = open_store()
    if "--go-file" in argv:
        go = argv[argv.index("--go-file") + 1]
        evaluate(make_profile(name=name))  # compile the rule book before the start line
        print("ready", flush=True)
        while not os.path.exists(go):
            time.sleep(0.005)
    try:
        for index in range(count):
            profile = make_profile(name=name, scale={"registered_users": index})
            _, stored, _ = record_assessment(store, profile, actor=f"writer {name}", before_commit=hook)
            print(stored.id, flush=True)
    finally:
        store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
