"""Everything done from the command line is audited under one label, naming account and machine."""

from __future__ import annotations

import ast
import getpass
import socket
from pathlib import Path

import pytest

import omov.cli
from omov.cli.actor import cli_actor_label

CLI = Path(omov.cli.__file__).resolve().parent


def test_the_label_names_the_account_and_the_machine() -> None:
    assert cli_actor_label() == f"command line ({getpass.getuser()}@{socket.gethostname()})"


def test_without_an_account_or_machine_the_label_still_says_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unknown() -> str:
        raise KeyError("no such user")

    monkeypatch.setattr(getpass, "getuser", unknown)
    monkeypatch.setattr(socket, "gethostname", lambda: "")
    assert cli_actor_label() == "command line"


def test_no_command_passes_its_own_actor_label() -> None:
    """Every `actor_label=` in omov.cli is `cli_actor_label()`, never a string of its own."""
    own = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg != "actor_label":
                    continue
                value = keyword.value
                is_helper = (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and value.func.id == "cli_actor_label"
                )
                is_local = isinstance(value, ast.Name) and value.id == "label"
                if not (is_helper or is_local):
                    own.append(f"{path.name}:{node.lineno}")
    assert not own, f"Use omov.cli.actor.cli_actor_label() at {own}"
