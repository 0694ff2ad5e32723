"""One vote per voter under real concurrency, proven on PostgreSQL.

Runs only when DATABASE_URL points at PostgreSQL (SQLite serialises every write, so it cannot
show a race). 1,000 simultaneous casts from 50 threads with 100 credentials: exactly 100 win.
"""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from ballots_support import open_contest
from django.db import connection, connections

from omov.ballots import services
from omov.ballots.models import Ballot, Credential
from omov.core.errors import ServiceError

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="concurrency is proven on PostgreSQL: set DATABASE_URL=postgres://...",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_a_thousand_simultaneous_casts_with_a_hundred_credentials_accept_exactly_a_hundred() -> (
    None
):
    ballot = open_contest(voters=100, slug="race")
    credential_ids = list(
        Credential.objects.filter(contest=ballot.contest).values_list("pk", flat=True)
    )
    first = ballot.candidates[0].pk

    def attempt(index: int) -> str:
        try:
            services.ballot_cast(credential_id=credential_ids[index % 100], ranking=[first])
            return "accepted"
        except services.AlreadyVoted:
            return "refused"
        except ServiceError as error:
            return f"error: {error.message}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = Counter(pool.map(attempt, range(1000)))
    assert outcomes == {"accepted": 100, "refused": 900}
    assert Ballot.objects.filter(contest=ballot.contest).count() == 100
    assert Credential.objects.filter(contest=ballot.contest, has_voted=True).count() == 100
    receipts = list(Ballot.objects.values_list("receipt", flat=True))
    assert len(set(receipts)) == 100


def test_closing_rewrites_rows_so_no_ballot_keeps_its_casting_transaction() -> None:
    ballot = open_contest(voters=6, slug="xmin")
    first = ballot.candidates[0].pk
    for entry in ballot.entries:
        credential = Credential.objects.get(roll_entry=entry)
        services.ballot_cast(credential_id=credential.pk, ranking=[first])

    def xmins(sql: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return {str(row[0]) for row in cursor.fetchall()}

    ballot_sql = "SELECT xmin FROM ballots_ballot"
    voted_sql = "SELECT xmin FROM ballots_credential WHERE has_voted"
    # While voting, each cast's transaction id is shared by its ballot and its voter's mark:
    # the documented limit against a database administrator watching live.
    assert xmins(ballot_sql) == xmins(voted_sql) and len(xmins(ballot_sql)) == 6
    services.ballot_close(contest=ballot.contest)
    assert len(xmins(ballot_sql)) == 1
    assert xmins(ballot_sql) == xmins(voted_sql)


def test_a_trustee_contest_keeps_one_vote_per_voter_and_the_close_scrubs_its_rows() -> None:
    """Encrypted ballots (decision 0017) keep both guarantees: one vote per credential under
    simultaneous casts, and no row keeping its casting transaction after the close."""
    from test_ballots_joint_key import trustee_contest

    from omov.ballots.models import EncryptedBallot

    ballot = trustee_contest(members=20, affiliated=0, slug="race-trustees")
    credential_ids = list(
        Credential.objects.filter(contest=ballot.contest).values_list("pk", flat=True)
    )
    first = ballot.candidates[0].pk

    def attempt(index: int) -> str:
        try:
            services.ballot_cast(credential_id=credential_ids[index % 20], ranking=[first])
            return "accepted"
        except services.AlreadyVoted:
            return "refused"
        except ServiceError as error:
            return f"error: {error.message}"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = Counter(pool.map(attempt, range(200)))
    assert outcomes == {"accepted": 20, "refused": 180}
    assert EncryptedBallot.objects.filter(contest=ballot.contest).count() == 20
    assert Credential.objects.filter(contest=ballot.contest, has_voted=True).count() == 20

    def xmins(sql: str) -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return {str(row[0]) for row in cursor.fetchall()}

    encrypted_sql = "SELECT xmin FROM ballots_encryptedballot"
    voted_sql = "SELECT xmin FROM ballots_credential WHERE has_voted"
    assert xmins(encrypted_sql) == xmins(voted_sql) and len(xmins(encrypted_sql)) == 20
    services.ballot_close(contest=ballot.contest, actor=ballot.officer)
    assert len(xmins(encrypted_sql)) == 1
    assert xmins(encrypted_sql) == xmins(voted_sql)


def test_twenty_presses_of_send_at_once_queue_one_job() -> None:
    from factories import UserFactory, grant
    from omov.core.models import Role
    from omov.jobs.models import Job

    ballot = open_contest(voters=3, slug="send-race")
    officer = UserFactory(username="send-race-ro")
    grant(officer, Role.RETURNING_OFFICER, ballot.contest)

    def press(_: int) -> str:
        try:
            services.credentials_send_start(contest=ballot.contest, actor=officer)
            return "queued"
        except ServiceError as error:
            return "refused" if "being sent already" in error.message else error.message
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = Counter(pool.map(press, range(20)))
    assert outcomes == {"queued": 1, "refused": 19}
    assert Job.objects.filter(contest=ballot.contest, kind="credentials.send").count() == 1
