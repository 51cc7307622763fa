"""The policy as data: vocabulary, outcome model and dated rule releases (YAML)."""

from pathlib import Path

RULES_DIR = Path(__file__).parent
