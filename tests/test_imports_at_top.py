"""Imports of omov modules stand at the top of a module, where the layers contract sees them.

An import inside a function hides an arrow from the reader and from `lint-imports` (decision
0019). The few places that need one are listed below with their reason; a new one fails here
until it moves to the top or is added to the list with its own reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "omov"

#: Where an import inside a function is needed, and why.
ALLOWED: dict[str, str] = {
    "cli/": "a command imports Django models only in its handler, after setup_django()",
    "count/report.py": "a real cycle: CountResult renders itself with report, which reads it",
    "count/result.py": "the same cycle, from the other side",
    "count/formats/__init__.py": "the BLT reader is loaded only when a BLT file is read",
    "count/formats/cdf.py": "the XML form of the CDF reader is loaded only for an XML file",
    "electorate/models.py": "a real cycle: the rules read the models' choices",
    "jobs/services.py": "a real cycle: the task module runs the services",
}


def _hidden_imports() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if "/migrations/" in f"/{relative}" or any(relative.startswith(a) for a in ALLOWED):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if function.name == "ready":  # AppConfig.ready(): Django's place for app wiring
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("omov"):
                    found.append(f"{relative}:{node.lineno} in {function.name}(): {node.module}")
                if isinstance(node, ast.Import) and node.names[0].name.startswith("omov"):
                    found.append(f"{relative}:{node.lineno} in {function.name}()")
    return found


def test_no_omov_import_hides_inside_a_function() -> None:
    assert _hidden_imports() == []


def test_every_allowed_place_still_needs_it() -> None:
    """An allowed place that no longer imports inside a function leaves the list."""
    stale = []
    for place in ALLOWED:
        paths = sorted((SRC / place).rglob("*.py")) if place.endswith("/") else [SRC / place]
        has_one = False
        for path in paths:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    has_one = has_one or any(
                        isinstance(node, ast.ImportFrom) and (node.module or "").startswith("omov")
                        for node in ast.walk(function)
                    )
        if not has_one:
            stale.append(place)
    assert stale == []
