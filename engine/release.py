"""Rule releases read from rules/releases/: overlays resolved, content hashed."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

# canonical_json and sha256_of were defined here first; their users still import them from here.
from engine.canonical import canonical_json as canonical_json
from engine.canonical import sha256_of as sha256_of
from engine.errors import RuleFinding
from engine.yamlfile import load_yaml

SECTIONS = ("parameters", "formats", "prohibited_activities", "rules")
# Format flags (POLICY §6): health/life safety, financial, identity-required, real-name.
FLAGS = frozenset("SFIR")


def plain(value: Any) -> Any:
    """Values as JSON data: dates become ISO strings, mapping keys strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Release:
    """One release, resolved: its own content plus everything it inherits."""

    id: str
    title: dict[str, str]
    in_force_from: date
    in_force_to: date | None
    status: str
    pinned_sha256: str | None
    sections: dict[str, dict[str, Any]]
    sources: dict[str, str]
    content: dict[str, Any] = field(repr=False)
    sha256: str = ""

    def in_force_on(self, day: date) -> bool:
        return self.in_force_from <= day and (self.in_force_to is None or day <= self.in_force_to)

    @property
    def parameters(self) -> dict[str, Any]:
        return {name: p["value"] for name, p in self.sections["parameters"].items()}

    @property
    def formats(self) -> dict[str, dict[str, Any]]:
        return self.sections["formats"]

    @property
    def prohibited_activities(self) -> dict[str, Any]:
        return self.sections["prohibited_activities"]

    @property
    def rules(self) -> dict[str, dict[str, Any]]:
        return self.sections["rules"]


@dataclass
class _Layer:
    meta: dict[str, Any]
    sections: dict[str, dict[str, Any]]
    sources: dict[str, str]


def _read_yaml(path: Path, findings: list[RuleFinding], shown: Path | None = None) -> dict[str, Any]:
    name = str(shown or path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        findings.append(RuleFinding(name, "", "", f"not valid YAML: {exc}"))
        return {}
    if not isinstance(data, dict):
        findings.append(RuleFinding(name, "", "", "must hold a mapping at the top level"))
        return {}
    return data


def read_layer(folder: Path, findings: list[RuleFinding], *, files: list[Path] | None = None) -> _Layer:
    """Read one release folder: release.yaml, parameters, catalogue and measure files."""
    meta = _read_yaml(folder / "release.yaml", findings)
    sections: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    sources: dict[str, str] = {}
    paths = files if files is not None else sorted(folder.rglob("*.yaml"))
    for path in paths:
        if path.name == "release.yaml":
            continue
        shown = path.relative_to(folder.parent.parent)  # releases/<id>/<file>, as authors see it
        data = plain(_read_yaml(path, findings, shown))
        for key, value in data.items():
            if key not in SECTIONS:
                findings.append(
                    RuleFinding(str(shown), "", key, f"unknown section; expected one of {SECTIONS}")
                )
                continue
            items = _items(key, value, shown, findings)
            for item_key, item in items.items():
                if item_key in sections[key]:
                    findings.append(
                        RuleFinding(
                            str(shown),
                            item_key,
                            key,
                            f"defined twice (also in {sources[f'{key}:{item_key}']})",
                        )
                    )
                sections[key][item_key] = item
                sources[f"{key}:{item_key}"] = str(shown)
    return _Layer(meta, sections, sources)


def _items(key: str, value: Any, path: Path, findings: list[RuleFinding]) -> dict[str, Any]:
    if key != "rules":
        if not isinstance(value, dict):
            findings.append(RuleFinding(str(path), "", key, "must be a mapping"))
            return {}
        return dict(value)
    if not isinstance(value, list):
        findings.append(RuleFinding(str(path), "", key, "must be a list of rules"))
        return {}
    items: dict[str, Any] = {}
    for index, rule in enumerate(value):
        if not isinstance(rule, dict) or not isinstance(rule.get("id"), str):
            findings.append(RuleFinding(str(path), f"#{index}", "id", "every rule needs a string id"))
            continue
        if rule["id"] in items:
            findings.append(RuleFinding(str(path), rule["id"], "id", "defined twice in this file"))
        items[rule["id"]] = rule
    return items


def resolve(
    release_id: str,
    layers: dict[str, _Layer],
    shared: dict[str, Any],
    findings: list[RuleFinding],
) -> Release | None:
    """Resolve a release against the chain of releases it extends, and hash it."""
    chain: list[str] = []
    current: str | None = release_id
    while current is not None:
        if current in chain:
            findings.append(RuleFinding("", release_id, "extends", f"cycle through {current}"))
            return None
        if current not in layers:
            findings.append(
                RuleFinding(
                    "",
                    chain[-1] if chain else release_id,
                    "extends",
                    f"unknown release {current!r}",
                )
            )
            return None
        chain.append(current)
        parent = layers[current].meta.get("extends")
        current = None if parent is None else str(parent)
    sections: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    sources: dict[str, str] = {}
    for layer_id in reversed(chain):
        layer = layers[layer_id]
        for name in SECTIONS:
            sections[name].update(layer.sections[name])
        sources.update(layer.sources)
        for name, keys in (layer.meta.get("remove") or {}).items():
            for key in keys:
                if sections.get(name, {}).pop(str(key), None) is None:
                    findings.append(
                        RuleFinding("", layer_id, f"remove.{name}", f"nothing to remove: {key!r}")
                    )
    meta = layers[release_id].meta
    where = f"releases/{release_id}/release.yaml"
    try:
        start = meta["in_force"]["from"]
        end = meta["in_force"].get("to")
        assert isinstance(start, date) and (end is None or isinstance(end, date))
    except (KeyError, TypeError, AssertionError):
        findings.append(RuleFinding(where, release_id, "in_force", "needs from: DATE and to: DATE or null"))
        return None
    if end is not None and end < start:
        findings.append(RuleFinding(where, release_id, "in_force", f"ends {end} before it starts {start}"))
    if str(meta.get("id")) != release_id:
        findings.append(
            RuleFinding(where, release_id, "id", f"id {meta.get('id')!r} differs from its folder")
        )
    content = {
        "id": release_id,
        "title": plain(meta.get("title", {})),
        # The end date is left out: it is set when a successor is published, which must not
        # change what the release says. The loader checks the calendar has no gaps or overlaps.
        "in_force_from": start.isoformat(),
        "sections": {name: {k: sections[name][k] for k in sorted(sections[name])} for name in SECTIONS},
        **shared,
    }
    return Release(
        id=release_id,
        title=dict(meta.get("title", {})),
        in_force_from=start,
        in_force_to=end,
        status=str(meta.get("status", "draft")),
        pinned_sha256=meta.get("sha256"),
        sections=sections,
        sources=sources,
        content=content,
        sha256=sha256_of(content),
    )
