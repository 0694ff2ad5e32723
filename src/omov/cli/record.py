"""``omov record``: build an election record from files, checking each entry before it is added.

    omov record init DIR --election NAME --threshold T --trustee PUBLIC.json … --options FILE
    omov record append DIR FILE          add a trustee's dealing, complaint, answer, mix or shares
    omov record seal-key DIR             close the key ceremony: qualified dealers, the joint key
    omov record add-ballots DIR --choices FILE [--channel online|paper]
    omov record tally DIR                combine the decryption shares into the decoded ballots
    omov record export --contest SLUG --out DIR     a contest's record, from the database
    omov record upload --contest SLUG FILE --trustee N   hand in a trustee's file for them
    omov record ballots --contest SLUG             a closed contest's ballots into its record

``export``, ``upload`` and ``ballots`` work on a contest's record in the database (decision
0017) and start Django inside their handlers; the others work on a directory and never do.

Every entry is checked with ``omov verify``'s rules against the whole record before it is
written; a bad one is refused with the check that failed, and nothing in the record changes.
``add-ballots`` encrypts plain choices to the joint key: the server's part, used here by tests
and demonstrations until the ballots app writes the record itself.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from omov.cli._verifiable import Progress, add_workers_option, lines_read, mapper_for, record_load
from omov.cli.actor import cli_actor_label
from omov.cli.errors import CommandError
from omov.cli.options import contest_option
from omov.verifiable.ceremony import (
    ballots_entry,
    entry_check_and_append,
    key_entry,
    parameters_entry,
    result_entry,
)
from omov.verifiable.record import RecordError


def register(subparsers: Any) -> None:
    """Add the ``record`` sub-command and its actions."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "record",
        help="build an election record (key ceremony, ballots, mixes, decryption)",
        description="Build an election record, checking each entry before it is added.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    init = actions.add_parser("init", help="start a record with the election's parameters")
    init.add_argument("directory", metavar="DIR", type=Path)
    init.add_argument("--election", required=True, help="the election's name")
    init.add_argument("--threshold", type=int, required=True, help="trustees needed to decrypt")
    init.add_argument(
        "--trustee",
        action="append",
        type=Path,
        required=True,
        metavar="PUBLIC.json",
        help="a trustee's public file from `omov trustee init` (once per trustee)",
    )
    init.add_argument(
        "--options",
        type=Path,
        required=True,
        help="a JSON list of the possible choices (rankings) a ballot can hold",
    )
    init.add_argument("--mixes", type=int, default=2, help="mixes required (default 2)")
    init.set_defaults(handler=_init)

    append = actions.add_parser("append", help="check a trustee's file and add it")
    append.add_argument("directory", metavar="DIR", type=Path)
    append.add_argument("file", metavar="FILE", type=Path)
    append.set_defaults(handler=_append_file)

    seal = actions.add_parser("seal-key", help="close the key ceremony and publish the joint key")
    seal.add_argument("directory", metavar="DIR", type=Path)
    seal.set_defaults(handler=_seal_key)

    ballots = actions.add_parser(
        "add-ballots", help="encrypt choices to the joint key and add them"
    )
    ballots.add_argument("directory", metavar="DIR", type=Path)
    ballots.add_argument(
        "--choices",
        type=Path,
        required=True,
        help="a JSON list of option indices (0-based), one per ballot",
    )
    ballots.add_argument(
        "--channel",
        choices=("online", "paper"),
        default="online",
        help="how these ballots were cast (default: online)",
    )
    ballots.set_defaults(handler=_add_ballots)

    tally = actions.add_parser("tally", help="combine the decryption shares into the result")
    tally.add_argument("directory", metavar="DIR", type=Path)
    tally.set_defaults(handler=_tally)

    export = actions.add_parser(
        "export", help="write a contest's record from the database as a directory"
    )
    contest_option(export)
    export.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="the directory to write (new or empty); `omov verify DIR` checks it",
    )
    export.set_defaults(handler=_export)

    upload = actions.add_parser(
        "upload", help="check a trustee's file and add it to a contest's record"
    )
    contest_option(upload)
    upload.add_argument("file", metavar="FILE", type=Path, help="the file the trustee handed in")
    upload.add_argument(
        "--trustee", type=int, required=True, metavar="N", help="the number of the trustee"
    )
    upload.set_defaults(handler=_upload)

    stored = actions.add_parser(
        "ballots",
        help="add a closed contest's encrypted ballots to its record (if the close's job failed)",
    )
    contest_option(stored)
    stored.set_defaults(handler=_stored_ballots)

    for action in (append, seal, ballots, tally):
        action.add_argument("--quiet", action="store_true", help="print no progress")
        add_workers_option(action)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    except ValueError as error:
        raise CommandError(f"{path} is not JSON: {error}") from error


def _append(directory: Path, state: Any, kind: str, name: str, lines: list[str]) -> int:
    try:
        link = entry_check_and_append(directory, state, kind, name, lines)
    except RecordError as error:
        raise CommandError(f"refused, nothing was added: {error}", exit_code=1) from error
    print(f"Added {link.file}. Head hash: {link.hash}")
    return 0


def _init(args: argparse.Namespace) -> int:
    if (args.directory / "chain.jsonl").exists():
        raise CommandError(f"{args.directory} already holds a record.")
    trustees = []
    for path in args.trustee:
        value = _read_json(path)
        if not isinstance(value, dict) or not {"number", "name", "communication_key"} <= set(value):
            raise CommandError(f"{path} is not a trustee's public file from `omov trustee init`.")
        trustees.append(value)
    options = _read_json(args.options)
    if not isinstance(options, list) or not options:
        raise CommandError(f"{args.options} must be a non-empty JSON list of choices.")
    lines = parameters_entry(
        election=args.election,
        threshold=args.threshold,
        trustees=trustees,
        options=options,
        mixes_required=args.mixes,
    )
    return _append(args.directory, None, "parameters", "parameters", lines)


def _append_file(args: argparse.Namespace) -> int:
    kind, lines = lines_read(args.file)
    with mapper_for(args.workers) as mapper:
        state = record_load(args.directory, mapper, Progress(quiet=args.quiet))
        name = _entry_name(kind, lines)
        return _append(args.directory, state, kind, name, lines)


def _entry_name(kind: str, lines: list[str]) -> str:
    header = json.loads(lines[0])
    for field in ("dealer", "mixer", "trustee"):
        if isinstance(header.get(field), int):
            extra = f"-{header['recipient']}" if isinstance(header.get("recipient"), int) else ""
            return f"{kind}-{header[field]}{extra}"
    return kind


def _seal_key(args: argparse.Namespace) -> int:
    with mapper_for(args.workers) as mapper:
        state = record_load(args.directory, mapper, Progress(quiet=args.quiet))
        return _append(args.directory, state, "key", "key", key_entry(state))


def _add_ballots(args: argparse.Namespace) -> int:
    choices = _read_json(args.choices)
    if not isinstance(choices, list):
        raise CommandError(f"{args.choices} must be a JSON list of option indices.")
    with mapper_for(args.workers) as mapper:
        state = record_load(args.directory, mapper, Progress(quiet=args.quiet))
        rows = []
        for number, choice in enumerate(choices, start=1):
            row = choice if isinstance(choice, list) else [choice]
            if len(row) != state.width or not all(
                isinstance(index, int) and 0 <= index < len(state.options) for index in row
            ):
                raise CommandError(
                    f"{args.choices}, ballot {number}: {choice!r} is not an option index "
                    f"from 0 to {len(state.options) - 1}."
                )
            rows.append(row)
        try:
            lines = ballots_entry(state, choices=rows, channel=args.channel)
        except RecordError as error:
            raise CommandError(str(error)) from error
        return _append(args.directory, state, "ballots", f"ballots-{args.channel}", lines)


def _tally(args: argparse.Namespace) -> int:
    with mapper_for(args.workers) as mapper:
        state = record_load(args.directory, mapper, Progress(quiet=args.quiet))
        try:
            lines = result_entry(state, mapper=mapper)
        except RecordError as error:
            raise CommandError(str(error)) from error
        return _append(args.directory, state, "result", "result", lines)


def _export(args: argparse.Namespace) -> int:
    from omov.cli.ballot import contest_by_slug
    from omov.cli.django_setup import setup_django

    setup_django()
    from omov.trustees.record import record_write
    from omov.trustees.selectors import head_hash, record_of

    contest = contest_by_slug(args.contest)
    record = record_of(contest)
    if record is None:
        raise CommandError(f"{contest.slug} has no trustees, so no election record.")
    if args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        raise CommandError(
            f"{args.out} exists and is not an empty directory; choose another --out."
        )
    args.out.mkdir(parents=True, exist_ok=True)
    count = record_write(record, args.out)
    print(f"Wrote {count} entries to {args.out}. Head hash: {head_hash(record)}")
    print(f"Check it with `omov verify {args.out}`.")
    return 0


def _upload(args: argparse.Namespace) -> int:
    from omov.cli.ballot import contest_by_slug
    from omov.cli.django_setup import setup_django

    setup_django()
    from omov.core.errors import ServiceError
    from omov.trustees.models import Trustee
    from omov.trustees.services import CEREMONY_FILE_LIMIT, record_file_accept

    contest = contest_by_slug(args.contest)
    trustee = Trustee.objects.filter(record__contest=contest, number=args.trustee).first()
    if trustee is None:
        raise CommandError(f"{contest.slug} has no trustee {args.trustee}.")
    try:
        with args.file.open("rb") as handle:
            content = handle.read(CEREMONY_FILE_LIMIT + 1)
    except OSError as error:
        raise CommandError(f"cannot read {args.file}: {error.strerror}") from error
    try:
        added = record_file_accept(
            contest=contest,
            trustee=trustee,
            content=content,
            actor=None,
            actor_label=cli_actor_label(),
        )
    except ServiceError as error:
        raise CommandError(f"{args.file}: {error}", exit_code=1) from error
    if isinstance(added, Trustee):
        print(f"Took trustee {trustee.number}'s public key.")
    else:
        print(f"Added {added.file}. Head hash: {added.hash}")
    return 0


def _stored_ballots(args: argparse.Namespace) -> int:
    """Do the close's ``record.ballots`` job by hand: the same work, skipping what is done."""
    from omov.cli.ballot import contest_by_slug
    from omov.cli.django_setup import setup_django

    setup_django()
    from omov.ballots.jobs import record_ballots_said
    from omov.ballots.services.encrypted import record_ballots_add
    from omov.core.errors import ServiceError

    contest = contest_by_slug(args.contest)
    try:
        done = record_ballots_add(contest=contest, actor_label=cli_actor_label())
    except ServiceError as error:
        raise CommandError(str(error)) from error
    print(record_ballots_said(done.added, done.already))
    return 0
