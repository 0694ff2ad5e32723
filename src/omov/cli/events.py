"""`omov events list|attendance|invite|remind`: events, figures, invitations, reminders.

`invite` emails an event's invitation to the voters of the email contact list (a branch, a
region, or everyone), each once; the campaign never sees their addresses. `remind` emails
everyone with a place at an event starting within the next hours (default 24), once per RSVP, at
OMOV_EMAIL_RATE; run it hourly from cron, it carries on after an interruption. Decision 0015 is
the design. Audited as "omov events".
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from omov.cli.actor import cli_actor_label
from omov.cli.django_setup import setup_django
from omov.cli.errors import CommandError
from omov.cli.output import format_table
from omov.cli.volunteers import campaign_find


def register(subparsers: Any) -> None:
    """Add the `events` command."""
    parser = subparsers.add_parser("events", help="A campaign's events and their RSVPs.")
    commands = parser.add_subparsers(dest="events_command", metavar="COMMAND", required=True)
    for name, help_text, handler in (
        ("list", "List a campaign's events.", events_list),
        ("attendance", "Places, RSVPs and arrivals of every event.", events_attendance),
    ):
        command = commands.add_parser(name, help=help_text)
        command.add_argument(
            "--campaign",
            required=True,
            type=int,
            metavar="ID",
            help="The campaign's id (`omov campaign list` shows them).",
        )
        command.set_defaults(handler=handler)
    remind = commands.add_parser(
        "remind", help="Email a reminder to everyone with a place at an event starting soon."
    )
    remind.add_argument(
        "--campaign", type=int, metavar="ID", help="Only this campaign's events (default: all)."
    )
    remind.add_argument(
        "--hours",
        type=int,
        default=24,
        help="Remind about events starting within this many hours (default 24).",
    )
    remind.set_defaults(handler=events_remind)
    invite = commands.add_parser(
        "invite",
        help="Email an event's invitation to the voters who agreed to campaign emails (once each).",
    )
    invite.add_argument(
        "--event", required=True, type=int, metavar="ID", help="The event (`omov events list`)."
    )
    segment = invite.add_mutually_exclusive_group()
    segment.add_argument("--branch", metavar="CODE", help="Only this branch's voters.")
    segment.add_argument("--region", metavar="NAME", help="Only this region's voters.")
    invite.add_argument("--limit", type=int, help="Send at most this many in this run.")
    invite.set_defaults(handler=events_invite)


def _when(moment: dt.datetime) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def events_list(args: argparse.Namespace) -> int:
    setup_django()
    campaign = campaign_find(args.campaign)
    rows = [
        [
            str(event.pk),
            _when(event.starts_at),
            event.get_kind_display(),
            event.title,
            event.venue,
            f"satellite of {event.main_event_id}" if event.main_event_id else "main",
            "public" if event.is_public else "private",
        ]
        for event in campaign.events.order_by("starts_at", "id")
    ]
    if not rows:
        print(f"{campaign.name} has no event yet; organisers create them on its Events page.")
        return 0
    print(format_table(["id", "starts", "kind", "title", "venue", "link", "shown"], rows))
    return 0


def events_attendance(args: argparse.Namespace) -> int:
    setup_django()
    from omov.campaigns import selectors

    campaign = campaign_find(args.campaign)
    rows = []
    for main in campaign.events.filter(main_event__isnull=True).order_by("starts_at", "id"):
        linked = selectors.linked_attendance(main)
        shown = linked.rows + ([linked.total] if len(linked.rows) > 1 else [])
        for number, row in enumerate(shown):
            is_total = number == len(linked.rows)
            rows.append(
                [
                    "" if is_total else str(row.event.pk),
                    f"  all {len(linked.rows)} venues" if is_total else row.event.title,
                    "" if is_total else row.event.venue,
                    str(row.capacity),
                    str(row.confirmed),
                    str(row.waiting),
                    str(row.cancelled),
                    str(row.checked_in),
                ]
            )
    if not rows:
        print(f"{campaign.name} has no event yet.")
        return 0
    headers = ["id", "event", "venue", "places", "with place", "waiting", "cancelled", "came"]
    print(format_table(headers, rows))
    return 0


def events_remind(args: argparse.Namespace) -> int:
    if args.hours < 1:
        raise CommandError("--hours must be at least 1.")
    setup_django()
    from omov.campaigns.events import reminders_send
    from omov.core.errors import ServiceError

    campaign = campaign_find(args.campaign) if args.campaign is not None else None
    try:
        sent = reminders_send(
            campaign=campaign,
            within=dt.timedelta(hours=args.hours),
            actor_label=cli_actor_label(),
        )
    except ServiceError as error:
        raise CommandError(error.message) from None
    print(f"Emailed {sent} reminder(s)." if sent else "No reminder is due.")
    return 0


def events_invite(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise CommandError("--limit must be at least 1.")
    setup_django()
    from omov.campaigns.invitations import invitations_send
    from omov.campaigns.models import Event
    from omov.core.errors import ServiceError
    from omov.electorate.models import Branch

    event = Event.objects.select_related("campaign__contest", "campaign__candidate").filter(
        pk=args.event
    )
    found = event.first()
    if found is None:
        raise CommandError(f"There is no event {args.event}; see `omov events list`.")
    branch = None
    if args.branch:
        branch = Branch.objects.filter(code=args.branch).first()
        if branch is None:
            raise CommandError(f"There is no branch with the code {args.branch!r}.")
    try:
        sent = invitations_send(
            event=found,
            actor_label=cli_actor_label(),
            branch=branch,
            region=args.region or "",
            limit=args.limit,
        )
    except ServiceError as error:
        raise CommandError(error.message) from None
    print(
        f"Invited {sent} voter(s) to {found.title}."
        if sent
        else "Nobody is left to invite: everyone in that segment who agreed to emails has been "
        "invited already."
    )
    return 0
