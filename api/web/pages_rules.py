"""The rules browser (every signed-in role, as GET /v1/releases): the releases with their dates
in force and content hashes at /rules, the rules of one release with their citations at
/rules/{id}, and what changed between two releases at /rules/diff (the content diff of
`sandbox rules diff`, each changed entry down to the fields that differ)."""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

import api.web.audit_texts  # noqa: F401 - the pages' chrome texts
from api.web.app import Viewer, WebError, render
from cases.store import FieldDiff, json_diff
from engine import UnknownRelease, default_rulebook
from engine.authoring.diff import content_diff
from engine.release import SECTIONS

router = APIRouter()


@dataclass(frozen=True)
class SectionDiff:
    """One section of a release diff: keys added and removed, and each changed key's fields."""

    name: str
    added: list[str]
    removed: list[str]
    changed: dict[str, list[FieldDiff]]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def release_diff(old: str, new: str) -> list[SectionDiff]:
    """The content diff of two releases (engine.authoring.diff), section by section."""
    book = default_rulebook()
    diff = content_diff(book, old, new)
    before, after = book.get(old).release.sections, book.get(new).release.sections
    return [
        SectionDiff(
            name=name,
            added=diff.added[name],
            removed=diff.removed[name],
            changed={key: json_diff(before[name][key], after[name][key]) for key in diff.changed[name]},
        )
        for name in SECTIONS
    ]


def _releases() -> list[Any]:
    book = default_rulebook()
    return [book.get(r.id) for r in book.releases]


@router.get("/rules")
def releases_page(page: Viewer) -> Response:
    releases = _releases()
    ids = [c.release.id for c in releases]
    chosen = {"from_release": ids[-2] if len(ids) > 1 else ids[0], "to_release": ids[-1]}
    return render(page, "rules_releases.html", releases=releases, ids=ids, chosen=chosen, errors={})


@router.get("/rules/diff")
def diff_page(page: Viewer, from_release: str = "", to_release: str = "") -> Response:
    ids = [c.release.id for c in _releases()]
    chosen = {"from_release": from_release, "to_release": to_release}
    errors: dict[str, str] = {}
    book = default_rulebook()
    for name, value in chosen.items():
        try:
            book.get(value)
        except UnknownRelease as exc:
            errors[name] = f"{name}: {exc}"
    if errors:
        return render(
            page,
            "rules_releases.html",
            status=422,
            releases=_releases(),
            ids=ids,
            chosen=chosen,
            errors=errors,
        )
    return render(
        page,
        "rules_diff.html",
        ids=ids,
        chosen=chosen,
        errors={},
        sections=release_diff(from_release, to_release),
    )


@router.get("/rules/{release_id}")
def release_rules_page(page: Viewer, release_id: str) -> Response:
    try:
        compiled = default_rulebook().get(release_id)
    except UnknownRelease as exc:
        raise WebError(404, str(exc)) from None
    return render(page, "rules_release.html", compiled=compiled, rules=list(compiled.rules.values()))
