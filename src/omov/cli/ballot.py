"""`omov ballot open|close|count|declare --contest SLUG`: the returning officer's ballot steps.

Opening writes the ballot key to ``--key-out FILE`` (created new, readable by its owner only):
keep it offline until the count, which needs it back with ``--key FILE``. A contest with
trustees has no ballot key (its ballots are encrypted to their joint key): open it without one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from omov.cli.actor import cli_actor_label
from omov.cli.errors import CommandError, step_refused
from omov.cli.options import contest_option, reason_option

#: A ballot key file is a few hundred bytes at most; anything larger is the wrong file.
MAX_KEY_FILE_BYTES = 64 * 1024


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "ballot",
        help="open, close, count or declare a contest's ballot",
        description="Take the ballot steps of a contest: open, close, count, declare.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    opening = actions.add_parser("open", help="open the ballot and write the ballot key file")
    contest_option(opening)
    opening.add_argument(
        "--key-out",
        type=Path,
        metavar="FILE",
        help=(
            "where to write the ballot key (a new file; needed again to count); not for a "
            "contest with trustees, whose ballots are encrypted to their joint key"
        ),
    )
    reason_option(opening)
    opening.set_defaults(handler=_open)

    closing = actions.add_parser("close", help="close the ballot")
    contest_option(closing)
    reason_option(closing)
    closing.set_defaults(handler=_close)

    counting = actions.add_parser("count", help="count a closed ballot with the ballot key")
    contest_option(counting)
    counting.add_argument(
        "--key", required=True, type=Path, metavar="FILE", help="the ballot key file"
    )
    counting.set_defaults(handler=_count)

    declaring = actions.add_parser("declare", help="declare a counted result")
    contest_option(declaring)
    declaring.set_defaults(handler=declare_handler)


def contest_by_slug(slug: str) -> Any:
    """Return the contest with ``slug`` or stop with a message naming the known slugs."""
    from omov.contests.models import Contest

    contest = Contest.objects.filter(slug=slug).first()
    if contest is None:
        known = ", ".join(Contest.objects.order_by("slug").values_list("slug", flat=True)[:20])
        raise CommandError(
            f"There is no contest with the slug {slug!r}."
            + (f" Known contests: {known}." if known else " No contest exists yet.")
        )
    return contest


def _service_error() -> type[Exception]:
    from omov.core.errors import ServiceError

    return ServiceError


def _open(args: argparse.Namespace) -> int:
    from omov.cli.django_setup import setup_django

    setup_django()
    from omov.ballots.services import ballot_open

    contest = contest_by_slug(args.contest)
    path: Path | None = args.key_out
    try:
        opening = ballot_open(
            contest=contest,
            actor=None,
            actor_label=cli_actor_label(),
            key_out=path,
            reason=args.reason,
        )
    except _service_error() as error:
        raise step_refused(error) from None
    except OSError as error:
        raise CommandError(f"Cannot write the key file {path}: {error.strerror}.") from None
    opened = (
        f"The ballot of {contest.title} is open: {opening.credentials_created} credentials created."
    )
    if opening.key_path is None:
        print(f"{opened} Ballots are encrypted to the trustees' joint key; no ballot key exists.")
        return 0
    print(f"{opened} The ballot key is in {opening.key_path}.")
    print("Keep that file offline and safe: the votes cannot be counted without it.")
    return 0


def _close(args: argparse.Namespace) -> int:
    from omov.cli.django_setup import setup_django

    setup_django()
    from omov.ballots.services import ballot_close

    contest = contest_by_slug(args.contest)
    try:
        ballot_close(contest=contest, actor=None, actor_label=cli_actor_label(), reason=args.reason)
    except _service_error() as error:
        raise step_refused(error) from None
    print(f"The ballot of {contest.title} is closed.")
    from omov.ballots.selectors import contest_has_trustees

    if contest_has_trustees(contest):
        print(
            "A job adds its ballots to the election record: a worker runs it (`omov worker`, or "
            f"`omov serve --with-worker`); `omov record ballots --contest {contest.slug}` does "
            "the same by hand."
        )
    return 0


def read_key_file(path: Path) -> bytes:
    """Read a ballot key file, or stop with a message saying what is wrong with it."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise CommandError(f"There is no key file at {path}.") from None
    except OSError as error:
        raise CommandError(f"Cannot read the key file {path}: {error.strerror}.") from None
    if size > MAX_KEY_FILE_BYTES:
        raise CommandError(f"{path} is too large to be a ballot key file.")
    data = path.read_bytes()
    if not data.strip():
        raise CommandError(f"The key file {path} is empty.")
    return data


def _count(args: argparse.Namespace) -> int:
    from omov.cli.django_setup import setup_django

    setup_django()
    from omov.results.services import result_count

    contest = contest_by_slug(args.contest)
    key = read_key_file(args.key)
    try:
        result = result_count(
            contest=contest, actor=None, private_key_bytes=key, actor_label=cli_actor_label()
        )
    except _service_error() as error:
        raise CommandError(str(getattr(error, "message", error))) from None
    print(result.rounds_table, end="")
    print(
        f"Counted {contest.title}. It is a preview until declared: "
        f"omov ballot declare --contest {contest.slug}"
    )
    return 0


def declare_handler(args: argparse.Namespace) -> int:
    """Declare the result of a counted contest."""
    from omov.cli.django_setup import setup_django

    setup_django()
    from omov.results.services import result_declare

    contest = contest_by_slug(args.contest)
    try:
        result = result_declare(contest=contest, actor=None, actor_label=cli_actor_label())
    except _service_error() as error:
        raise CommandError(str(getattr(error, "message", error))) from None
    print(f"Declared {contest.title}: elected {', '.join(result.elected)}.", file=sys.stdout)
    return 0
