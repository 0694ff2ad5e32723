"""Build the demo: a declared replay of the 2016 leadership contest and an open deputy contest.

Everything is written through the apps' services, in the order a returning officer would take the
steps, so the demo exercises the real code paths: roll import and evaluation, nominations
(the 2016 ones loaded from the published figures), the freeze, opening the ballot (credentials and
the count key), ballots sealed into the ballot box, closing, the count with the key file, and the
declaration.

The deputy contest is built first, so its small roll is frozen before the 2016 roll is imported
(the roll is one membership list; each contest freezes its own snapshot). Its members joined
after 2016, so none of them may vote in the 2016 replay.

Idempotent: when both contests are there and complete, the build only sets new passwords for the
staff accounts and issues fresh credentials to print; when a previous build stopped half way it
says so and asks for ``--reset``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.urls import reverse

from omov.ballots.models import Credential
from omov.ballots.services import (
    ballot_close,
    ballot_open,
    ballots_seed_demo,
    credential_reissue,
    credentials_send_batch,
)
from omov.contests.models import Contest, ContestKind, ContestStatus
from omov.contests.services import contest_create, contest_take_step
from omov.core import clock
from omov.core.services import audit_record
from omov.demo import accounts as demo_accounts
from omov.demo import campaigns as demo_campaigns
from omov.demo import people
from omov.demo import verified as demo_verified
from omov.demo.ballots import rankings_for_totals, shuffled_ballots
from omov.demo.figures import DemoFigures, demo_figures, load_contest, load_published
from omov.electorate.bulk import SQLITE_BULK_CACHE_KIB
from omov.electorate.models import Branch, Person
from omov.electorate.services import roll_evaluate, roll_import
from omov.nominations.models import ParliamentaryMember
from omov.nominations.services import (
    candidate_consent_record,
    nomination_rules_set,
    nominations_load_published,
    nominations_validate,
    parliamentary_members_import,
    parliamentary_nomination_record,
)
from omov.results.models import Result
from omov.results.services import result_count, result_declare

DEPUTY_2015_ID = "labour-deputy-2015"
LEADERSHIP_SLUG = "labour-leader-2016-replay"
LEADERSHIP_TITLE = "Labour Party leadership election 2016 (replay)"
DEPUTY_SLUG = "deputy-leader-demo"
DEPUTY_TITLE = "Deputy leadership election (demo)"
LONDON = ZoneInfo("Europe/London")
#: Not in the published data: the day arrears had to be paid by (a demo assumption, so the
#: "arrears paid late" rule has something to decide).
ARREARS_DEADLINE_2016 = dt.date(2016, 8, 8)
LEADERSHIP_CANDIDATES = (
    {
        "name": "Jeremy Corbyn",
        "is_incumbent": True,
        "statement": "Leader of the Labour Party since September 2015; MP for Islington North. "
        "As the incumbent he is on the ballot without nominations.",
    },
    {
        "name": "Owen Smith",
        "statement": "MP for Pontypridd; the challenger, nominated by 172 MPs and MEPs.",
    },
)
#: The 2015 deputy leadership candidates (statements say only who they were at the time).
DEPUTY_CANDIDATES = (
    ("Tom Watson", "MP for West Bromwich East.", 50),
    ("Stella Creasy", "MP for Walthamstow.", 40),
    ("Caroline Flint", "MP for Don Valley.", 40),
    ("Angela Eagle", "MP for Wallasey.", 40),
    ("Ben Bradshaw", "MP for Exeter.", 40),
)
DEPUTY_ROLL_SIZE = 60
DEPUTY_MPS = 232
DEPUTY_MEPS = 20
DEPUTY_TURNOUT_SO_FAR = 0.4
PRINTED_CREDENTIALS = 5
_REFERENCE = re.compile(r"Ballot reference:\s*([0-9A-Z]{5}-[0-9A-Z]{5})")
_CODE = re.compile(r"Security code:\s*([0-9A-Z]{4}-[0-9A-Z]{4})")


class DemoError(Exception):
    """The demo cannot be built as asked; the message says why and what to do."""


@dataclass(frozen=True)
class VoterCredential:
    """A demo voter's credential in plain text, printed once so a newcomer can vote."""

    name: str
    reference: str
    code: str
    booth_url: str


@dataclass
class DemoReport:
    """What the build did and what to print."""

    data_dir: Path
    figures: DemoFigures
    leadership: Contest
    deputy: Contest
    accounts: list[demo_accounts.DemoAccount]
    credentials: list[VoterCredential]
    key_paths: dict[str, Path]
    roll_kinds: dict[str, int]
    is_reused: bool
    timings: list[tuple[str, float]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # The small contest whose count is verified (three trustees); None in a demo built before it.
    verified: Contest | None = None


class Steps:
    """Say what each step does and how long it took (on ``log``); progress bars on stderr."""

    def __init__(self, log: TextIO | None, show_progress: bool) -> None:
        self.log = log
        self.show_progress = show_progress
        self.timings: list[tuple[str, float]] = []

    def say(self, text: str) -> None:
        if self.log is not None:
            print(text, file=self.log, flush=True)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        self.say(f"… {name}")
        yield
        elapsed = time.monotonic() - started
        self.timings.append((name, elapsed))
        self.say(f"✓ {name} ({elapsed:.1f} s)")

    def bar(self, total: int, unit: str, description: str) -> Any:
        from tqdm import tqdm

        return tqdm(
            total=total,
            unit=unit,
            unit_scale=unit == "B",
            desc=description,
            file=sys.stderr,
            disable=not self.show_progress,
            dynamic_ncols=True,
            leave=False,
        )


class DemoOutbox(BaseEmailBackend):
    """An email backend that keeps the messages it is given in memory, for this run only.

    The credentials service hands its messages to a mail connection; the demo passes this one, so
    the plain-text credentials exist only in these messages, in memory, and are printed for a
    handful of voters and then dropped with the rest.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fail_silently=False, **kwargs)
        self.messages: list[Any] = []

    def send_messages(self, email_messages: Any) -> int:
        messages = list(email_messages)
        self.messages.extend(messages)
        return len(messages)


def booth_url(reference: str) -> str:
    """Return the booth link that fills in a ballot reference."""
    base = str(settings.OMOV_PUBLIC_URL).rstrip("/")
    # In the fragment: never sent to the server, so never in a log (issue 8, item 4).
    return f"{base}{reverse('ballots:start')}#ref={reference.replace('-', '')}"


def key_path_for(data_dir: Path, contest: Contest) -> Path:
    return data_dir / "keys" / f"{contest.slug}.key"


# -- The whole build ---------------------------------------------------------------------------


def demo_build(
    *,
    data_dir: Path,
    divisor: int = 100,
    figures_path: Path | None = None,
    log: TextIO | None = None,
    show_progress: bool = False,
    deputy_roll_size: int = DEPUTY_ROLL_SIZE,
) -> DemoReport:
    """Build the demo in the current database (or find it built), and return what to print.

    ``divisor`` scales the 2016 figures (1: full size). Raises :class:`DemoError` when a previous
    build is incomplete or was made at another scale, or when a step does not give the figures
    it must.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    _tune_sqlite()
    published = load_published(figures_path)
    deputy_2015 = load_contest(DEPUTY_2015_ID, figures_path)
    figures = demo_figures(published, divisor=divisor)
    steps = Steps(log, show_progress)
    leadership = Contest.objects.filter(slug=LEADERSHIP_SLUG).first()
    deputy = Contest.objects.filter(slug=DEPUTY_SLUG).first()
    roll_kinds: dict[str, int] = {}
    if leadership is None and deputy is None:
        is_reused = False
        keys = data_dir / "keys"
        keys.mkdir(mode=0o700, exist_ok=True)
        for slug in (LEADERSHIP_SLUG, DEPUTY_SLUG):
            stale = keys / f"{slug}.key"
            if stale.exists():
                raise DemoError(
                    f"{stale} is the count key of an earlier demo whose database is gone. "
                    "Delete it (or run `omov demo --reset`) and build again."
                )
        officer = demo_accounts.returning_officer_ensure()
        deputy, printed = _build_deputy(steps, data_dir, officer, deputy_roll_size, deputy_2015)
        with steps.step(f"The verified count: “{demo_verified.VERIFIED_TITLE}”"):
            demo_verified.verified_build(data_dir=data_dir, officer=officer, say=steps.say)
        leadership, roll_kinds = _build_leadership(steps, data_dir, officer, figures, published)
    else:
        is_reused = True
        leadership, deputy = _check_complete(leadership, deputy, figures)
        officer = demo_accounts.returning_officer_ensure()
        with steps.step("Issue fresh credentials to print (the demo exists already)"):
            printed = _reissue_printed(deputy, officer)
    with steps.step("Set up the staff accounts"):
        branch = _branch_named(people.NAMED_BRANCHES[0][1])
        agent_for = leadership.candidates.get(name="Owen Smith")
        accounts = demo_accounts.accounts_ensure(
            leadership=leadership,
            deputy=deputy,
            secretary_branch=branch,
            agent_candidate=agent_for,
            start_urls=_start_urls(leadership, deputy, branch),
        )
        accounts += demo_campaigns.deputy_campaigns_ensure(deputy=deputy, officer=officer)
        accounts += demo_campaigns.rally_organiser_ensure(leadership=leadership)
        verified = Contest.objects.filter(slug=demo_verified.VERIFIED_SLUG).first()
        if verified is not None:
            accounts += demo_verified.trustee_accounts(verified)
    report = DemoReport(
        data_dir=data_dir,
        figures=figures,
        leadership=leadership,
        deputy=deputy,
        accounts=accounts,
        credentials=printed,
        key_paths={
            contest.slug: key_path_for(data_dir, contest) for contest in (leadership, deputy)
        },
        roll_kinds=roll_kinds,
        is_reused=is_reused,
        timings=steps.timings,
        verified=verified,
    )
    report.problems = result_problems(leadership, figures)
    return report


def _tune_sqlite() -> None:
    """Give this connection the bulk page cache and in-memory temporary files, on SQLite.

    The full-size build writes hundreds of thousands of rows per step, in long transactions;
    with SQLite's default 2 MB cache their index pages are evicted and re-read, and dirty pages
    spilled to the file before the commit. The cache is the electorate's bulk one (the roll
    import sets it too), kept moderate because it is this process's memory. Both settings last
    only as long as this connection and change nothing in the database file.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return  # SQLite refuses to change temp_store inside a transaction
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
        cursor.execute("PRAGMA temp_store = MEMORY")


def _check_complete(
    leadership: Contest | None, deputy: Contest | None, figures: DemoFigures
) -> tuple[Contest, Contest]:
    """Return both contests when a previous build finished; otherwise say what to do."""
    if (
        leadership is None
        or deputy is None
        or leadership.status != ContestStatus.DECLARED
        or not deputy.has_reached(ContestStatus.BALLOT_OPEN)
    ):
        raise DemoError(
            "A previous demo build in this database did not finish (the leadership contest is "
            f"{_status(leadership)}, the deputy contest {_status(deputy)}). Run `omov demo "
            "--reset` to build it again from the start."
        )

    result = Result.objects.filter(contest=leadership).first()
    issued = result.credentials_issued if result is not None else 0
    if issued != figures.issued_total:
        raise DemoError(
            f"The demo here was built with {issued:,} credentials, not the {figures.issued_total:,}"
            " asked for now (another scale). Run `omov demo --reset` with the scale you want."
        )
    return leadership, deputy


def _status(contest: Contest | None) -> str:
    return "missing" if contest is None else contest.get_status_display().lower()


def _branch_named(name: str) -> Any:

    return Branch.objects.get(name=name)


def _start_urls(leadership: Contest, deputy: Contest, branch: Any) -> dict[str, str]:
    return {
        demo_accounts.RETURNING_OFFICER: reverse("contests:detail", args=[leadership.slug]),
        "scrutineer": reverse("contests:audit", args=[leadership.slug]),
        "islington-north-secretary": reverse(
            "nominations:meeting", args=[leadership.slug, branch.code]
        ),
        "owen-smith-agent": reverse("nominations:overview", args=[leadership.slug]),
        "paper-operator-1": reverse("ballots:paper_key", args=[deputy.slug]),
        "paper-operator-2": reverse("ballots:paper_key", args=[deputy.slug]),
        "paper-supervisor": reverse("ballots:paper_mismatches", args=[deputy.slug]),
    }


# -- The deputy contest: open for voting now -------------------------------------------------


def _build_deputy(
    steps: Steps, data_dir: Path, officer: Any, roll_size: int, deputy_2015: dict[str, Any]
) -> tuple[Contest, list[VoterCredential]]:

    now = clock.now()
    today = timezone_today(now)
    closes = dt.datetime.combine(today + dt.timedelta(days=14), dt.time(12), tzinfo=LONDON)
    freeze_date = today - dt.timedelta(days=30)
    with steps.step(f"Create the contest “{DEPUTY_TITLE}”"):
        deputy = contest_create(
            actor=officer,
            slug=DEPUTY_SLUG,
            title=DEPUTY_TITLE,
            kind=ContestKind.DEPUTY,
            is_vacancy=True,
            tie_break_seed="omov-demo-deputy",
            freeze_date=freeze_date,
            ballot_opens_at=now,
            ballot_closes_at=closes,
            candidates=[
                {"name": name, "statement": f"{statement} A candidate for deputy leader in 2015."}
                for name, statement, _ in DEPUTY_CANDIDATES
            ],
        )
        _labour_nomination_rules(deputy, officer, nomination_rules_set)
        contest_take_step(contest=deputy, step="open_nominations", actor=officer)
    with steps.step(f"Import and evaluate the deputy contest's roll ({roll_size} members)"):
        rows, _ = people.deputy_rows(
            size=roll_size, freeze_date=freeze_date, age_on=closes.date(), seed="omov-demo-deputy"
        )
        path = data_dir / "roll-deputy.csv"
        people.write_roll(path, rows)
        with path.open("rb") as lines:
            roll_import(source=lines, file_name=path.name, contest=deputy, actor=officer)
        roll_evaluate(contest=deputy, actor=officer)
    with (
        steps.step("Record parliamentary nominations and consents; freeze the roll"),
        transaction.atomic(),
    ):
        members = [
            (f"MP {number:03d}", "mp", f"Constituency {number:03d}")
            for number in range(1, DEPUTY_MPS + 1)
        ] + [
            (f"MEP {number:02d}", "mep", f"European region {number:02d}")
            for number in range(1, DEPUTY_MEPS + 1)
        ]
        csv_text = "name,kind,constituency\n" + "".join(f"{n},{k},{c}\n" for n, k, c in members)
        parliamentary_members_import(
            contest=deputy, csv_text=csv_text, actor=officer, source="demo parliamentary party"
        )
        free = list(ParliamentaryMember.objects.filter(contest=deputy).order_by("kind", "name"))
        for name, _, nominations in DEPUTY_CANDIDATES:
            candidate = deputy.candidates.get(name=name)
            for member in free[:nominations]:
                parliamentary_nomination_record(member=member, candidate=candidate, actor=officer)
            free = free[nominations:]
            candidate_consent_record(candidate=candidate, actor=officer)
        nominations_validate(contest=deputy, actor=officer)
        contest_take_step(contest=deputy, step="freeze_roll", actor=officer)
    with steps.step("Open the deputy ballot and email the credentials"):
        key_path = key_path_for(data_dir, deputy)
        ballot_open(contest=deputy, actor=officer, key_out=key_path)
        deputy.refresh_from_db()
        outbox = DemoOutbox()
        credentials_send_batch(contest=deputy, batch_size=100_000, mail_connection=outbox)
        audit_record(
            action="demo.credentials",
            summary=f"Emailed {len(outbox.messages)} credentials to the demo's fictional voters "
            "(kept in memory only; a few printed by `omov demo`)",
            actor=officer,
            contest=deputy,
            data={"emailed": len(outbox.messages)},
        )
        printed, printed_emails = _printed_from_outbox(deputy, outbox)
    with steps.step("Cast some votes in the deputy contest (turnout so far)"):
        _seed_deputy_votes(deputy, printed_emails, deputy_2015)
    return deputy, printed


def timezone_today(now: dt.datetime) -> dt.date:
    return now.astimezone(LONDON).date()


def _printed_from_outbox(
    deputy: Contest, outbox: DemoOutbox
) -> tuple[list[VoterCredential], set[str]]:
    """Read the first few credentials out of the emailed messages (sorted by address)."""

    printed = []
    emails = set()
    for message in sorted(outbox.messages, key=lambda m: m.to[0])[:PRINTED_CREDENTIALS]:
        reference = _REFERENCE.search(message.body)
        code = _CODE.search(message.body)
        if reference is None or code is None:
            raise DemoError(
                "The credential email no longer shows 'Ballot reference:' and 'Security code:' "
                "as the demo expects (ballots/email/credential.txt changed); update "
                "omov.demo.build to read it."
            )
        person = Person.objects.get(email=message.to[0])
        printed.append(
            VoterCredential(
                name=person.full_name,
                reference=reference.group(1),
                code=code.group(1),
                booth_url=booth_url(reference.group(1)),
            )
        )
        emails.add(message.to[0])
    return printed, emails


def _seed_deputy_votes(
    deputy: Contest, keep_for_newcomers: set[str], deputy_2015: dict[str, Any]
) -> int:
    """Cast ballots for some of the deputy voters (never the printed ones), 2015-like shares."""

    rounds = {name: int(votes) for name, votes in deputy_2015["rounds"][0].items()}
    names = list(rounds)
    weights = [rounds[name] for name in names]
    rng = random.Random("omov-demo-deputy-votes")
    entries = list(
        deputy.roll_entries.filter(is_eligible=True)
        .exclude(person__email__in=keep_for_newcomers)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rng.shuffle(entries)
    voting = entries[: int(len(entries) * DEPUTY_TURNOUT_SO_FAR)]
    votes = []
    for entry in voting:
        first = rng.choices(names, weights)[0]
        rest = [name for name in names if name != first]
        rng.shuffle(rest)
        votes.append((entry, [first, *rest[: rng.randint(0, len(rest))]]))
    return ballots_seed_demo(contest=deputy, votes=votes).get("ballots", 0)


def _reissue_printed(deputy: Contest, officer: Any) -> list[VoterCredential]:
    """Reissue a few unused deputy credentials (by letter: returned, not sent) to print them."""

    if deputy.status != ContestStatus.BALLOT_OPEN:
        return []
    printed = []
    waiting = (
        Credential.objects.filter(contest=deputy, has_voted=False)
        .select_related("roll_entry__person")
        .order_by("roll_entry__person__email")[:PRINTED_CREDENTIALS]
    )
    for credential in waiting:
        issued = credential_reissue(
            credential=credential,
            actor=officer,
            reason="Demo: new credentials printed by `omov demo` for a newcomer to vote with",
            delivery="letter",
        )
        printed.append(
            VoterCredential(
                name=credential.roll_entry.person.full_name,
                reference=issued.reference_display,
                code=issued.code_display,
                booth_url=booth_url(issued.reference_display),
            )
        )
    return printed


# -- The 2016 replay: declared ---------------------------------------------------------------


def _labour_nomination_rules(contest: Contest, officer: Any, rules_set: Any) -> None:
    """Set Labour's nomination rules: 20% of MPs and MEPs (15% in a vacancy), no gate.

    No route is required by default (decision 0012), so the demo says what Labour required.
    """
    rules_set(
        contest=contest,
        actor=officer,
        is_parliamentary_threshold_required=True,
        challenger_percent=Decimal(20),
        vacancy_percent=Decimal(15),
    )


def _at_london(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LONDON)


def _build_leadership(
    steps: Steps, data_dir: Path, officer: Any, figures: DemoFigures, published: dict[str, Any]
) -> tuple[Contest, dict[str, int]]:

    window = published.get("registered_supporter_window") or [None, None]
    freeze_date = dt.date.fromisoformat(published["freeze_date"])
    closes = _at_london(published["ballot_closes"])
    with steps.step(f"Create the contest “{LEADERSHIP_TITLE}”"):
        leadership = contest_create(
            actor=officer,
            slug=LEADERSHIP_SLUG,
            title=LEADERSHIP_TITLE,
            kind=ContestKind.LEADER,
            tie_break_seed="omov-demo-2016",
            freeze_date=freeze_date,
            arrears_deadline=ARREARS_DEADLINE_2016,
            supporter_window_opens_at=_at_london(window[0]) if window[0] else None,
            supporter_window_closes_at=_at_london(window[1]) if window[1] else None,
            supporter_fee_pence=int(published.get("registered_supporter_fee_gbp", 0)) * 100,
            ballot_closes_at=closes,
            candidates=[dict(candidate) for candidate in LEADERSHIP_CANDIDATES],
        )
        _labour_nomination_rules(leadership, officer, nomination_rules_set)
        contest_take_step(contest=leadership, step="open_nominations", actor=officer)
    timetable = people.Timetable2016(
        freeze_date=freeze_date,
        arrears_deadline=ARREARS_DEADLINE_2016,
        supporter_window=(
            _at_london(window[0]).date() if window[0] else dt.date(2016, 7, 18),
            _at_london(window[1]).date() if window[1] else dt.date(2016, 7, 20),
        ),
        age_on=closes.date(),
    )
    path = data_dir / (
        "roll-2016-full.csv" if figures.is_full_size else f"roll-2016-1-in-{figures.divisor}.csv"
    )
    with steps.step(f"Generate the 2016 roll file {path.name}"):
        rows, kinds = people.leadership_rows(
            figures, timetable, seed=f"omov-demo-{figures.divisor}"
        )
        written = people.write_roll(path, rows)
    with (
        steps.step(f"Import the 2016 roll ({written:,} people)"),
        path.open("rb") as lines,
        steps.bar(path.stat().st_size, "B", "import") as bar,
    ):
        roll_import(
            source=lines,
            file_name=path.name,
            contest=leadership,
            actor=officer,
            progress=bar.update,
        )
    with steps.step("Evaluate everyone against the 2016 rules"):
        with steps.bar(Person.objects.count(), "people", "evaluate") as bar:
            summary = roll_evaluate(contest=leadership, actor=officer, progress=bar.update)
        for category, wanted in figures.issued.items():
            eligible = summary.by_category.get(category, (0, 0))[0]
            if eligible != wanted:
                raise DemoError(
                    f"The roll evaluation found {eligible:,} eligible {category}s where the demo "
                    f"generated {wanted:,}; the eligibility rules and the generated roll disagree."
                )
    with steps.step("Load the published 2016 nominations"):
        nominations_load_published(
            contest=leadership, data=published, actor=officer, seed="labour-leader-2016"
        )
    with steps.step("Freeze the roll"):
        contest_take_step(contest=leadership, step="freeze_roll", actor=officer)
    key_path = key_path_for(data_dir, leadership)
    with steps.step(f"Open the ballot ({figures.issued_total:,} credentials)"):
        opening = ballot_open(contest=leadership, actor=officer, key_out=key_path)
        if opening.credentials_created != figures.issued_total:
            raise DemoError(
                f"Opening the ballot created {opening.credentials_created:,} credentials, not "
                f"{figures.issued_total:,}."
            )
        leadership.refresh_from_db()
    # The campaigns (omov.demo.campaigns): their access ends when the ballot closes.
    with steps.step("Release the roll to both campaigns; a Nottingham phone-bank evening; a rally"):
        demo_campaigns.leadership_campaigns_build(leadership=leadership, officer=officer)
    returned = figures.valid + figures.spoilt_total
    with (
        steps.step(f"Cast {figures.valid:,} ballots and {figures.spoilt_total:,} spoilt papers"),
        steps.bar(returned, "ballots", "cast") as bar,
    ):
        ballots_seed_demo(
            contest=leadership, votes=_leadership_votes(leadership, figures), progress=bar.update
        )
    with steps.step("Close the ballot"):
        ballot_close(contest=leadership, actor=officer)
        leadership.refresh_from_db()
    with steps.step(f"Count with the key file {key_path}"):
        result_count(contest=leadership, actor=officer, private_key_bytes=key_path.read_bytes())
    with steps.step("Declare the result"):
        result_declare(contest=leadership, actor=officer)
        leadership.refresh_from_db()
    return leadership, dict(kinds)


def _leadership_votes(
    contest: Contest, figures: DemoFigures
) -> Iterator[tuple[int, tuple[str, ...] | None]]:
    """Yield (roll entry, ranking or None for a spoilt paper) for every voter who voted."""

    rng = random.Random(f"omov-demo-voters-{figures.divisor}")
    entries: dict[str, list[int]] = {}
    for category in figures.issued:
        ids = list(
            contest.roll_entries.filter(is_eligible=True, category=category)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rng.shuffle(ids)
        entries[category] = ids
    grouped = rankings_for_totals(figures.votes, candidates=figures.candidates)
    for category, ranking in shuffled_ballots(grouped, seed=f"omov-demo-{figures.divisor}"):
        yield entries[category].pop(), ranking
    for category, number in figures.spoilt.items():
        for _ in range(number):
            yield entries[category].pop(), None


# -- Checking the declared result --------------------------------------------------------------


def result_problems(contest: Contest, figures: DemoFigures) -> list[str]:
    """List every way the stored result differs from the figures it must reproduce."""

    result = Result.objects.filter(contest=contest).first()
    if result is None:
        return [f"{contest.title} has no stored result."]
    problems = []

    def compare(what: str, found: Any, wanted: Any) -> None:
        if found != wanted:
            problems.append(f"{what}: the stored result has {found}, the figures say {wanted}")

    compare("credentials issued", result.credentials_issued, figures.issued_total)
    compare("valid ballots", result.valid, figures.valid)
    compare("spoilt papers", result.spoilt_total, figures.spoilt_total)
    compare("rejected papers", result.rejected_total, 0)
    compare("elected", list(result.elected), [_winner(figures)])
    final = result.outcome.rounds[-1].votes
    for name, votes in figures.votes_by_candidate.items():
        compare(f"{name}'s votes in the final round", int(final.get(name, 0)), votes)
    for category, wanted in figures.votes.items():
        stored = result.categories.get(category, {}).get("votes", {})
        compare(f"{category} votes", {k: int(v) for k, v in stored.items()}, wanted)
    compare("credentials by category", dict(result.issued_by_category), figures.issued)
    return problems


def _winner(figures: DemoFigures) -> str:
    totals = figures.votes_by_candidate
    return max(totals, key=lambda name: totals[name])
