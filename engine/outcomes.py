"""Outcomes rules decide (tier, credit class, grade, intensity, observation) and how
several firings of one outcome combine, as declared in rules/outcomes.yaml."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from engine.errors import EngineError
from engine.facts import FactSpec, Kind
from engine.yamlfile import load_yaml
from rules import RULES_DIR


@dataclass(frozen=True)
class OutcomeSpec:
    name: str
    order: tuple[str, ...]
    by: str | None
    fields: dict[str, Kind]
    base: str | None
    shown_with_tier: str | None
    zh: dict[str, str]

    def rank(self, value: Any) -> int:
        key = value[self.by] if self.by else value
        return self.order.index(key)

    def combine(self, values: list[Any]) -> Any:
        """The most severe value by declared order; without an order all must agree."""
        if self.order:
            return max(values, key=self.rank)
        first = values[0]
        if any(v != first for v in values[1:]):
            raise EngineError(
                f"rules set conflicting values for {self.name} and no order is declared: {values}"
            )
        return first

    def fact_specs(self) -> list[FactSpec]:
        if not self.fields:
            return [FactSpec(self.name, "enum", self.order, nullable=True, outcome=True)]
        return [
            FactSpec(
                f"{self.name}.{field}",
                kind,
                self.order if field == self.by else (),
                nullable=True,
                outcome=True,
            )
            for field, kind in self.fields.items()
        ]


@dataclass(frozen=True)
class OutcomeModel:
    outcomes: dict[str, OutcomeSpec]
    raw: dict[str, Any]

    def zh_labels(self) -> dict[str, dict[str, str]]:
        """Chinese names of outcome values, by the fact name that holds them."""
        return {
            (f"{spec.name}.{spec.by}" if spec.by else spec.name): spec.zh
            for spec in self.outcomes.values()
            if spec.zh
        }


@cache
def load_outcomes(path: Path = RULES_DIR / "outcomes.yaml") -> OutcomeModel:
    raw = load_yaml(path.read_text(encoding="utf-8"))
    specs = {
        name: OutcomeSpec(
            name=name,
            order=tuple(body.get("order", ())),
            by=body.get("by"),
            fields=dict(body.get("fields", {})),
            base=body.get("base"),
            shown_with_tier=body.get("shown_with_tier"),
            zh=dict(body.get("zh", {})),
        )
        for name, body in raw["outcomes"].items()
    }
    return OutcomeModel(specs, raw)
