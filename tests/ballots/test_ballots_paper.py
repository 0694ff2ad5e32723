"""Postal ballots in two stages: declarations mark voters; ballot papers are keyed twice, blind."""

from __future__ import annotations

from typing import Any

import pytest
from ballots_support import OpenBallot

from factories import UserFactory, grant
from omov.ballots import services
from omov.ballots.models import Ballot, Credential, PaperKeying, PaperRecord, PostalBatch
from omov.core.errors import ServiceError
from omov.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_batches(settings: Any) -> None:
    settings.OMOV_POSTAL_BATCH_MINIMUM = 2


@pytest.fixture
def staff(open_ballot: OpenBallot) -> dict[str, Any]:
    people = {}
    for name, role in (
        ("alice", Role.PAPER_OPERATOR),
        ("bob", Role.PAPER_OPERATOR),
        ("sue", Role.PAPER_SUPERVISOR),
    ):
        people[name] = UserFactory(username=name)
        grant(people[name], role, contest=open_ballot.contest)
    return people


def batch_of(ballot: OpenBallot, who: Any, voters: int) -> tuple[PostalBatch, list[Any]]:
    """Start a batch and accept the declarations of the first ``voters`` voters into it."""
    batch = services.postal_batch_create(contest=ballot.contest, actor=who, category="member")
    issued = []
    for entry in ballot.entries[:voters]:
        credential = ballot.credential_for(entry)
        result = services.postal_declaration_accept(
            contest=ballot.contest,
            actor=who,
            batch_number=batch.number,
            reference=credential.reference_display,
        )
        assert result.status == "accepted", result.message
        issued.append(credential)
    return batch, issued


def separate(ballot: OpenBallot, who: Any, batch: PostalBatch, papers: int, **kw: Any) -> Any:
    return services.postal_batch_separate(
        contest=ballot.contest, actor=who, batch_number=batch.number, papers_found=papers, **kw
    )


def key(ballot: OpenBallot, who: Any, batch: int, paper: int, ranking: list[int], **kw: Any) -> Any:
    return services.paper_key(
        contest=ballot.contest,
        operator=who,
        batch_number=batch,
        paper_number=paper,
        outcome=kw.pop("outcome", "ballot"),
        ranking=ranking,
        **kw,
    )


def count(ballot: OpenBallot) -> Any:
    services.ballot_close(contest=ballot.contest)
    return services.ballots_for_count(contest=ballot.contest, private_key_bytes=ballot.private_key)


def test_declarations_mark_voters_and_matching_keyings_store_ballots_for_the_count(
    open_ballot: OpenBallot, staff: Any
) -> None:
    corbyn, smith = (c.pk for c in open_ballot.candidates)
    batch, _ = batch_of(open_ballot, staff["alice"], 2)
    assert Credential.objects.filter(has_voted=True).count() == 2
    assert services.close_ballot_blockers(open_ballot.contest) == [
        "postal batch 1 is not settled: open, key and settle every ballot paper first"
    ]
    with pytest.raises(ServiceError, match="not ready for keying"):
        key(open_ballot, staff["alice"], 1, 1, [smith])
    separate(open_ballot, staff["alice"], batch, 2)
    first = key(open_ballot, staff["alice"], 1, 1, [smith, corbyn])
    assert first.status == "awaiting_second" and Ballot.objects.count() == 0
    with pytest.raises(ServiceError, match="different operator"):
        key(open_ballot, staff["alice"], 1, 1, [smith, corbyn])
    assert key(open_ballot, staff["bob"], 1, 1, [smith, corbyn]).status == "ballot"
    with pytest.raises(ServiceError, match="settled already"):
        key(open_ballot, staff["alice"], 1, 1, [smith])
    with pytest.raises(ServiceError, match="papers numbered 1 to 2"):
        key(open_ballot, staff["alice"], 1, 3, [smith])
    key(open_ballot, staff["bob"], 1, 2, [corbyn])
    last = key(open_ballot, staff["alice"], 1, 2, [corbyn])
    assert "last paper of batch 1" in last.message
    batch.refresh_from_db()
    assert batch.stage == "settled" and batch.keying_secret is None
    assert not PaperKeying.objects.exists()
    assert not services.close_ballot_blockers(open_ballot.contest)
    counted = count(open_ballot)
    assert sorted((b.ranking, b.category, b.channel) for b in counted.ballots.elements()) == [
        (("Jeremy Corbyn",), "member", "paper"),
        (("Owen Smith", "Jeremy Corbyn"), "member", "paper"),
    ]


def test_differing_keyings_go_to_a_supervisor_who_settles_them(
    open_ballot: OpenBallot, staff: Any
) -> None:
    corbyn, smith = (c.pk for c in open_ballot.candidates)
    batch, _ = batch_of(open_ballot, staff["alice"], 2)
    separate(open_ballot, staff["alice"], batch, 2)
    key(open_ballot, staff["alice"], 1, 2, [smith, corbyn])
    assert key(open_ballot, staff["bob"], 1, 2, [corbyn, smith]).status == "mismatch"
    with pytest.raises(ServiceError, match="supervisor"):
        key(open_ballot, staff["bob"], 1, 2, [corbyn])
    settled = services.paper_resolve(
        contest=open_ballot.contest,
        supervisor=staff["sue"],
        batch_number=1,
        paper_number=2,
        outcome="ballot",
        ranking=[smith],
        note="Second operator misread the paper",
    )
    assert settled.status == "ballot" and Ballot.objects.count() == 1
    event = AuditEvent.objects.get(action="paper.resolve")
    assert event.reason == "Second operator misread the paper"


def test_spoilt_paper_is_recorded_but_is_no_ballot(open_ballot: OpenBallot, staff: Any) -> None:
    batch, _ = batch_of(open_ballot, staff["alice"], 2)
    separate(open_ballot, staff["alice"], batch, 2)
    for who in ("alice", "bob"):
        result = key(open_ballot, staff[who], 1, 1, [], outcome="spoilt", reason="unclear")
    assert result.status == "spoilt"
    for who in ("alice", "bob"):
        key(open_ballot, staff[who], 1, 2, [open_ballot.candidates[0].pk])
    closing = count(open_ballot)
    assert len(list(closing.ballots.elements())) == 1 and closing.spoilt == {"unclear": 1}
    assert AuditEvent.objects.get(action="ballot.close").summary == (
        "Closed the ballot: 2 voters voted; 1 ballots for the count and 1 spoilt papers"
    )


def test_declaration_from_a_voter_who_voted_online_is_rejected_once(
    open_ballot: OpenBallot, staff: Any
) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    credential = services.credential_sign_in(
        reference=issued.reference, code=issued.code, client_ip="10.9.0.1"
    )
    services.ballot_cast(credential_id=credential.pk, ranking=[open_ballot.candidates[0].pk])
    batch = services.postal_batch_create(
        contest=open_ballot.contest, actor=staff["alice"], category="member"
    )
    for who in ("alice", "bob", "alice"):
        result = services.postal_declaration_accept(
            contest=open_ballot.contest,
            actor=staff[who],
            batch_number=1,
            reference=issued.reference,
        )
        assert result.status == "rejected"
    assert "already recorded as rejected" in result.message
    batch.refresh_from_db()
    assert batch.declarations_accepted == 0
    assert PaperRecord.objects.filter(reason="already_voted").count() == 1
    assert AuditEvent.objects.filter(action="paper.reject").count() == 1
    assert count(open_ballot).rejected == {"already_voted": 1}


def test_voter_whose_declaration_is_accepted_cannot_then_vote_online(
    open_ballot: OpenBallot, staff: Any
) -> None:
    _, (issued,) = batch_of(open_ballot, staff["alice"], 1)
    with pytest.raises(ServiceError, match="already been used"):
        credential = services.credential_sign_in(
            reference=issued.reference, code=issued.code, client_ip="10.9.0.2"
        )
        services.ballot_cast(credential_id=credential.pk, ranking=[open_ballot.candidates[0].pk])
    assert Ballot.objects.count() == 0


def test_declarations_are_checked_against_the_contest_and_the_batch_category(
    open_ballot: OpenBallot, staff: Any
) -> None:
    batch = services.postal_batch_create(
        contest=open_ballot.contest, actor=staff["alice"], category="registered_supporter"
    )
    issued = open_ballot.credential_for(open_ballot.entries[0])
    accept = services.postal_declaration_accept
    with pytest.raises(ServiceError, match="No voter in this contest"):
        accept(
            contest=open_ballot.contest,
            actor=staff["alice"],
            batch_number=1,
            reference="ABCDE-12345",
        )
    with pytest.raises(ServiceError, match="10 letters and numbers"):
        accept(contest=open_ballot.contest, actor=staff["alice"], batch_number=1, reference="ABC")
    with pytest.raises(ServiceError, match="holds registered supporter envelopes only"):
        accept(
            contest=open_ballot.contest,
            actor=staff["alice"],
            batch_number=1,
            reference=issued.reference,
        )
    with pytest.raises(ServiceError, match="no batch 7"):
        accept(
            contest=open_ballot.contest,
            actor=staff["alice"],
            batch_number=7,
            reference=issued.reference,
        )
    assert not Credential.objects.filter(has_voted=True).exists()
    services.paper_reject(contest=open_ballot.contest, actor=staff["alice"], reason="late")
    assert batch.pk and count(open_ballot).rejected == {"late": 1}


def test_a_small_batch_opens_only_with_a_supervisors_note(
    open_ballot: OpenBallot, staff: Any, settings: Any
) -> None:
    settings.OMOV_POSTAL_BATCH_MINIMUM = 3
    batch, _ = batch_of(open_ballot, staff["alice"], 2)
    with pytest.raises(ServiceError, match="only 2 accepted declarations"):
        separate(open_ballot, staff["alice"], batch, 2)
    opened = separate(open_ballot, staff["sue"], batch, 2, small_batch_note="Last post")
    assert opened.stage == "keying"
    assert AuditEvent.objects.get(action="postal.batch_separate").reason == "Last post"


@pytest.mark.parametrize(
    ("found", "counted", "spoilt", "rejected", "to_key"),
    [(1, 1, {"no_ballot_paper": 1}, {}, 1), (3, 3, {}, {"no_declaration": 1}, 2)],
)
def test_papers_and_declarations_that_differ_wait_for_the_supervisor(
    open_ballot: OpenBallot,
    staff: Any,
    found: int,
    counted: int,
    spoilt: dict[str, int],
    rejected: dict[str, int],
    to_key: int,
) -> None:
    batch, _ = batch_of(open_ballot, staff["alice"], 2)
    opened = separate(open_ballot, staff["alice"], batch, found)
    assert opened.stage == "count_mismatch"
    with pytest.raises(ServiceError, match="not ready for keying"):
        key(open_ballot, staff["alice"], 1, 1, [open_ballot.candidates[0].pk])
    with pytest.raises(ServiceError, match="a note"):
        services.postal_batch_reconcile(
            contest=open_ballot.contest,
            supervisor=staff["sue"],
            batch_number=1,
            papers_counted=counted,
            note=" ",
        )
    reconciled = services.postal_batch_reconcile(
        contest=open_ballot.contest,
        supervisor=staff["sue"],
        batch_number=1,
        papers_counted=counted,
        note="Recounted twice",
    )
    assert reconciled.stage == "keying" and reconciled.papers_to_key == to_key
    event = AuditEvent.objects.get(action="postal.batch_reconcile")
    assert event.actor == staff["sue"] and event.reason == "Recounted twice"
    for paper in range(1, to_key + 1):
        for who in ("alice", "bob"):
            key(open_ballot, staff[who], 1, paper, [open_ballot.candidates[0].pk])
    counted_input = count(open_ballot)
    assert counted_input.spoilt == spoilt and counted_input.rejected == rejected
    assert len(list(counted_input.ballots.elements())) == to_key


def test_pages_check_declarations_and_key_papers_without_naming_a_voter(
    client: Any, open_ballot: OpenBallot, staff: Any
) -> None:
    corbyn, smith = (c.pk for c in open_ballot.candidates)
    slug = open_ballot.contest.slug
    client.force_login(staff["alice"])
    response = client.post(f"/vote/paper/{slug}/batches/", {"category": "member"}, follow=True)
    assert "Batch 1 started" in response.content.decode()
    references = []
    for entry in open_ballot.entries[:2]:
        issued = open_ballot.credential_for(entry)
        references.append(issued.reference)
        page = client.post(
            f"/vote/paper/{slug}/batches/1/", {"reference": issued.reference_display}, follow=True
        ).content.decode()
        assert "accepted and its voter marked as voted" in page
    page = client.post(f"/vote/paper/{slug}/batches/1/", {"papers_found": "2"}, follow=True)
    assert "ready for keying: write 1 to 2" in page.content.decode()
    form = {"batch_number": "1", "paper_number": "1", "outcome": "ballot", f"pref_{corbyn}": "1"}
    page = client.post(f"/vote/paper/{slug}/", {**form, f"pref_{smith}": "1"})
    assert "give each number to one candidate only" in page.content.decode()
    keying = client.get(f"/vote/paper/{slug}/").content.decode()
    assert "Preference for Jeremy Corbyn" in keying and "Your preference" not in keying
    response = client.post(f"/vote/paper/{slug}/", form, follow=True)
    assert "First keying of paper 1 of batch 1 saved" in response.content.decode()
    client.force_login(staff["bob"])
    response = client.post(f"/vote/paper/{slug}/", {**form, f"pref_{smith}": "2"}, follow=True)
    assert "The two keyings differ" in response.content.decode()
    client.force_login(staff["sue"])
    listing = client.get(f"/vote/paper/{slug}/supervisor/").content.decode()
    assert "Resolve paper 1 of batch 1" in listing
    response = client.post(
        f"/vote/paper/{slug}/supervisor/1/1/", {**form, "note": "Clear 1 only"}, follow=True
    )
    assert "settled and stored for the count" in response.content.decode()
    assert Ballot.objects.count() == 1
    assert AuditEvent.objects.get(action="paper.resolve").reason == "Clear 1 only"
    for path in (f"/vote/paper/{slug}/", f"/vote/paper/{slug}/supervisor/"):
        html = client.get(path).content.decode()
        for reference in references:
            assert reference not in html and reference[:5] not in html
        for entry in open_ballot.entries[:2]:
            assert entry.person.full_name not in html
            assert entry.person.external_id not in html


def test_only_a_supervisor_opens_a_small_batch_from_the_page(
    client: Any, open_ballot: OpenBallot, staff: Any, settings: Any
) -> None:
    settings.OMOV_POSTAL_BATCH_MINIMUM = 5
    batch_of(open_ballot, staff["alice"], 2)
    slug = open_ballot.contest.slug
    client.force_login(staff["alice"])
    page = client.get(f"/vote/paper/{slug}/batches/1/").content.decode()
    assert "Supervisor" not in page
    form = {"papers_found": "2", "small_batch_note": "Last post"}
    refused = client.post(f"/vote/paper/{slug}/batches/1/", form).content.decode()
    assert "only 2 accepted declarations" in refused
    client.force_login(staff["sue"])
    done = client.post(f"/vote/paper/{slug}/batches/1/", form, follow=True).content.decode()
    assert "ready for keying: write 1 to 2" in done
    assert AuditEvent.objects.get(action="postal.batch_separate").actor == staff["sue"]
