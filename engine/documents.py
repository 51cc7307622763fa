"""Reading profile files (JSON or YAML, or standard input) without silent guesses:
a duplicated key is an error, not a last-one-wins."""

import json
import sys
from pathlib import Path
from typing import Any

import yaml


class InputError(Exception):
    """A file that cannot be read as a profile document."""


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


class _StrictLoader(yaml.SafeLoader):
    pass


def _yaml_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(k) for k, _ in node.value]
    repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
    if repeated:
        raise InputError(
            f"key {repeated[0]!r} appears twice in one mapping (line {node.start_mark.line + 1})"
        )
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _yaml_mapping)


def parse_document(text: str, *, yaml_ok: bool) -> Any:
    """A JSON document, or a YAML one when yaml_ok; errors say where."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        if not yaml_ok:
            raise InputError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        raise InputError(f"neither valid JSON nor valid YAML: {exc}") from None


def read_document(name: str) -> Any:
    """Read a profile file by name; '-' is standard input."""
    if name == "-":
        return parse_document(sys.stdin.read(), yaml_ok=True)
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot be read: {exc}") from None
    return parse_document(text, yaml_ok=path.suffix.lower() in (".yaml", ".yml"))
