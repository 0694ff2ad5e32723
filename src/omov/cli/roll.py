"""`omov roll import|evaluate|freeze`: the roll from the command line (thin wrappers)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from omov.cli.actor import cli_actor_label
from omov.cli.django_setup import setup_django
from omov.cli.errors import CommandError, step_refused
from omov.cli.options import contest_option, reason_option


def register(subparsers: Any) -> None:
    """Add the `roll` command and its sub-commands."""
    parser = subparsers.add_parser("roll", help="Import, evaluate and freeze a contest's roll.")
    commands = parser.add_subparsers(dest="roll_command", metavar="COMMAND", required=True)

    imports = commands.add_parser(
        "import", help="Import members and supporters from a CSV file (docs/roll-import.md)."
    )
    imports.add_argument("file", type=Path, help="The roll file (CSV, UTF-8).")
    contest_option(imports)
    imports.add_argument(
        "--accept-valid",
        action="store_true",
        help="Import the valid rows even if some rows have errors (they are reported).",
    )
    imports.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="THEIRS=OURS",
        help="Read column THEIRS as our field OURS (THEIRS= ignores it); repeatable.",
    )
    imports.add_argument(
        "--mapping", type=Path, metavar="FILE", help="A JSON or TOML file of column mappings."
    )
    imports.add_argument("--quiet", action="store_true", help="No progress bar.")
    imports.set_defaults(handler=import_roll)

    evaluate = commands.add_parser("evaluate", help="Decide who may vote, and print a summary.")
    contest_option(evaluate)
    evaluate.add_argument("--quiet", action="store_true", help="No progress bar.")
    evaluate.set_defaults(handler=evaluate_roll)

    freeze = commands.add_parser("freeze", help="Freeze the roll (snapshot the decisions).")
    contest_option(freeze)
    reason_option(freeze)
    freeze.set_defaults(handler=freeze_roll)


def _contest(slug: str) -> Any:
    from omov.contests.models import Contest

    contest = Contest.objects.filter(slug=slug).first()
    if contest is None:
        raise CommandError(
            f"There is no contest with the slug {slug!r}; see `omov contest create`."
        )
    return contest


def _bar(total: int | None, unit: str, quiet: bool, desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        unit=unit,
        unit_scale=True,
        file=sys.stderr,
        disable=quiet,
        desc=desc,
        leave=False,
    )


def import_roll(args: argparse.Namespace) -> int:
    """Import the file; print the summary, or the per-row report and exit 1."""
    path: Path = args.file
    if not path.is_file():
        raise CommandError(f"{path}: no such file.")
    setup_django()
    from omov.core.errors import ServiceError
    from omov.electorate.importing import (
        RollFileRejected,
        load_mapping_file,
        parse_mapping_options,
    )
    from omov.electorate.services import roll_import

    try:
        mapping = load_mapping_file(args.mapping) if args.mapping else {}
        mapping.update(parse_mapping_options(args.map))
        contest = _contest(args.contest)
        with path.open("rb") as lines, _bar(path.stat().st_size, "B", args.quiet, "import") as bar:
            result = roll_import(
                source=lines,
                file_name=path.name,
                contest=contest,
                accept_valid=args.accept_valid,
                mapping=mapping,
                actor_label=cli_actor_label(),
                progress=bar.update,
            )
    except RollFileRejected as error:
        print(f"omov: {path}: {error.message}", file=sys.stderr)
        for row_error in error.errors:
            print(f"  {path}: {row_error}", file=sys.stderr)
        if error.rejected > len(error.errors):
            print(f"  … and {error.rejected - len(error.errors)} more.", file=sys.stderr)
        return 1
    except ServiceError as error:
        raise CommandError(f"{path}: {error.message}") from None
    batch = result.batch
    print(
        f"Imported {path.name}: {batch.created} created, {batch.updated} updated, "
        f"{batch.unchanged} unchanged, {batch.rejected} rejected."
    )
    if result.branches_created or result.affiliates_created:
        print(
            f"New records: {result.branches_created} branches, "
            f"{result.affiliates_created} affiliates."
        )
    for row_error in result.errors:
        print(f"  rejected {path}: {row_error}", file=sys.stderr)
    return 0


def format_table(headers: list[str], rows: list[list[Any]]) -> str:
    """Return an aligned plain-text table (numbers right-aligned)."""
    cells = [headers, *[[str(cell) for cell in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for index, row in enumerate(cells):
        parts = [
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def evaluate_roll(args: argparse.Namespace) -> int:
    """Evaluate the roll and print eligible / not eligible by category."""
    setup_django()
    from omov.core.errors import ServiceError
    from omov.electorate.models import Category, Person
    from omov.electorate.services import roll_evaluate

    contest = _contest(args.contest)
    try:
        with _bar(Person.objects.count(), "people", args.quiet, "evaluate") as bar:
            summary = roll_evaluate(
                contest=contest, actor_label=cli_actor_label(), progress=bar.update
            )
    except ServiceError as error:
        raise CommandError(error.message) from None
    rows: list[list[Any]] = []
    for category in Category:
        eligible, ineligible = summary.by_category.get(category.value, (0, 0))
        rows.append(
            [category.label, f"{eligible:,}", f"{ineligible:,}", f"{eligible + ineligible:,}"]
        )
    rows.append(
        [
            "Total",
            f"{summary.eligible:,}",
            f"{summary.ineligible:,}",
            f"{summary.eligible + summary.ineligible:,}",
        ]
    )
    print(format_table(["Category", "Eligible", "Not eligible", "Total"], rows))
    print(
        f"{summary.created:,} new decisions, {summary.changed:,} changed "
        f"({summary.gained:,} gained a vote, {summary.lost:,} lost one)."
    )
    return 0


def freeze_roll(args: argparse.Namespace) -> int:
    """Freeze the roll through the contest's lifecycle step."""
    setup_django()
    from omov.contests.services import contest_take_step
    from omov.core.errors import ServiceError
    from omov.electorate.models import RollEntry

    contest = _contest(args.contest)
    try:
        contest_take_step(
            contest=contest, step="freeze_roll", actor_label=cli_actor_label(), reason=args.reason
        )
    except ServiceError as error:
        raise step_refused(error) from None
    entries = RollEntry.objects.filter(contest=contest)
    print(
        f"Froze the roll of {contest.slug}: {entries.filter(is_eligible=True).count():,} eligible "
        f"of {entries.count():,}."
    )
    return 0
