"""Entry point of the `omov` command.

Each sub-command lives in its own module in this package and exposes
``register(subparsers) -> None``, which adds its parser and sets ``handler`` (a callable taking the
parsed ``argparse.Namespace`` and returning an exit code). Modules are discovered, so adding a
command never edits this file. Sub-commands that need Django call
``omov.cli.django_setup.setup_django()`` inside their handler, never at import time, so
``omov count`` stays a pure, Django-free command.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import cast

# Before numpy is first imported (by omov.count below): omov does no linear algebra, and
# OpenBLAS's idle worker threads otherwise spin at start-up and take a core from a short
# command such as `omov count` on a busy machine (about 80 ms of CPU a process, measured).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import omov
from omov.cli.errors import CommandError
from omov.count.errors import CountInputError

_NOT_COMMANDS = frozenset({"main", "errors", "django_setup", "options", "output"})


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the top-level parser with every discovered sub-command.

    Given the ``command`` about to run, only the module of that name is imported when it
    registers that command: ``omov count`` then starts without loading the other commands'
    libraries (the verifiable ballot's, Django's settings), which is a third of its start-up.
    Any other case (no command, ``--help``, a command registered by a module of another name)
    builds the whole parser.
    """
    names = _command_modules()
    if command is not None:
        module_name = command.replace("-", "_")
        if module_name in names:
            parser = _parser_with([module_name])
            if command in _subparsers(parser).choices:
                return parser
    return _parser_with(names)


def _command_modules() -> list[str]:
    package_path = list(importlib.import_module("omov.cli").__path__)
    return [
        module_info.name
        for module_info in sorted(pkgutil.iter_modules(package_path), key=lambda m: m.name)
        if not module_info.name.startswith("_") and module_info.name not in _NOT_COMMANDS
    ]


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return action


def _parser_with(module_names: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omov",
        description="One member, one vote: run a membership organisation's election.",
    )
    parser.add_argument("--version", action="version", version=f"omov {omov.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in module_names:
        module = importlib.import_module(f"omov.cli.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    command = arguments[0] if arguments and not arguments[0].startswith("-") else None
    parser = build_parser(command)
    args = parser.parse_args(arguments)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return cast(Callable[[argparse.Namespace], int], handler)(args)
    except CountInputError as error:
        print(f"omov: {error.describe()}", file=sys.stderr)
        return 2
    except CommandError as error:
        print(f"omov: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("omov: interrupted.", file=sys.stderr)
        return 130
    except Exception as error:
        message = database_problem(error)
        if message is None:
            raise
        print(f"omov: {message}", file=sys.stderr)
        return 1


#: Where the errors of the database layer come from; such an error is the installation's state
#: (no server, wrong address, a locked or read-only file), which the user can fix, not a bug.
_DATABASE_ERROR_MODULES = ("django.db", "psycopg", "sqlite3")


def database_problem(error: Exception) -> str | None:
    """Return a one-line message for a database error, or None for anything else.

    Only the class's module is looked at, so `omov count` never imports Django to find out.
    """
    module = type(error).__module__ or ""
    if not module.startswith(_DATABASE_ERROR_MODULES):
        return None
    detail = " ".join(str(error).split()) or type(error).__name__
    return (
        f"the database could not be used ({detail}). Check DATABASE_URL (or OMOV_DATA_DIR for "
        "SQLite), that the database server is running, and that you may write to it."
    )


if __name__ == "__main__":
    sys.exit(main())
