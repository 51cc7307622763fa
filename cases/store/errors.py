"""Errors of the decision store, in the engine's hierarchy with stable codes."""

from engine import SandboxError


class StoreError(SandboxError):
    """The decision store cannot do what was asked."""

    code = "store_error"


class StoreConfigError(StoreError):
    """DATABASE_URL is missing a usable value: the store refuses to guess."""

    code = "invalid_database_url"


class StoreUnavailable(StoreError):
    """The database could not be reached or answered with an error."""

    code = "store_unavailable"


class InvalidRecord(StoreError):
    """A record the store refuses before writing anything (e.g. no actor)."""

    code = "invalid_record"


class UnknownDecision(StoreError):
    """A decision id that is not in the store."""

    code = "unknown_decision"


class UnknownCase(StoreError):
    """A case id that is not in the store."""

    code = "unknown_case"
