"""`omov nominations …`: open nominations and record them from the command line (thin wrappers).

Every sub-command calls the service the nominations pages call, as a trusted caller (the
person at the terminal of the election server), and prints what changed. Which nominations a
candidate needs is set by the contest file's `[nominations]` table (decision 0012).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from omov.cli.actor import cli_actor_label
from omov.cli.ballot import contest_by_slug
from omov.cli.django_setup import setup_django
from omov.cli.errors import CommandError, step_refused
from omov.cli.options import contest_option, reason_option
from omov.cli.output import format_table


def register(subparsers: Any) -> None:
    """Add the `nominations` command and its sub-commands."""
    parser = subparsers.add_parser(
        "nominations",
        help="Open nominations, record them, validate them and see each candidate's standing.",
        description="Open a contest's nominations and record them: consents, branch meetings, "
        "affiliates, members' signatures, the parliamentary group. The roll freeze (`omov roll "
        "freeze`) closes them.",
    )
    commands = parser.add_subparsers(dest="nominations_command", metavar="COMMAND", required=True)

    opening = commands.add_parser("open", help="Open nominations (the contest leaves draft).")
    contest_option(opening)
    reason_option(opening)
    opening.set_defaults(handler=_open)

    status = commands.add_parser(
        "status", help="Print what a candidate needs and where each candidate stands."
    )
    contest_option(status)
    status.set_defaults(handler=_status)

    validate = commands.add_parser(
        "validate", help="Mark every candidate who meets the requirements as validly nominated."
    )
    contest_option(validate)
    validate.set_defaults(handler=_validate)

    consent = commands.add_parser("consent", help="Record a candidate's consent to stand.")
    contest_option(consent)
    _candidate_option(consent)
    consent.set_defaults(handler=_consent)

    meeting = commands.add_parser(
        "meeting", help="Record a branch's nomination meeting (the returning officer's entry)."
    )
    contest_option(meeting)
    meeting.add_argument("--branch", required=True, metavar="CODE", help="The branch's code.")
    meeting.add_argument(
        "--held-on", required=True, metavar="DATE", help="The day of the meeting (YYYY-MM-DD)."
    )
    meeting.add_argument(
        "--attendance", required=True, type=int, metavar="N", help="Eligible members present."
    )
    meeting.add_argument(
        "--abstentions", type=int, default=0, metavar="N", help="Members who abstained."
    )
    meeting.add_argument(
        "--votes",
        action="append",
        default=[],
        metavar="NAME=N",
        help="Votes a candidate received (repeat for each candidate).",
    )
    meeting.add_argument(
        "--no-nomination",
        action="store_true",
        help="The branch met and decided to make no nomination.",
    )
    meeting.add_argument(
        "--chair-decided-for",
        metavar="NAME",
        help="In a tie for the most votes: the candidate the chair decided for.",
    )
    meeting.add_argument(
        "--correction-reason",
        default="",
        metavar="TEXT",
        help="Correct a meeting already recorded, for this reason (kept in the audit trail).",
    )
    meeting.set_defaults(handler=_meeting)

    affiliate = commands.add_parser("affiliate", help="Record an affiliate's nomination.")
    contest_option(affiliate)
    affiliate.add_argument(
        "--affiliate", required=True, metavar="CODE", help="The affiliate's code."
    )
    _candidate_option(affiliate)
    affiliate.set_defaults(handler=_affiliate)

    signatures = commands.add_parser(
        "signatures",
        help="Record members' signatures on a candidate's nomination paper from a file.",
    )
    signatures.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="The signatories' membership numbers, one a line (a CSV's first column; a header "
        "line external_id is skipped).",
    )
    contest_option(signatures)
    _candidate_option(signatures)
    signatures.set_defaults(handler=_signatures)

    members = commands.add_parser(
        "parliamentary-list",
        help="Import the parliamentary group (CSV: name, kind mp|mep, constituency).",
    )
    members.add_argument("file", type=Path, metavar="FILE", help="The CSV file (UTF-8).")
    contest_option(members)
    members.set_defaults(handler=_parliamentary_list)

    parliamentary = commands.add_parser(
        "parliamentary", help="Record a member of the parliamentary group's nomination."
    )
    contest_option(parliamentary)
    parliamentary.add_argument(
        "--member", required=True, metavar="NAME", help="The MP's or MEP's name, as listed."
    )
    _candidate_option(parliamentary)
    parliamentary.set_defaults(handler=_parliamentary)


def _candidate_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--candidate", required=True, metavar="NAME", help="The candidate's name, as listed."
    )


def _service_error() -> type[Exception]:
    from omov.core.errors import ServiceError

    return ServiceError


def _candidate(contest: Any, name: str) -> Any:
    """Return the contest's candidate called ``name`` or stop, naming the candidates."""
    wanted = " ".join(name.split())
    for candidate in contest.candidates.all():
        if candidate.name.casefold() == wanted.casefold():
            return candidate
    names = ", ".join(contest.candidates.values_list("name", flat=True)) or "none yet"
    raise CommandError(
        f"{contest.slug} has no candidate called {name!r}; its candidates are: {names}."
    )


def _open(args: argparse.Namespace) -> int:
    setup_django()
    from omov.contests.services import contest_take_step

    contest = contest_by_slug(args.contest)
    try:
        contest_take_step(
            contest=contest,
            step="open_nominations",
            actor=None,
            actor_label=cli_actor_label(),
            reason=args.reason,
        )
    except _service_error() as error:
        raise step_refused(error) from None
    print(
        f"Nominations for {contest.title} are open. Record them with `omov nominations …`; "
        f"`omov roll freeze --contest {contest.slug}` closes them."
    )
    return 0


def _print_standings(contest: Any) -> None:
    from omov.nominations import selectors

    summary = selectors.nominations_summary(contest)
    threshold, gate = summary.threshold, summary.gate
    if threshold.is_required:
        print(
            f"Parliamentary threshold: {threshold.threshold} of the {threshold.total} in the "
            f"parliamentary group ({threshold.percent.normalize():f}%, rounded up)."
        )
    print(f"Gate: {gate.describe()}" if gate.is_enabled else "No supporting nominations needed.")
    headers = ["Candidate", "Status"]
    if threshold.is_required:
        headers.append("Parliamentary")
    headers += [f"Branches (of {summary.total_branches})", "Affiliates", "Signatures", "Needs"]
    rows = []
    for standing in summary.standings:
        row = [standing.candidate.name, standing.candidate.get_status_display()]
        if threshold.is_required:
            row.append(str(standing.parliamentary))
        row += [
            f"{standing.branches} ({standing.branch_percent})",
            str(standing.affiliates),
            str(standing.signatures),
            "; ".join(standing.problems) or "nothing more",
        ]
        rows.append(row)
    print(format_table(headers, rows))


def _status(args: argparse.Namespace) -> int:
    setup_django()
    _print_standings(contest_by_slug(args.contest))
    return 0


def _validate(args: argparse.Namespace) -> int:
    setup_django()
    from omov.nominations.services import nominations_validate

    contest = contest_by_slug(args.contest)
    try:
        nominations_validate(contest=contest, actor=None)
    except _service_error() as error:
        raise step_refused(error) from None
    _print_standings(contest)
    return 0


def _consent(args: argparse.Namespace) -> int:
    setup_django()
    from omov.nominations.services import candidate_consent_record

    contest = contest_by_slug(args.contest)
    candidate = _candidate(contest, args.candidate)
    try:
        candidate_consent_record(candidate=candidate, actor=None)
    except _service_error() as error:
        raise step_refused(error) from None
    print(f"Recorded {candidate.name}'s consent to stand.")
    return 0


def _votes(contest: Any, pairs: list[str]) -> dict[int, int]:
    votes: dict[int, int] = {}
    for pair in pairs:
        name, separator, number = pair.rpartition("=")
        if not separator or not name.strip():
            raise CommandError(f"--votes {pair!r}: write the candidate's name, =, and the votes.")
        try:
            count = int(number)
        except ValueError:
            raise CommandError(
                f"--votes {pair!r}: {number!r} is not a whole number of votes."
            ) from None
        votes[_candidate(contest, name).pk] = count
    return votes


def _meeting(args: argparse.Namespace) -> int:
    setup_django()
    from omov.electorate.models import Branch
    from omov.nominations.services import MeetingFigures, branch_meeting_record

    contest = contest_by_slug(args.contest)
    branch = Branch.objects.filter(code=args.branch).first()
    if branch is None:
        raise CommandError(
            f"There is no branch with the code {args.branch!r}; branches come from the roll "
            "(its branch column)."
        )
    try:
        held_on = dt.date.fromisoformat(args.held_on)
    except ValueError:
        raise CommandError(
            f"--held-on must be a date (YYYY-MM-DD), not {args.held_on!r}."
        ) from None
    chair = _candidate(contest, args.chair_decided_for) if args.chair_decided_for else None
    figures = MeetingFigures(
        held_on=held_on,
        attendance=args.attendance,
        abstentions=args.abstentions,
        votes=_votes(contest, args.votes),
        is_no_nomination=args.no_nomination,
        chair_decided_for=chair,
    )
    try:
        meeting = branch_meeting_record(
            contest=contest,
            branch=branch,
            figures=figures,
            actor=None,
            correction_reason=args.correction_reason,
        )
    except _service_error() as error:
        raise step_refused(error) from None
    result = f"nominated {meeting.nominee.name}" if meeting.nominee else "made no nomination"
    print(f"Recorded the meeting of {branch.name}: the branch {result}.")
    return 0


def _affiliate(args: argparse.Namespace) -> int:
    setup_django()
    from omov.electorate.models import Affiliate
    from omov.nominations.services import affiliate_nomination_record

    contest = contest_by_slug(args.contest)
    affiliate = Affiliate.objects.filter(code=args.affiliate).first()
    if affiliate is None:
        raise CommandError(
            f"There is no affiliate with the code {args.affiliate!r}; affiliates come from the "
            "roll (its affiliate column)."
        )
    candidate = _candidate(contest, args.candidate)
    try:
        affiliate_nomination_record(
            contest=contest, affiliate=affiliate, candidate=candidate, actor=None
        )
    except _service_error() as error:
        raise step_refused(error) from None
    print(f"Recorded {affiliate.name}'s nomination of {candidate.name}.")
    return 0


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: the file is not UTF-8 text; save it as UTF-8.") from None
    except OSError as error:
        raise CommandError(f"{path}: cannot read it ({error.strerror}).") from None


def _signatures(args: argparse.Namespace) -> int:
    path: Path = args.file
    text = _read_text(path)
    identifiers = [line.split(",")[0].strip().strip('"') for line in text.splitlines()]
    if identifiers and identifiers[0].casefold() == "external_id":
        identifiers = identifiers[1:]
    setup_django()
    from omov.nominations.services import member_signatures_record

    contest = contest_by_slug(args.contest)
    candidate = _candidate(contest, args.candidate)
    try:
        added = member_signatures_record(
            contest=contest,
            candidate=candidate,
            external_ids=[i for i in identifiers if i],
            actor=None,
            source=str(path),
        )
    except _service_error() as error:
        raise step_refused(error) from None
    print(f"Recorded {added} members' signatures for {candidate.name}.")
    return 0


def _parliamentary_list(args: argparse.Namespace) -> int:
    path: Path = args.file
    text = _read_text(path)
    setup_django()
    from omov.nominations.services import parliamentary_members_import

    contest = contest_by_slug(args.contest)
    try:
        report = parliamentary_members_import(
            contest=contest, csv_text=text, actor=None, source=str(path)
        )
    except _service_error() as error:
        raise step_refused(error) from None
    print(f"Imported {report.created} MPs and MEPs ({report.unchanged} already listed).")
    return 0


def _parliamentary(args: argparse.Namespace) -> int:
    setup_django()
    from omov.nominations.models import ParliamentaryMember
    from omov.nominations.services import parliamentary_nomination_record

    contest = contest_by_slug(args.contest)
    members = list(ParliamentaryMember.objects.filter(contest=contest, name=args.member))
    if len(members) != 1:
        raise CommandError(
            f"The parliamentary group of {contest.slug} lists "
            + ("nobody" if not members else f"{len(members)} people")
            + f" called {args.member!r}; see `omov nominations parliamentary-list`."
        )
    candidate = _candidate(contest, args.candidate)
    try:
        parliamentary_nomination_record(member=members[0], candidate=candidate, actor=None)
    except _service_error() as error:
        raise step_refused(error) from None
    print(f"Recorded {members[0].name}'s nomination of {candidate.name}.", file=sys.stdout)
    return 0
