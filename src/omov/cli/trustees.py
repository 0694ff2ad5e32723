"""``omov trustees``: the returning officer's side of the key ceremony, on the server.

    omov trustees appoint --contest SLUG --threshold T --trustee USER:NAME … [--mixes M]
    omov trustees status --contest SLUG        who has done what, and what the ceremony waits for
    omov trustees start-record --contest SLUG  write the parameters once every key is in
    omov trustees seal-key --contest SLUG [--leave-out-missing]

Trustees themselves run ``omov trustee`` on their own computers; their files come in through
their page or ``omov record upload``. Each action is a service of ``omov.trustees``, audited.
"""

from __future__ import annotations

import argparse
from typing import Any

from omov.cli.actor import cli_actor_label
from omov.cli.ballot import contest_by_slug
from omov.cli.django_setup import setup_django
from omov.cli.errors import CommandError
from omov.cli.options import contest_option
from omov.cli.output import format_table


def register(subparsers: Any) -> None:
    """Add the ``trustees`` sub-command and its actions."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "trustees",
        help="appoint a contest's trustees and run its key ceremony (the office's side)",
        description="Appoint a contest's trustees, start its election record, seal the joint key.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    appoint = actions.add_parser("appoint", help="appoint the trustees and the threshold")
    contest_option(appoint)
    appoint.add_argument(
        "--trustee",
        action="append",
        required=True,
        metavar="USER:NAME",
        help="a trustee's account and their name as the record shows it (once per trustee, "
        "numbered in order)",
    )
    appoint.add_argument(
        "--threshold", type=int, required=True, help="how many trustees together can decrypt"
    )
    appoint.add_argument("--mixes", type=int, default=2, help="mixes required (default 2)")
    appoint.set_defaults(handler=_appoint)

    status = actions.add_parser("status", help="who has done what, and what comes next")
    contest_option(status)
    status.set_defaults(handler=_status)

    start = actions.add_parser("start-record", help="start the record once every key is in")
    contest_option(start)
    start.set_defaults(handler=_start)

    seal = actions.add_parser("seal-key", help="close the key ceremony: the joint key")
    contest_option(seal)
    seal.add_argument(
        "--leave-out-missing",
        action="store_true",
        help="seal now, leaving out trustees who have not dealt or answered a complaint",
    )
    seal.set_defaults(handler=_seal)


def _service_error() -> type[Exception]:
    from omov.core.errors import ServiceError

    return ServiceError


def _appoint(args: argparse.Namespace) -> int:
    setup_django()
    from django.contrib.auth import get_user_model

    from omov.trustees.services import Appointment, trustees_appoint

    contest = contest_by_slug(args.contest)
    appointments = []
    for text in args.trustee:
        username, colon, name = text.partition(":")
        if not colon or not name.strip():
            raise CommandError(f"--trustee {text!r}: write the account, a colon, then the name.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--trustee {text!r}: there is no account called {username!r}.")
        appointments.append(Appointment(name=name, user=user))
    try:
        record = trustees_appoint(
            contest=contest,
            threshold=args.threshold,
            mixes_required=args.mixes,
            trustees=appointments,
            actor_label=cli_actor_label(),
        )
    except _service_error() as error:
        raise CommandError(str(error)) from error
    print(
        f"Appointed {len(appointments)} trustees for {contest.slug}; {record.threshold} of them "
        "can decrypt together. Each now runs `omov trustee init` and hands in the public file."
    )
    return 0


def _status(args: argparse.Namespace) -> int:
    setup_django()
    from omov.trustees import selectors

    contest = contest_by_slug(args.contest)
    record = selectors.record_of(contest)
    if record is None:
        print(f"{contest.slug} has no trustees: its count uses the ballot key (decision 0003).")
        return 0
    progress = selectors.ceremony_progress(record)
    rows = [
        [
            str(row["trustee"].number),
            row["trustee"].name,
            "yes" if row["has_key"] else "no",
            "yes" if row["dealt"] else "no",
            "; ".join(row["complaints"]) or "none",
        ]
        for row in progress.rows
    ]
    print(format_table(["Number", "Name", "Key in", "Dealt", "Complaints"], rows))
    print(f"Threshold {record.threshold} of {len(rows)}. Head hash: {selectors.head_hash(record)}")
    if progress.sealed:
        print(f"The joint key is sealed: {progress.public_key}")
    for wait in progress.waiting_for():
        print(f"Waiting: {wait}.")
    return 0


def _start(args: argparse.Namespace) -> int:
    setup_django()
    from omov.trustees.services import record_start

    contest = contest_by_slug(args.contest)
    try:
        entry = record_start(contest=contest, actor=None, actor_label=cli_actor_label())
    except _service_error() as error:
        raise CommandError(str(error)) from error
    print(f"Started the record of {contest.slug}. Head hash: {entry.hash}")
    return 0


def _seal(args: argparse.Namespace) -> int:
    setup_django()
    from omov.trustees.services import record_key_seal

    contest = contest_by_slug(args.contest)
    try:
        entry = record_key_seal(
            contest=contest,
            actor=None,
            actor_label=cli_actor_label(),
            leave_out_missing=args.leave_out_missing,
        )
    except _service_error() as error:
        raise CommandError(str(error)) from error
    print(f"Sealed the joint key of {contest.slug}. Head hash: {entry.hash}")
    return 0
