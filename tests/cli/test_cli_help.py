"""Every `omov` command explains itself: help texts, one metavar per concept, no duplicates."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

import pytest

from omov.cli.main import build_parser, database_problem, main

#: One metavar per concept: an option of this name always shows this metavar.
METAVARS = {"--contest": "SLUG", "--key": "FILE", "--key-out": "FILE", "--out": "FILE"}


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _commands(child, (*path, name))


COMMANDS = list(_commands(build_parser()))
#: `omov manage --help` is Django's help (tested below), not argparse's.
HELPED = [(path, parser) for path, parser in COMMANDS if path != ("manage",)]


def _options(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if action.option_strings and not isinstance(
            action, argparse._HelpAction | argparse._VersionAction
        ):
            yield action


@pytest.mark.parametrize(
    ("path", "parser"), COMMANDS, ids=[" ".join(p) or "omov" for p, _ in COMMANDS]
)
def test_every_option_has_help_text_and_the_house_metavar(
    path: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    for action in _options(parser):
        assert action.help, f"omov {' '.join(path)} {action.option_strings[0]} has no help text"
        for option, metavar in METAVARS.items():
            # `omov count --contest ID` picks a contest inside a ballot file: another concept;
            # `omov record export --out DIR` writes a directory (the record's layout), not a file.
            if option in action.option_strings and path not in {("count",), ("record", "export")}:
                assert action.metavar == metavar, f"omov {' '.join(path)} {option}"


@pytest.mark.parametrize(("path", "parser"), HELPED, ids=[" ".join(p) or "omov" for p, _ in HELPED])
def test_every_command_prints_its_help(path: tuple[str, ...], parser: Any, capsys: Any) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*path, "--help"])
    assert exit_info.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_no_two_commands_do_the_same_step() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert "ballot open" in names and "ballot declare" in names
    assert "credentials open-ballot" not in names
    assert "declare" not in names


def test_manage_passes_help_to_django(capsys: Any) -> None:
    assert main(["manage", "--help"]) == 0
    assert "Available subcommands" in capsys.readouterr().out


def test_a_database_error_is_one_line_and_anything_else_is_not_hidden() -> None:
    from django.db import OperationalError

    message = database_problem(OperationalError("no such table: contests_contest"))
    assert message is not None and "\n" not in message
    assert "no such table: contests_contest" in message and "DATABASE_URL" in message
    assert database_problem(ValueError("a bug")) is None


def test_roles_grant_help_lists_every_role_name(capsys: Any) -> None:
    from omov.cli.roles import ROLE_NAMES
    from omov.core.models import Role

    assert tuple(Role.values) == ROLE_NAMES
    with pytest.raises(SystemExit):
        main(["roles", "grant", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    for name in Role.values:
        assert name in help_text
