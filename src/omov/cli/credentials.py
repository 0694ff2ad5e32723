"""`omov credentials`: email credentials, print letters, send reminders.

The ballot itself is opened with `omov ballot open`, which issues the credentials.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from omov.cli.actor import cli_actor_label
from omov.cli.django_setup import setup_django
from omov.cli.errors import CommandError
from omov.cli.options import contest_option
from omov.cli.output import progress_bar


def register(subparsers: Any) -> None:
    """Add `omov credentials send|letters|remind`."""
    parser = subparsers.add_parser(
        "credentials", help="Deliver voters' credentials (open the ballot with `omov ballot open`)."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    send = actions.add_parser("send", help="Email every unsent credential (resumable).")
    contest_option(send)
    send.add_argument("--rate", type=float, help="Messages per second (default: OMOV_EMAIL_RATE).")
    send.add_argument(
        "--batch-size",
        type=int,
        default=500,
        metavar="N",
        help="Messages committed together as one resumable batch (default 500).",
    )
    send.add_argument("--limit", type=int, help="Stop after this many messages.")
    send.set_defaults(handler=send_credentials)

    letters = actions.add_parser("letters", help="Print the letters for voters without email.")
    contest_option(letters)
    letters.add_argument(
        "--out", required=True, type=Path, metavar="FILE", help="New PDF file (0600)."
    )
    letters.set_defaults(handler=print_letters)

    remind = actions.add_parser("remind", help="Remind emailed voters who have not voted.")
    contest_option(remind)
    remind.add_argument("--round", type=int, default=1, help="Reminder round (1, 2, ...).")
    remind.add_argument(
        "--rate", type=float, help="Messages per second (default: OMOV_EMAIL_RATE)."
    )
    remind.set_defaults(handler=send_reminders)


def _contest(slug: str) -> Any:
    from omov.contests.models import Contest

    contest = Contest.objects.filter(slug=slug).first()
    if contest is None:
        raise CommandError(f"There is no contest with the slug {slug!r}.")
    return contest


def _progress(total: int, unit: str) -> Any:
    """One bar on the terminal; none while the mail itself is printed to the console."""
    from django.conf import settings

    mail_on_console = "console" in str(settings.EMAIL_BACKEND).lower()
    return progress_bar(total, unit, shown=not mail_on_console)


def send_credentials(args: argparse.Namespace) -> int:
    setup_django()
    from omov.ballots import services
    from omov.core.errors import ServiceError

    contest = _contest(args.contest)
    pending = services.credentials_pending(contest)
    with _progress(pending, "email") as bar:
        try:
            sent = services.credentials_send(
                contest=contest,
                actor_label=cli_actor_label(),
                rate=args.rate,
                batch_size=args.batch_size,
                limit=args.limit,
                progress=bar.update,
            )
        except ServiceError as error:
            raise CommandError(error.message) from error
    print(f"Emailed {sent:,} credentials; {services.credentials_pending(contest):,} still to send.")
    return 0


def print_letters(args: argparse.Namespace) -> int:
    setup_django()
    from omov.ballots import services
    from omov.core.errors import ServiceError

    contest = _contest(args.contest)
    try:
        printed = services.letters_print(
            contest=contest, path=args.out, actor_label=cli_actor_label()
        )
    except ServiceError as error:
        raise CommandError(error.message) from error
    if printed:
        print(f"Printed {printed:,} letters to {args.out}. Delete the file once it is printed.")
    else:
        print("Every letter has already been printed; reissue a credential to print one again.")
    return 0


def send_reminders(args: argparse.Namespace) -> int:
    setup_django()
    from omov.ballots import services
    from omov.ballots.models import Credential
    from omov.core.errors import ServiceError

    contest = _contest(args.contest)
    waiting = Credential.objects.filter(
        contest=contest, delivery="email", has_voted=False, issued_at__isnull=False
    ).count()
    with _progress(waiting, "email") as bar:
        try:
            sent = services.reminders_send(
                contest=contest,
                round_number=args.round,
                actor_label=cli_actor_label(),
                rate=args.rate,
                progress=bar.update,
            )
        except ServiceError as error:
            raise CommandError(error.message) from error
    print(f"Sent {sent:,} reminders (round {args.round}).")
    return 0
