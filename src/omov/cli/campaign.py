"""`omov campaign create|list|release-roll|erase` and `omov phonebank export`.

The commands act as an operator with shell access (audited as "omov campaign"); they parse, call
the campaigns' services and print. Decision 0014 says what campaigns may see.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from omov.cli.actor import cli_actor_label
from omov.cli.django_setup import setup_django
from omov.cli.errors import CommandError
from omov.cli.options import contest_option


def register(subparsers: Any) -> None:
    """Add the `campaign` and `phonebank` commands."""
    parser = subparsers.add_parser("campaign", help="The candidates' campaigns.")
    commands = parser.add_subparsers(dest="campaign_command", metavar="COMMAND", required=True)
    create = commands.add_parser("create", help="Create a nominated candidate's campaign.")
    contest_option(create)
    create.add_argument(
        "--candidate", required=True, metavar="NAME", help="The nominated candidate's name."
    )
    create.add_argument(
        "--name", default="", help="The campaign's name (default: the candidate's)."
    )
    create.set_defaults(handler=campaign_create)
    listing = commands.add_parser("list", help="List the campaigns and their figures.")
    listing.add_argument(
        "--contest", metavar="SLUG", help="Only this contest's campaigns (its slug)."
    )
    listing.set_defaults(handler=campaign_list)
    release = commands.add_parser(
        "release-roll", help="Release the frozen roll's contact list to every campaign at once."
    )
    contest_option(release)
    release.add_argument(
        "--retention-days",
        type=int,
        default=30,
        help="Days after the declaration before canvass data is erased (default 30).",
    )
    release.set_defaults(handler=release_roll)
    erase = commands.add_parser(
        "erase", help="Erase a contest's canvass data once its retention period has run out."
    )
    which = erase.add_mutually_exclusive_group(required=True)
    which.add_argument("--contest", metavar="SLUG", help="The contest's slug.")
    which.add_argument(
        "--due", action="store_true", help="Erase every contest that is due (run daily from cron)."
    )
    erase.add_argument(
        "--now", action="store_true", help="Erase before the retention period ends (audited)."
    )
    erase.set_defaults(handler=campaign_erase)

    phonebank = subparsers.add_parser("phonebank", help="A campaign's phone bank.")
    bank_commands = phonebank.add_subparsers(
        dest="phonebank_command", metavar="COMMAND", required=True
    )
    export = bank_commands.add_parser("export", help="Export a campaign's calls as CSV.")
    export.add_argument(
        "--campaign",
        required=True,
        type=int,
        metavar="ID",
        help="The campaign's id (`omov campaign list` shows them).",
    )
    export.add_argument("--out", required=True, type=Path, metavar="FILE", help="'-' for stdout.")
    export.set_defaults(handler=phonebank_export)


def _contest(slug: str) -> Any:
    from omov.contests.models import Contest

    contest = Contest.objects.filter(slug=slug).first()
    if contest is None:
        raise CommandError(f"There is no contest with the slug {slug!r}; see `omov campaign list`.")
    return contest


def campaign_create(args: argparse.Namespace) -> int:
    setup_django()
    from omov.campaigns import services
    from omov.core.errors import ServiceError

    contest = _contest(args.contest)
    candidate = contest.candidates.filter(name=args.candidate).first()
    if candidate is None:
        names = ", ".join(contest.candidates.values_list("name", flat=True))
        raise CommandError(f"{contest.slug} has no candidate named {args.candidate!r} ({names}).")
    try:
        campaign = services.campaign_create(
            candidate=candidate, actor_label=cli_actor_label(), name=args.name
        )
    except ServiceError as error:
        raise CommandError(error.message) from None
    print(f"{campaign.pk}\t{campaign.name}")
    return 0


def campaign_list(args: argparse.Namespace) -> int:
    setup_django()
    from omov.campaigns.models import Campaign

    campaigns = Campaign.objects.select_related("contest", "candidate").order_by(
        "contest__slug", "candidate__ballot_position"
    )
    if args.contest:
        campaigns = campaigns.filter(contest=_contest(args.contest))
    print("id\tcontest\tcampaign\tcalls\treleased")
    for campaign in campaigns:
        release = getattr(campaign.contest, "roll_release", None)
        released = f"{release.roll_released_at:%Y-%m-%d %H:%M}" if release else "not yet"
        print(
            f"{campaign.pk}\t{campaign.contest.slug}\t{campaign.name}\t"
            f"{campaign.calls.count()}\t{released}"
        )
    return 0


def release_roll(args: argparse.Namespace) -> int:
    setup_django()
    from omov.campaigns import selectors, services
    from omov.core.errors import ServiceError

    contest = _contest(args.contest)
    try:
        services.roll_release(
            contest=contest, actor_label=cli_actor_label(), retention_days=args.retention_days
        )
    except ServiceError as error:
        raise CommandError(error.message) from None
    contacts = selectors.contact_list(contest).count()
    print(f"Released the roll of {contest.slug} to every campaign: {contacts:,} phone contacts.")
    return 0


def campaign_erase(args: argparse.Namespace) -> int:
    setup_django()
    from omov.campaigns.retention import canvass_erase
    from omov.campaigns.tasks import canvass_erase_due
    from omov.core.errors import ServiceError

    if args.due:
        erased = canvass_erase_due(actor_label=cli_actor_label())
        print(f"Erased the canvass data of {', '.join(erased)}." if erased else "Nothing is due.")
        return 0
    contest = _contest(args.contest)
    try:
        deleted = canvass_erase(contest=contest, actor_label=cli_actor_label(), force=args.now)
    except ServiceError as error:
        raise CommandError(error.message) from None
    print(
        f"Erased {deleted['calls']:,} calls, {deleted['claims']:,} claims and "
        f"{deleted['targets']:,} call-list entries of {contest.slug}; aggregate figures kept."
    )
    return 0


def phonebank_export(args: argparse.Namespace) -> int:
    """Stream the calls to FILE (written beside it and renamed, mode 0600) or to stdout."""
    setup_django()
    from omov.campaigns.exports import calls_export
    from omov.campaigns.models import Campaign
    from omov.core.errors import ServiceError

    campaign = Campaign.objects.select_related("contest", "candidate").filter(pk=args.campaign)
    found = campaign.first()
    if found is None:
        raise CommandError(f"There is no campaign {args.campaign}; see `omov campaign list`.")
    out: Path = args.out
    try:
        if str(out) == "-":
            rows = calls_export(campaign=found, out=sys.stdout, actor_label=cli_actor_label())
        else:
            directory = out.resolve().parent
            if not directory.is_dir():
                raise CommandError(f"{out}: the folder {directory} does not exist.")
            handle, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=".csv")
            try:
                with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                    rows = calls_export(campaign=found, out=stream, actor_label=cli_actor_label())
                os.replace(temporary, out)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
    except ServiceError as error:
        raise CommandError(error.message) from None
    if str(out) != "-":
        print(f"Wrote {rows:,} calls of {found.name} to {out}.", file=sys.stderr)
    return 0
