"""The demo's verified count: a small contest run by three trustees (two needed), end to end.

A newcomer sees what issue 11 built: the trustees' key ceremony, ballots encrypted to their joint
key (with the tracker a voter finds in the record), two mixes with proofs, the trustees'
decryption shares with proofs, the count read from the record, and a declaration naming the
record's head hash, which `omov verify` accepts.

Each trustee's work runs as the trustee would run it on their own computer: `omov trustee …` in
a process of its own, on a copy of the record exported from the database, under a passphrase
only that process is given; only the public files they write are handed in (through the same
service as the trustee page). The trustees' secret files stay in ``DATA_DIR/trustees/N`` so
that the demo can be looked at; a real trustee keeps them on their own computer.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from omov.ballots.services import ballot_open, ballots_seed_demo
from omov.contests.models import Contest
from omov.contests.services import contest_create, contest_take_step
from omov.core import clock
from omov.core.models import Role
from omov.demo import people
from omov.demo.accounts import ACTOR_LABEL, DemoAccount, new_password
from omov.electorate.services import roll_evaluate, roll_import
from omov.jobs.worker import Worker
from omov.nominations.services import (
    candidate_consent_record,
    nomination_rules_set,
    nominations_validate,
)
from omov.trustees import services as record_services
from omov.trustees.models import ElectionRecord, Trustee
from omov.trustees.record import record_write
from omov.trustees.selectors import ballots_channels

VERIFIED_SLUG = "members-council-chair-verified"
VERIFIED_TITLE = "Members' council chair (demo of the verified count)"
CANDIDATES = (
    ("Amara Nwosu", "Chaired the finance committee for three years."),
    ("Tomasz Wójcik", "Organiser in the North West region."),
    ("Eilidh MacLeod", "Branch secretary, Highlands and Islands."),
)
ROLL_SIZE = 120
TURNOUT = 0.75
TRUSTEES = (
    ("trustee-1", "Trustee 1 (Amara Nwosu's campaign)"),
    ("trustee-2", "Trustee 2 (Tomasz Wójcik's campaign)"),
    ("trustee-3", "Trustee 3 (independent scrutineer)"),
)
MIXERS = (1, 3)
DECRYPTERS = (2, 3)


class VerifiedDemoError(Exception):
    """A trustee's command or a record step failed while building the demo."""


def verified_build(*, data_dir: Path, officer: Any, say: Any) -> Contest:
    """Build, count and declare the verified contest; return it. ``say`` prints a step."""
    folder = data_dir / "trustees"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(mode=0o700, parents=True)
    passphrase = secrets.token_urlsafe(18)
    contest = _contest_with_frozen_roll(data_dir, officer)
    trustees = _appoint(contest, officer)
    say("Three trustees make their keys and deal, each in a process of their own")
    _ceremony(contest, officer, trustees, folder, passphrase)
    say("Voters cast encrypted ballots; the ballot closes and its ballots go into the record")
    _vote_and_close(contest, officer)
    say("Two trustees mix the ballots; two decrypt them, with proofs")
    _mix_and_decrypt(contest, trustees, folder, passphrase)
    contest_take_step(contest=contest, step="count", actor=officer)
    contest_take_step(contest=contest, step="declare", actor=officer)
    contest.refresh_from_db()
    say("Anyone checks the record: omov verify")
    verify_exported(contest, folder)
    return contest


def trustee_accounts(contest: Contest) -> list[DemoAccount]:
    """Fresh passwords for the three trustees' accounts, to print (each run makes new ones)."""
    accounts = []
    for trustee in Trustee.objects.filter(record__contest=contest).select_related("user"):
        password = new_password()
        trustee.user.set_password(password)
        trustee.user.save(update_fields=["password"])
        accounts.append(
            DemoAccount(
                username=trustee.user.get_username(),
                password=password,
                role=str(Role.TRUSTEE.label),
                scope=f"{contest.title}: {trustee.name}",
                start_url=f"/record/{contest.slug}/trustee/",
            )
        )
    return accounts


def verify_exported(contest: Contest, folder: Path) -> None:
    """Export the record and run `omov verify` on it in a separate process; fail loudly."""
    record = ElectionRecord.objects.get(contest=contest)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        export = Path(scratch) / "record"
        record_write(record, export)
        _omov("verify", export, "--quiet", "--workers", "1")


def _contest_with_frozen_roll(data_dir: Path, officer: Any) -> Contest:
    now = clock.now()
    freeze_date = now.date() - dt.timedelta(days=30)
    contest = contest_create(
        actor=officer,
        slug=VERIFIED_SLUG,
        title=VERIFIED_TITLE,
        kind="chair",
        method="irv",
        tie_break_seed="omov-demo-verified",
        freeze_date=freeze_date,
        ballot_opens_at=now - dt.timedelta(days=1),
        ballot_closes_at=now - dt.timedelta(minutes=1),
        candidates=[{"name": name, "statement": statement} for name, statement in CANDIDATES],
    )
    nomination_rules_set(
        contest=contest,
        actor=officer,
        challenger_percent=Decimal(20),
        vacancy_percent=Decimal(15),
    )
    contest_take_step(contest=contest, step="open_nominations", actor=officer)
    rows, _ = people.deputy_rows(
        size=ROLL_SIZE,
        freeze_date=freeze_date,
        age_on=now.date(),
        seed="omov-demo-verified",
        prefix="VER-",
    )
    path = data_dir / "roll-verified.csv"
    people.write_roll(path, rows)
    with path.open("rb") as lines:
        roll_import(source=lines, file_name=path.name, contest=contest, actor=officer)
    roll_evaluate(contest=contest, actor=officer)
    with transaction.atomic():
        for candidate in contest.candidates.all():
            candidate_consent_record(candidate=candidate, actor=officer)
        nominations_validate(contest=contest, actor=officer)
        contest_take_step(contest=contest, step="freeze_roll", actor=officer)
    contest.refresh_from_db()
    return contest


def _appoint(contest: Contest, officer: Any) -> dict[int, Trustee]:
    users = []
    for username, name in TRUSTEES:
        user, _ = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": name.split(" (")[0], "email": f"{username}@example.org"},
        )
        users.append(record_services.Appointment(name=name, user=user))
    record = record_services.trustees_appoint(
        contest=contest, threshold=2, trustees=users, actor=officer, actor_label=ACTOR_LABEL
    )
    return {t.number: t for t in record.trustees.select_related("user")}


def _ceremony(
    contest: Contest, officer: Any, trustees: dict[int, Trustee], folder: Path, passphrase: str
) -> None:
    for number, trustee in trustees.items():
        own = folder / str(number)
        own.mkdir(mode=0o700)
        _omov(
            "trustee",
            "init",
            "--number",
            number,
            "--name",
            trustee.name,
            "--secret",
            own / "trustee.secret",
            "--public",
            own / "public.json",
            passphrase=passphrase,
        )
        _hand_in(contest, trustee, own / "public.json")
    record_services.record_start(contest=contest, actor=officer, actor_label=ACTOR_LABEL)
    for number, trustee in trustees.items():
        own = folder / str(number)
        _on_record(
            contest,
            own,
            "deal",
            "--secret",
            own / "trustee.secret",
            "--keep",
            own / "dealing.keep",
            "--out",
            own / "dealing.json",
            passphrase=passphrase,
        )
        _hand_in(contest, trustee, own / "dealing.json")
    for number in trustees:
        own = folder / str(number)
        _on_record(
            contest,
            own,
            "check-shares",
            "--secret",
            own / "trustee.secret",
            "--out-dir",
            own / "complaints",
            passphrase=passphrase,
        )
    record_services.record_key_seal(contest=contest, actor=officer, actor_label=ACTOR_LABEL)
    for number in trustees:
        own = folder / str(number)
        _on_record(
            contest,
            own,
            "save-share",
            "--secret",
            own / "trustee.secret",
            "--share",
            own / "trustee.share",
            passphrase=passphrase,
        )


def _vote_and_close(contest: Contest, officer: Any) -> None:
    with transaction.atomic():
        ballot_open(contest=contest, actor=officer, actor_label=ACTOR_LABEL)
    contest.refresh_from_db()
    entries = list(contest.roll_entries.filter(is_eligible=True).order_by("pk"))
    chooser = random.Random("omov-demo-verified")
    names = [name for name, _ in CANDIDATES]
    weights = (0.45, 0.35, 0.2)
    votes = []
    for entry in entries[: int(len(entries) * TURNOUT)]:
        first = chooser.choices(names, weights=weights)[0]
        rest = [name for name in names if name != first]
        chooser.shuffle(rest)
        votes.append((entry, [first, *rest[: chooser.choice((0, 1, 2))]]))
    ballots_seed_demo(contest=contest, votes=votes)
    contest_take_step(
        contest=contest,
        step="close_ballot",
        actor=officer,
        reason="The demo closes its verified ballot as soon as the votes are in.",
    )
    contest.refresh_from_db()
    # The close queued the job that adds the ballots to the record: run the queue now, as the
    # demo's worker would.
    Worker(worker_id="omov demo").run(once=True)
    if not ballots_channels(contest):
        raise VerifiedDemoError("The close's job did not add the ballots to the record.")


def _mix_and_decrypt(
    contest: Contest, trustees: dict[int, Trustee], folder: Path, passphrase: str
) -> None:
    for number in MIXERS:
        own = folder / str(number)
        _on_record(
            contest,
            own,
            "mix",
            "--number",
            number,
            "--out",
            own / "mix.jsonl",
            passphrase=passphrase,
        )
        _hand_in(contest, trustees[number], own / "mix.jsonl")
    for number in DECRYPTERS:
        own = folder / str(number)
        _on_record(
            contest,
            own,
            "decrypt",
            "--share",
            own / "trustee.share",
            "--out",
            own / "decryption.jsonl",
            passphrase=passphrase,
        )
        _hand_in(contest, trustees[number], own / "decryption.jsonl")


def _on_record(contest: Contest, own: Path, step: str, *arguments: object, passphrase: str) -> None:
    """Run `omov trustee STEP` on a fresh copy of the record, as the trustee downloads it."""
    copy = _download(contest, own / f"for-{step}")
    _omov("trustee", step, copy, "--quiet", "--workers", "1", *arguments, passphrase=passphrase)


def _download(contest: Contest, into: Path) -> Path:
    """What a trustee downloads from the record page: the record's directory, exported."""
    record = ElectionRecord.objects.get(contest=contest)
    target = into / "record"
    record_write(record, target)
    return target


def _hand_in(contest: Contest, trustee: Trustee, path: Path) -> None:
    """Hand a trustee's file in as their page does (checked against the whole record)."""
    record_services.record_file_accept(
        contest=contest,
        trustee=trustee,
        content=path.read_bytes(),
        actor=trustee.user,
        actor_label=ACTOR_LABEL,
    )


def _omov(*arguments: object, passphrase: str = "") -> str:
    """Run `omov ARGUMENTS` in a process of its own (a trustee's computer, or anyone's)."""
    environment = {**os.environ, "OMOV_TRUSTEE_PASSPHRASE": passphrase}
    completed = subprocess.run(
        [sys.executable, "-m", "omov", *map(str, arguments)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if completed.returncode != 0:
        shown = " ".join(map(str, arguments[:2]))
        raise VerifiedDemoError(
            f"`omov {shown}` failed: {completed.stderr.strip() or completed.stdout.strip()}"
        )
    return completed.stdout
