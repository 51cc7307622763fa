"""The sandbox engine: profiles in, tiered supervision decisions out, on durable-rules."""

from engine.decision import Decision
from engine.errors import (
    EngineError,
    FieldError,
    ProfileError,
    RuleFileError,
    RuleFinding,
    SandboxError,
    UnknownRelease,
)
from engine.evaluate import evaluate, evaluate_many
from engine.profile import Profile, parse_profile
from engine.rulebook import Rulebook, default_rulebook, load_rulebook

__version__ = "0.1.0"

__all__ = [
    "Decision",
    "EngineError",
    "FieldError",
    "Profile",
    "ProfileError",
    "RuleFileError",
    "RuleFinding",
    "Rulebook",
    "SandboxError",
    "UnknownRelease",
    "__version__",
    "default_rulebook",
    "evaluate",
    "evaluate_many",
    "load_rulebook",
    "parse_profile",
]
