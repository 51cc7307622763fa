"""Rewrite the golden decision of every bundled example (`make goldens`, on purpose only)."""

import json

from cases import EXAMPLES_DIR
from engine import evaluate
from engine.documents import read_document


def main() -> None:
    for path in sorted(EXAMPLES_DIR.glob("*.profile.json")):
        decision = evaluate(read_document(str(path)))
        golden = path.with_name(path.name.replace(".profile.json", ".decision.json"))
        text = json.dumps(decision.model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=True)
        golden.write_text(text + "\n", encoding="utf-8")
        print(f"{golden.name}: {decision.tier}")


if __name__ == "__main__":
    main()
