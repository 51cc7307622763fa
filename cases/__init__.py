"""Case files: the bundled example profiles with their golden decisions."""

from pathlib import Path

EXAMPLES_DIR = Path(__file__).parent / "examples"
