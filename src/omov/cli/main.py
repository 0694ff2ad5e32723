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
import pkgutil
import sys
from collections.abc import Callable, Sequence
from typing import cast

import omov
from omov.cli.errors import CommandError
from omov.count.errors import CountInputError

_NOT_COMMANDS = frozenset({"main", "errors", "django_setup", "options", "output"})


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every discovered sub-command."""
    parser = argparse.ArgumentParser(
        prog="omov",
        description="One member, one vote: run a membership organisation's election.",
    )
    parser.add_argument("--version", action="version", version=f"omov {omov.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    package_path = list(importlib.import_module("omov.cli").__path__)
    for module_info in sorted(pkgutil.iter_modules(package_path), key=lambda m: m.name):
        if module_info.name.startswith("_") or module_info.name in _NOT_COMMANDS:
            continue
        module = importlib.import_module(f"omov.cli.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
