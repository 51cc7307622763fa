"""One error hierarchy with stable codes; only the CLI and the API translate them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """A problem with one field of an input: where it is and why it is wrong."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path or '(profile)'}: {self.reason}"


@dataclass(frozen=True)
class RuleFinding:
    """A problem in a rule file: which file, rule and field, and why."""

    file: str
    rule: str
    field: str
    reason: str

    def __str__(self) -> str:
        where = ":".join(part for part in (self.file, self.rule, self.field) if part)
        return f"{where}: {self.reason}"


class SandboxError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "sandbox_error"


class ProfileError(SandboxError):
    """The submitted profile breaks the data contract (POLICY §3)."""

    code = "invalid_profile"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


class UnknownRelease(SandboxError):
    """A ruleset release id that does not exist."""

    code = "unknown_release"


class RuleFileError(SandboxError):
    """Rule files that cannot be loaded; every finding names file, rule and field."""

    code = "invalid_rules"

    def __init__(self, findings: list[RuleFinding]) -> None:
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))


class EngineError(SandboxError):
    """The rule engine failed or produced an outcome the contract forbids."""

    code = "engine_failure"
