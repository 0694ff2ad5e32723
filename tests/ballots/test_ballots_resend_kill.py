"""Kill `omov credentials resend` with SIGKILL mid-send: it finishes without a second fresh email.

Runs the real command in a subprocess against a file SQLite database, with Django's file email
backend, two messages per batch at two a second; SIGKILLs it after its first batch, checks that a
second resend is refused, finishes with `omov credentials send`, and then reads every message
sent after the resend: each voter got exactly one, and its reference is the one stored.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from omov.ballots import crypto

pytestmark = pytest.mark.slow

SRC = Path(__file__).resolve().parents[2] / "src"
VOTERS = 6
#: Two messages a batch, two a second: the first batch commits a second before the next.
SLOW = ("--rate", "2", "--batch-size", "2")

SETTINGS = """
from omov.config.test_settings import *  # noqa: F403
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = {mail!r}
"""

SETUP = (
    f"VOTERS = {VOTERS}\n"
    """
from omov.cli.django_setup import setup_django
setup_django()
from omov.ballots import services
from omov.contests.models import Candidate, Contest
from omov.core import clock
from omov.electorate.models import Person, RollEntry
contest = Contest.objects.create(slug="resend", title="Resend test", status="roll_frozen")
Candidate.objects.create(contest=contest, name="A", status="nominated", ballot_position=1)
people = Person.objects.bulk_create(
    Person(external_id=f"R{n}", category="member", first_name="V", last_name=str(n),
           email=f"v{n}@example.org", consent_email=True)
    for n in range(VOTERS)
)
RollEntry.objects.bulk_create(
    RollEntry(contest=contest, person=person, category="member", is_eligible=True,
              frozen_at=clock.now())
    for person in people
)
services.ballot_open(contest=contest, hand_over_key=True)
services.credentials_send(contest=contest, rate=0)
"""
)


def messages_in(folder: Path) -> list[str]:
    if not folder.exists():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        found += [m for m in path.read_text().split("-" * 79) if "Subject:" in m]
    return found


def test_a_resend_killed_mid_send_is_finished_by_send_and_nobody_gets_two(
    tmp_path: Path,
) -> None:
    mail = tmp_path / "mail"
    (tmp_path / "resend_settings.py").write_text(SETTINGS.format(mail=str(mail)))
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        OMOV_DATA_DIR=str(tmp_path / "data"),
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(SRC)]),
        DJANGO_SETTINGS_MODULE="resend_settings",
        OMOV_TESTING="0",
    )
    omov = [sys.executable, "-m", "omov", "credentials"]
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, capture_output=True)
    assert len(messages_in(mail)) == VOTERS
    for path in mail.iterdir():
        path.unlink()

    resend = subprocess.Popen(
        [*omov, "resend", "--contest", "resend", "--not-voted", "--reason", "x", *SLOW],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while len(messages_in(mail)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # the batch's commit follows the mail server's acceptance at once
    os.killpg(resend.pid, signal.SIGKILL)
    resend.wait()
    assert 2 <= len(messages_in(mail)) < VOTERS

    again = subprocess.run(
        [*omov, "resend", "--contest", "resend", "--not-voted", "--reason", "again"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 2
    assert "still wait to go out" in again.stderr and "nothing was reset" in again.stderr
    finish = subprocess.run(
        [*omov, "send", "--contest", "resend", "--rate", "0"], env=env, capture_output=True
    )
    assert finish.returncode == 0

    sent = messages_in(mail)
    recipients = [re.search(r"^To: (\S+)$", m, re.M).group(1) for m in sent]
    assert sorted(recipients) == sorted(f"v{n}@example.org" for n in range(VOTERS))
    references = {
        crypto.reference_hash(crypto.normalise(re.search(r"Ballot reference: (\S+)", m).group(1)))
        for m in sent
    }
    database = sqlite3.connect(next((tmp_path / "data").glob("*.sqlite3")))
    stored = {row[0] for row in database.execute("SELECT reference_hash FROM ballots_credential")}
    events = database.execute(
        "SELECT COUNT(*) FROM core_auditevent WHERE action = 'credentials.resend'"
    ).fetchone()[0]
    database.close()
    assert references == stored and events == 1
