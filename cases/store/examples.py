"""Loading the bundled example cases into a store, idempotently (what `make run` does).

Each example is assessed on its own assessment_date; an example already stored with the same
input and release is left as it is, so loading twice adds nothing.
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from cases import EXAMPLES_DIR
from cases.store.database import Store
from cases.store.records import record_assessment
from engine import SandboxError
from engine.documents import InputError, read_document


class LoadedExample(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    decision_id: int | None = None
    new: bool = False
    error: str | None = None


def load_examples(
    store: Store, *, directory: Path = EXAMPLES_DIR, actor: str = "examples"
) -> list[LoadedExample]:
    """Record every *.profile.json of the directory that is not stored yet; report each file."""
    loaded = []
    for path in sorted(directory.glob("*.profile.json")):
        try:
            _, stored, new = record_assessment(store, read_document(str(path)), actor=actor, once=True)
        except (InputError, SandboxError) as exc:
            loaded.append(LoadedExample(file=path.name, error=str(exc)))
            continue
        loaded.append(LoadedExample(file=path.name, decision_id=stored.id, new=new))
    return loaded
