"""The engine stays pure: numpy, scipy and the standard library only (STYLE.md rule 4)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
ALLOWED_THIRD_PARTY = {"numpy", "scipy"}
TEST_ONLY = {"pytest", "hypothesis"}


def imported_top_level_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def test_engine_imports_only_numpy_scipy_and_the_standard_library():
    import sys

    for path in PACKAGE.rglob("*.py"):
        in_tests = "tests" in path.relative_to(PACKAGE).parts
        for module in imported_top_level_modules(path):
            allowed = (
                module == "clv"
                or module in sys.stdlib_module_names
                or module in ALLOWED_THIRD_PARTY
                or (in_tests and module in TEST_ONLY)
            )
            assert allowed, f"{path.relative_to(PACKAGE)} imports {module}"
