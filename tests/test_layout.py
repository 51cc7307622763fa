"""The folders show the architecture: rules and engine at the bottom, the store above them, the
front doors (command line, HTTP API, web pages) on top. Nothing imports a layer above itself."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Each package and the top-level packages it may not import.
FORBIDDEN = {"engine": {"cases", "api"}, "cases": {"api"}, "rules": {"engine", "cases", "api"}}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_package_imports_a_layer_above_it() -> None:
    upward = [
        f"{path.relative_to(ROOT)} imports {sorted(_imported_roots(path) & banned)}"
        for package, banned in FORBIDDEN.items()
        for path in sorted((ROOT / package).rglob("*.py"))
        if _imported_roots(path) & banned
    ]
    assert upward == []


def test_the_three_front_doors_have_a_folder_each() -> None:
    for door in ("cli", "http", "web"):
        assert (ROOT / "api" / door / "__init__.py").is_file()
    assert [p.name for p in (ROOT / "api").glob("*.py")] == ["__init__.py"]
