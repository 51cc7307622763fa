"""The decision store: case files and hash-chained decision records for auditors.

Append-only by construction: the code has `append` and reads, and no update or delete path.
"""

from cases.store.chain import ChainReport, verify_chain
from cases.store.database import Store, open_store
from cases.store.diff import FieldDiff, json_diff
from cases.store.errors import InvalidRecord, StoreConfigError, StoreError, StoreUnavailable, UnknownDecision
from cases.store.impact import CaseImpact, ImpactReport, RuleChange, impact
from cases.store.reads import (
    CaseSummary,
    Kind,
    StoredDecision,
    count_decisions,
    get_decision,
    iter_decisions,
    latest_per_case,
    list_cases,
)
from cases.store.records import append, record_assessment
from cases.store.replay import ReplayResult, replay, replay_all, replay_decision
from cases.store.settings import StoreSettings

__all__ = [
    "CaseImpact",
    "CaseSummary",
    "ChainReport",
    "FieldDiff",
    "ImpactReport",
    "InvalidRecord",
    "Kind",
    "ReplayResult",
    "RuleChange",
    "Store",
    "StoreConfigError",
    "StoreError",
    "StoreSettings",
    "StoreUnavailable",
    "StoredDecision",
    "UnknownDecision",
    "append",
    "count_decisions",
    "get_decision",
    "impact",
    "iter_decisions",
    "json_diff",
    "latest_per_case",
    "list_cases",
    "open_store",
    "record_assessment",
    "replay",
    "replay_all",
    "replay_decision",
    "verify_chain",
]
