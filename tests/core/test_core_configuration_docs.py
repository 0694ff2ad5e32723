"""Every environment variable omov reads is documented in docs/configuration.md, and only those.

The code is read, not run: every ``os.environ.get``/``os.getenv``/``os.environ[...]``/
``os.environ.setdefault`` and every call of the ``omov.config.env`` helpers (``env_bool``,
``env_int``, ``env_float``, ``env_list``, ``get_mandatory_secret``) under ``src/omov`` names the
variable it reads, as a string or a module constant. Reading a new variable without documenting
it, or documenting one nobody reads, fails here (issue 15, item 6).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import omov

SOURCE = Path(omov.__file__).resolve().parent
DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"
HELPERS = {"env_bool", "env_float", "env_int", "env_list", "get_mandatory_secret"}
ENVIRON_METHODS = {"get", "setdefault", "pop"}
#: Reads whose variable is not written at the call: (file, variable name in the code) -> the
#: environment variables it stands for.
INDIRECT = {
    # `omov demo` draws the two secrets when they are not set.
    ("cli/demo.py", "name"): {"SECRET_KEY", "OMOV_CREDENTIAL_KEY"},
    # The helpers themselves: each of their callers is scanned for the name it passes.
    ("config/env.py", "name"): set(),
}


def _is_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _read_argument(node: ast.AST) -> ast.AST | None:
    """Return the expression naming the variable if ``node`` reads the environment."""
    if isinstance(node, ast.Call):
        function = node.func
        if isinstance(function, ast.Attribute):
            if _is_environ(function.value) and function.attr in ENVIRON_METHODS:
                return node.args[0] if node.args else None
            if (
                function.attr == "getenv"
                and isinstance(function.value, ast.Name)
                and function.value.id == "os"
            ):
                return node.args[0] if node.args else None
        if isinstance(function, ast.Name) and function.id in HELPERS:
            return node.args[0] if node.args else None
    if (
        isinstance(node, ast.Subscript)
        and _is_environ(node.value)
        and isinstance(node.ctx, ast.Load)
    ):
        return node.slice
    if isinstance(node, ast.Compare) and any(_is_environ(c) for c in node.comparators):
        return node.left  # `"NAME" in os.environ`
    return None


def _constants(tree: ast.Module) -> dict[str, str]:
    found = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            for target in statement.targets:
                if isinstance(target, ast.Name) and isinstance(statement.value.value, str):
                    found[target.id] = statement.value.value
    return found


def variables_read() -> dict[str, str]:
    """Return every environment variable the code reads, with the first file that reads it."""
    found: dict[str, str] = {}
    unresolved = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _constants(tree)
        for node in ast.walk(tree):
            argument = _read_argument(node)
            if argument is None:
                continue
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                names = {argument.value}
            elif isinstance(argument, ast.Name) and argument.id in constants:
                names = {constants[argument.id]}
            elif isinstance(argument, ast.Name) and (relative, argument.id) in INDIRECT:
                names = INDIRECT[(relative, argument.id)]
            else:
                unresolved.append(f"{relative}:{node.lineno}")
                continue
            for name in names:
                found.setdefault(name, relative)
    assert not unresolved, f"Cannot tell which variable these read: {unresolved}"
    return found


def variables_documented() -> set[str]:
    """Return the variables of docs/configuration.md: the first column of its tables."""
    text = DOCUMENT.read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", text, flags=re.MULTILINE))


def test_every_variable_read_is_documented() -> None:
    missing = {
        name: where
        for name, where in variables_read().items()
        if name not in variables_documented()
    }
    assert not missing, f"Document these in docs/configuration.md: {missing}"


def test_every_variable_documented_is_read() -> None:
    stale = variables_documented() - set(variables_read())
    assert not stale, f"docs/configuration.md documents variables nothing reads: {stale}"


def test_the_scan_sees_the_settings_and_the_command_line() -> None:
    read = variables_read()
    assert read["EMAIL_HOST"] == "config/settings.py"
    assert read["OMOV_TRUSTEE_PASSPHRASE"] == "cli/_verifiable.py"
    assert read["OMOV_BIND"].startswith("cli/")
    assert len(variables_documented()) >= 30


def test_the_readme_links_to_the_configuration() -> None:
    readme = (DOCUMENT.parents[1] / "README.md").read_text(encoding="utf-8")
    assert "docs/configuration.md" in readme
