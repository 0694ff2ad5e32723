"""Threat: someone with write access to the database rewrites the audit trail (deletes a reissue,
edits the close's "30 ballots") and the scrutineer's page shows it without a warning (issue 8,
item 7).

Each attack edits the database directly; `omov audit verify` then exits 1 naming the first broken
event, and the scrutineer's audit page says the trail does not verify. The control: untouched,
it verifies and exits 0.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

import pytest
from django.db import connection, connections

from omov.cli.main import main
from omov.core.models import AuditChainHead, AuditEvent
from omov.core.selectors import audit_chain_verify
from omov.core.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(open_ballot: Any) -> list[AuditEvent]:
    """The contest's events, in chain order, after a reissue and a few more events."""
    contest = open_ballot.contest
    for number in range(1, 6):
        audit_record(
            action="credential.reissue" if number == 2 else "test.step",
            summary=f"Step {number}",
            contest=contest,
            data={"number": number, "nested": {"list": [1, 2]}},
        )
    audit_record(
        action="ballot.close",
        summary="Closed the ballot: 3 ballots received, 3 voters voted",
        contest=contest,
        data={"ballots": 3, "voted": 3},
    )
    return list(AuditEvent.objects.filter(contest=contest).order_by("sequence"))


def verify(slug: str, capsys: Any) -> tuple[int, str]:
    code = main(["audit", "verify", "--contest", slug])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_an_untouched_trail_verifies(
    open_ballot: Any, trail: list[AuditEvent], capsys: Any
) -> None:
    code, output = verify(open_ballot.contest.slug, capsys)
    assert code == 0, output
    assert f"{len(trail)} events" in output and trail[-1].hash in output
    assert [e.sequence for e in trail] == list(range(1, len(trail) + 1))
    assert all(e.previous_hash == p.hash for p, e in itertools.pairwise(trail))


def test_a_deleted_event_is_detected(
    open_ballot: Any, trail: list[AuditEvent], capsys: Any
) -> None:
    reissue = next(e for e in trail if e.action == "credential.reissue")
    following = trail[trail.index(reissue) + 1]
    AuditEvent.objects.filter(pk=reissue.pk).delete()
    code, output = verify(open_ballot.contest.slug, capsys)
    assert code == 1
    assert f"event {following.pk}" in output and "missing (deleted)" in output


def test_an_edited_event_is_detected(
    open_ballot: Any, trail: list[AuditEvent], capsys: Any
) -> None:
    close = next(e for e in trail if e.action == "ballot.close")
    AuditEvent.objects.filter(pk=close.pk).update(
        summary="Closed the ballot: 30 ballots received, 30 voters voted",
        data={"ballots": 30, "voted": 30},
    )
    code, output = verify(open_ballot.contest.slug, capsys)
    assert code == 1
    assert f"event {close.pk}" in output and "changed after it was written" in output


def test_an_edited_time_or_actor_is_detected(open_ballot: Any, trail: list[AuditEvent]) -> None:
    event = trail[2]
    AuditEvent.objects.filter(pk=event.pk).update(actor_label="someone else")
    check = audit_chain_verify(open_ballot.contest)
    assert not check.is_intact and check.broken_event_id == event.pk


def test_reordered_events_are_detected(
    open_ballot: Any, trail: list[AuditEvent], capsys: Any
) -> None:
    first, second = trail[2], trail[3]
    # Swap their places (through a free place: the constraint allows one event per place).
    AuditEvent.objects.filter(pk=first.pk).update(sequence=10_000)
    AuditEvent.objects.filter(pk=second.pk).update(sequence=first.sequence)
    AuditEvent.objects.filter(pk=first.pk).update(sequence=second.sequence)
    code, output = verify(open_ballot.contest.slug, capsys)
    assert code == 1
    assert f"event {second.pk}" in output


def test_swapped_times_are_detected(open_ballot: Any, trail: list[AuditEvent]) -> None:
    first, second = trail[2], trail[4]
    AuditEvent.objects.filter(pk=first.pk).update(at=second.at)
    AuditEvent.objects.filter(pk=second.pk).update(at=first.at)
    check = audit_chain_verify(open_ballot.contest)
    assert not check.is_intact and check.broken_event_id == first.pk


def test_events_deleted_from_the_end_are_detected(
    open_ballot: Any, trail: list[AuditEvent], capsys: Any
) -> None:
    AuditEvent.objects.filter(pk__in=[trail[-1].pk, trail[-2].pk]).delete()
    code, output = verify(open_ballot.contest.slug, capsys)
    assert code == 1 and "the last ones were deleted" in output


def test_a_rewritten_chain_still_differs_from_the_published_head(
    open_ballot: Any, trail: list[AuditEvent]
) -> None:
    """Whoever recomputes every hash after an edit gets a new head: the one on the contest page
    (and in the declaration) no longer matches, which is why the page asks to write it down."""
    published = trail[-1].hash
    AuditEvent.objects.filter(pk=trail[1].pk).delete()
    AuditChainHead.objects.all().delete()
    for event in AuditEvent.objects.filter(contest=open_ballot.contest).order_by("sequence"):
        AuditEvent.objects.filter(pk=event.pk).delete()
        audit_record(
            action=event.action, summary=event.summary, contest=event.contest, data=event.data
        )
    check = audit_chain_verify(open_ballot.contest)
    assert check.is_intact and check.head_hash != published


def test_the_scrutineers_page_says_whether_the_trail_verifies(
    client: Any, open_ballot: Any, trail: list[AuditEvent], scrutineer: Any
) -> None:
    client.force_login(scrutineer)
    url = f"/contests/{open_ballot.contest.slug}/audit/"
    page = client.get(url).content.decode()
    assert "The audit trail verifies." in page and trail[-1].hash in page
    AuditEvent.objects.filter(pk=trail[1].pk).delete()
    page = client.get(url).content.decode()
    assert "The audit trail does not verify" in page and "missing (deleted)" in page
    contest_page = client.get(f"/contests/{open_ballot.contest.slug}/").content.decode()
    assert trail[-1].hash in contest_page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_events_appended_at_once_never_fork_the_chain(open_ballot: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL: set DATABASE_URL to run this test")
    contest = open_ballot.contest
    before = AuditEvent.objects.filter(contest=contest).count()
    threads_count, each = 8, 10
    barrier = threading.Barrier(threads_count)
    failures: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            barrier.wait()
            for number in range(each):
                audit_record(action="test.race", summary=f"{worker}/{number}", contest=contest)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    events = list(AuditEvent.objects.filter(contest=contest).order_by("sequence"))
    assert len(events) == before + threads_count * each
    assert len({e.previous_hash for e in events}) == len(events)  # no two share a parent
    check = audit_chain_verify(contest)
    assert check.is_intact and check.length == len(events)


def test_the_declaration_publishes_its_place_in_the_chain(client: Any) -> None:
    """The head leaves the database: page, PDF and JSON quote the declaring event's hash."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "results"))
    from results_fixtures import SMALL_VOTES, closed_contest

    from omov.results.services import result_count, result_declare

    closed = closed_contest(votes_by_category=SMALL_VOTES)
    result_count(contest=closed.contest, private_key_bytes=closed.private_key)
    result_declare(contest=closed.contest)
    declared = AuditEvent.objects.get(contest=closed.contest, action="results.declare")
    slug = closed.contest.slug
    page = client.get(f"/results/{slug}/").content.decode()
    assert declared.hash in page and f"event {declared.sequence} of" in page
    document = client.get(f"/results/{slug}/results.json").json()
    assert document["audit"] == {
        "chain": "sha256",
        "sequence": declared.sequence,
        "hash": declared.hash,
        "event": "results.declare",
    }
    pdf = client.get(f"/results/{slug}/declaration.pdf").content
    assert _pdf_text_has(pdf, declared.hash)
    assert audit_chain_verify(closed.contest).is_intact


def _pdf_text_has(pdf: bytes, text: str) -> bool:
    """Tell whether ``text`` is drawn in a reportlab PDF (streams are ASCII85 over zlib)."""
    import base64
    import re
    import zlib

    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2], ignorechars=b" \t\n\r")
        try:
            chunks.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            continue
    drawn = "".join(re.findall(r"\((.*?)\) Tj", " ".join(chunks)))
    return text in drawn.replace(" ", "")


def test_the_sites_own_chain_is_verified_too(capsys: Any) -> None:
    """Events of no contest (roles, users, log-in lock-outs) form the site's chain."""
    for number in range(3):
        audit_record(action="test.site", summary=f"Site event {number}")
    code, output = main(["audit", "verify", "--site"]), capsys.readouterr()
    assert code == 0, output
    middle = AuditEvent.objects.filter(contest__isnull=True).order_by("sequence")[1]
    AuditEvent.objects.filter(pk=middle.pk).update(summary="Nothing happened")
    assert main(["audit", "verify", "--site"]) == 1
    assert f"event {middle.pk}" in capsys.readouterr().err
