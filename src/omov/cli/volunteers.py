"""`omov volunteers import FILE --campaign ID [--accept-valid]`.

Reads a CSV of volunteers (name, email, phone, area, availability), checks every row as the
public sign-up form does and reports the bad ones line by line. With any bad row it imports
nothing unless asked to accept the valid rows. Audited as "omov volunteers".
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from omov.cli.actor import cli_actor_label
from omov.cli.django_setup import setup_django
from omov.cli.errors import CommandError


def register(subparsers: Any) -> None:
    """Add the `volunteers` command."""
    parser = subparsers.add_parser("volunteers", help="A campaign's volunteers.")
    commands = parser.add_subparsers(dest="volunteers_command", metavar="COMMAND", required=True)
    importing = commands.add_parser(
        "import",
        help="Import a CSV of volunteers (columns name, email, phone, area, availability).",
    )
    importing.add_argument("file", type=Path, metavar="FILE", help="The CSV file (UTF-8).")
    importing.add_argument(
        "--campaign",
        required=True,
        type=int,
        metavar="ID",
        help="The campaign's id (`omov campaign list` shows them).",
    )
    importing.add_argument(
        "--accept-valid",
        action="store_true",
        help="Import the valid rows even if some rows are bad (they are reported and left out).",
    )
    importing.set_defaults(handler=volunteers_import)


def campaign_find(campaign_id: int) -> Any:
    """Return the campaign with this id, or stop with what to do."""
    from omov.campaigns.models import Campaign

    campaign = Campaign.objects.select_related("contest", "candidate").filter(pk=campaign_id)
    found = campaign.first()
    if found is None:
        raise CommandError(f"There is no campaign {campaign_id}; see `omov campaign list`.")
    return found


def volunteers_import(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: there is no such file.") from None
    except UnicodeDecodeError as error:
        raise CommandError(
            f"{path}: byte {error.start} is not UTF-8. Save the file as CSV UTF-8 and try again."
        ) from None
    except OSError as error:
        raise CommandError(f"{path}: {error.strerror}.") from None
    setup_django()
    from omov.campaigns.volunteers import volunteers_import as run_import
    from omov.core.errors import ServiceError

    campaign = campaign_find(args.campaign)
    try:
        report = run_import(
            campaign=campaign,
            text=text,
            accept_valid=args.accept_valid,
            actor_label=cli_actor_label(),
        )
    except ServiceError as error:
        raise CommandError(f"{path}: {error.message}") from None
    for line, problem in report.problems:
        print(f"{path}, line {line}: {problem}", file=sys.stderr)
    if report.problems and not report.imported:
        raise CommandError(
            f"Nothing imported: {len(report.problems)} row(s) have problems (listed above). Fix "
            f"them, or run again with --accept-valid to import the {report.valid} valid row(s)."
        )
    left_out = f"; {len(report.problems)} bad row(s) left out" if report.problems else ""
    print(
        f"Imported {report.imported} volunteer(s) into {campaign.name}{left_out}. They wait for "
        "an organiser's decision on the Volunteers page."
    )
    return 0
