"""`omov credentials`: preview, email credentials, print letters, resend, send reminders.

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
    """Add `omov credentials preview|send|letters|resend|remind`."""
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

    preview = actions.add_parser(
        "preview",
        help="Print one credential email as it will be sent and write one sample letter "
        "(a made-up voter, never a real code).",
    )
    contest_option(preview)
    preview.add_argument(
        "--letter-out",
        type=Path,
        metavar="FILE",
        help="Write the sample letter to this new PDF file.",
    )
    preview.set_defaults(handler=preview_credentials)

    resend = actions.add_parser(
        "resend",
        help="After a mistake: fresh credentials for every voter who has not voted (the old "
        "ones stop working), then email them; resumable.",
    )
    contest_option(resend)
    resend.add_argument(
        "--not-voted",
        action="store_true",
        required=True,
        help="Required: replaces the credential of every voter who has not voted yet.",
    )
    resend.add_argument("--reason", required=True, help="Why, for the audit trail.")
    resend.add_argument(
        "--rate", type=float, help="Messages per second (default: OMOV_EMAIL_RATE)."
    )
    resend.add_argument(
        "--batch-size",
        type=int,
        default=500,
        metavar="N",
        help="Messages committed together as one resumable batch (default 500).",
    )
    resend.set_defaults(handler=resend_credentials)

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


def preview_credentials(args: argparse.Namespace) -> int:
    setup_django()
    from omov.ballots import services
    from omov.core.errors import ServiceError

    contest = _contest(args.contest)
    target = args.letter_out
    if target is not None:
        if target.exists():
            raise CommandError(f"{target} already exists; give a new file name for the letter.")
        if not target.parent.is_dir():
            raise CommandError(f"The folder {target.parent} does not exist; create it first.")
    try:
        preview = services.credentials_preview(contest=contest)
    except ServiceError as error:
        raise CommandError(error.message) from error
    print("One credential email as it will be sent (a made-up voter, not a real code):")
    print(f"From: {preview.from_email}\nTo: {preview.to}\nSubject: {preview.subject}\n")
    print(preview.text.rstrip())
    print(f"\nThe link every voter gets: {preview.link}")
    if target is not None:
        target.write_bytes(preview.letter_pdf)
        print(f"Wrote a sample letter to {target}.")
    for problem in preview.problems:
        print(f"Before printing letters: {problem}.")
    return 0


def resend_credentials(args: argparse.Namespace) -> int:
    setup_django()
    from omov.ballots import services
    from omov.core.errors import ServiceError

    contest = _contest(args.contest)
    try:
        counts = services.credentials_resend(
            contest=contest, actor_label=cli_actor_label(), reason=args.reason
        )
    except ServiceError as error:
        raise CommandError(error.message) from error
    print(
        f"Replaced {counts.total} credentials of voters who have not voted; the old ones no "
        "longer work."
    )
    with _progress(counts.emails, "email") as bar:
        try:
            sent = services.credentials_send(
                contest=contest,
                actor_label=cli_actor_label(),
                rate=args.rate,
                batch_size=args.batch_size,
                progress=bar.update,
            )
        except ServiceError as error:
            raise CommandError(
                f"{error.message} Run `omov credentials send --contest {contest.slug}` to finish."
            ) from error
    print(
        f"Emailed {sent} fresh credentials; {services.credentials_pending(contest)} still to send."
    )
    if counts.letters:
        print(
            f"{counts.letters} voters get a fresh letter: print them with `omov credentials "
            f"letters --contest {contest.slug} --out FILE.pdf`."
        )
    print(
        "If this is interrupted, finish with `omov credentials send` (not another resend: "
        "it would be refused while credentials wait to go out)."
    )
    return 0
