"""The command line, `sandbox`: assess, record, replay, audit, rules tooling, serve and keys."""

from api.cli.main import main

__all__ = ["main"]
