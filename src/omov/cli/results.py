"""`omov results --contest SLUG --json OUT` and `omov declare --contest SLUG`.

``omov results`` writes the stored result of a counted contest: ``--json`` (rounds, categories,
spoilt, turnout, elected: format omov.results/1), ``--csv`` (rounds), ``--blt`` (the anonymised
ballots, for ``omov count``) and ``--pdf`` (the printable declaration). ``-`` writes to standard
output. Each file is written whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from omov.cli.ballot import contest_by_slug
from omov.cli.errors import CommandError
from omov.cli.options import contest_option


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "results",
        help="export a counted contest's result (JSON, CSV, BLT, PDF)",
        description="Write the stored result of a counted contest to files.",
    )
    contest_option(parser)
    parser.add_argument("--json", type=str, metavar="OUT", help="the full result as JSON")
    parser.add_argument("--csv", type=str, metavar="OUT", help="the rounds as CSV")
    parser.add_argument("--blt", type=str, metavar="OUT", help="the anonymised ballots as BLT")
    parser.add_argument("--pdf", type=str, metavar="OUT", help="the printable declaration")
    parser.set_defaults(handler=_results)


def _results(args: argparse.Namespace) -> int:
    outputs = {kind: getattr(args, kind) for kind in ("json", "csv", "blt", "pdf")}
    outputs = {kind: target for kind, target in outputs.items() if target}
    if not outputs:
        raise CommandError("Say what to write: --json OUT, --csv OUT, --blt OUT and/or --pdf OUT.")
    if sum(1 for target in outputs.values() if target == "-") > 1:
        raise CommandError("Only one output can go to standard output (-).")
    if outputs.get("pdf") == "-":
        raise CommandError("Write the PDF to a file, not to standard output.")
    for target in outputs.values():
        if target != "-" and not Path(target).parent.resolve().is_dir():
            raise CommandError(f"Cannot write {target}: its folder does not exist.")

    from omov.cli.django_setup import setup_django

    setup_django()
    from omov.core.csv_safety import csv_text_neutralise
    from omov.results import exports, selectors

    contest = contest_by_slug(args.contest)
    result = selectors.result_for(contest)
    if result is None:
        raise CommandError(
            f"{contest.title} has not been counted yet; count it with "
            f"`omov ballot count --contest {contest.slug} --key FILE`."
        )
    if contest.status != "declared":
        print(
            f"omov: preview: the result of {contest.title} has not been declared yet.",
            file=sys.stderr,
        )
    contents: dict[str, bytes] = {}
    for kind in outputs:
        if kind == "json":
            document = selectors.results_document(result)
            text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
            contents[kind] = text.encode("utf-8")
        elif kind == "csv":
            # No cell may run as a spreadsheet formula (omov.core.csv_safety).
            contents[kind] = csv_text_neutralise(result.rounds_csv).encode("utf-8")
        elif kind == "blt":
            contents[kind] = result.ballots_blt.encode("utf-8")
        else:
            contents[kind] = exports.declaration_pdf(selectors.declaration_for(result))
    for kind, target in outputs.items():
        if target == "-":
            sys.stdout.write(contents[kind].decode("utf-8"))
        else:
            _write_whole(Path(target), contents[kind])
            print(f"Wrote {kind.upper()} to {target}.", file=sys.stderr)
    return 0


def _write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, so it is never half-written."""
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as error:
        raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
