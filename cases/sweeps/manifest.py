"""The manifest of OUTPUT.parts/: the finished partitions with their input hashes, rewritten
atomically after each one, so a restarted sweep skips what is done."""

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel

MANIFEST = "manifest.json"


class Manifest(BaseModel):
    """`settings` (input, format, partition size, release, as-of) must match for a resume."""

    settings: dict[str, Any]
    finished: dict[str, dict[str, Any]] = {}

    @classmethod
    def load(cls, parts_dir: Path) -> "Manifest | None":
        path = parts_dir / MANIFEST
        if not path.exists():
            return None
        return cls.model_validate_json(path.read_text(encoding="utf-8"))

    def save(self, parts_dir: Path) -> None:
        tmp = parts_dir / f".{MANIFEST}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(self.model_dump(), sort_keys=True, indent=1), encoding="utf-8")
        os.replace(tmp, parts_dir / MANIFEST)

    def is_done(self, name: str, sha256: str, parts_dir: Path) -> bool:
        entry = self.finished.get(name)
        return entry is not None and entry.get("sha256") == sha256 and (parts_dir / entry["file"]).exists()
