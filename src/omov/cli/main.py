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

_NOT_COMMANDS = frozenset({"main", "errors", "django_setup"})


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


if __name__ == "__main__":
    sys.exit(main())
