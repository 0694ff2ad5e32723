"""Postal ballots: two blind keyings, mismatches for a supervisor, spoilt and rejected papers."""

from __future__ import annotations

from typing import Any

import pytest
from ballots_support import OpenBallot

from factories import UserFactory, grant
from omov.ballots import services
from omov.ballots.models import Ballot, Credential, PaperKeying, PaperRecord
from omov.core.errors import ServiceError
from omov.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db


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


def key(ballot: OpenBallot, who: Any, reference: str, ranking: list[int], **kw: Any) -> Any:
    return services.paper_key(
        contest=ballot.contest,
        operator=who,
        reference=reference,
        outcome=kw.pop("outcome", "ballot"),
        ranking=ranking,
        **kw,
    )


def test_two_matching_keyings_make_a_paper_ballot(open_ballot: OpenBallot, staff: Any) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    corbyn, smith = (c.pk for c in open_ballot.candidates)
    first = key(open_ballot, staff["alice"], issued.reference_display, [smith, corbyn])
    assert first.status == "awaiting_second"
    assert Ballot.objects.count() == 0
    with pytest.raises(ServiceError, match="different operator"):
        key(open_ballot, staff["alice"], issued.reference, [smith, corbyn])
    second = key(open_ballot, staff["bob"], issued.reference.lower(), [smith, corbyn])
    assert second.status == "ballot"
    assert Ballot.objects.count() == 1
    assert Credential.objects.get(roll_entry=open_ballot.entries[0]).has_voted
    assert not PaperKeying.objects.exists()
    services.ballot_close(contest=open_ballot.contest)
    counted = services.ballots_for_count(
        contest=open_ballot.contest, private_key_bytes=open_ballot.private_key
    )
    assert [(b.ranking, b.channel) for b in counted.ballots.elements()] == [
        (("Owen Smith", "Jeremy Corbyn"), "paper")
    ]


def test_differing_keyings_go_to_a_supervisor_who_settles_them(
    open_ballot: OpenBallot, staff: Any
) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    corbyn, smith = (c.pk for c in open_ballot.candidates)
    key(open_ballot, staff["alice"], issued.reference, [smith, corbyn])
    result = key(open_ballot, staff["bob"], issued.reference, [corbyn, smith])
    assert result.status == "mismatch"
    assert Ballot.objects.count() == 0
    with pytest.raises(ServiceError, match="supervisor"):
        key(open_ballot, staff["bob"], issued.reference, [corbyn])
    assert services.close_ballot_blockers(open_ballot.contest)
    settled = services.paper_resolve(
        contest=open_ballot.contest,
        supervisor=staff["sue"],
        reference=issued.reference,
        outcome="ballot",
        ranking=[smith],
        note="Second operator misread the paper",
    )
    assert settled.status == "ballot"
    assert Ballot.objects.count() == 1
    assert not services.close_ballot_blockers(open_ballot.contest)


def test_spoilt_paper_is_recorded_and_marks_the_voter_but_is_no_ballot(
    open_ballot: OpenBallot, staff: Any
) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    for who in ("alice", "bob"):
        result = key(
            open_ballot, staff[who], issued.reference, [], outcome="spoilt", reason="unclear"
        )
    assert result.status == "spoilt"
    assert Ballot.objects.count() == 0
    assert PaperRecord.objects.get().reason == "unclear"
    assert Credential.objects.get(roll_entry=open_ballot.entries[0]).has_voted
    services.ballot_close(contest=open_ballot.contest)
    # The close explains why voters who voted outnumber ballots for the count.
    closing = AuditEvent.objects.get(action="ballot.close")
    assert closing.summary == (
        "Closed the ballot: 1 voters voted; 0 ballots for the count and 1 spoilt papers"
    )
    counted = services.ballots_for_count(
        contest=open_ballot.contest, private_key_bytes=open_ballot.private_key
    )
    assert not counted.ballots and counted.spoilt == {"unclear": 1}


def test_paper_from_a_voter_who_voted_online_is_rejected(
    open_ballot: OpenBallot, staff: Any
) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    credential = services.credential_sign_in(
        reference=issued.reference, code=issued.code, client_ip="10.9.0.1"
    )
    corbyn = open_ballot.candidates[0].pk
    services.ballot_cast(credential_id=credential.pk, ranking=[corbyn])
    result = key(open_ballot, staff["alice"], issued.reference, [corbyn])
    assert result.status == "rejected"
    assert Ballot.objects.count() == 1
    assert PaperRecord.objects.get().reason == "already_voted"


def test_voter_who_votes_online_between_the_two_keyings_keeps_the_online_vote(
    open_ballot: OpenBallot, staff: Any
) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    corbyn, smith = (c.pk for c in open_ballot.candidates)
    key(open_ballot, staff["alice"], issued.reference, [smith])
    credential = services.credential_sign_in(
        reference=issued.reference, code=issued.code, client_ip="10.9.0.2"
    )
    services.ballot_cast(credential_id=credential.pk, ranking=[corbyn])
    result = key(open_ballot, staff["bob"], issued.reference, [smith])
    assert result.status == "rejected"
    assert Ballot.objects.count() == 1
    assert PaperRecord.objects.get().reason == "already_voted"


def test_unknown_reference_is_refused_and_rejection_is_recorded(
    open_ballot: OpenBallot, staff: Any
) -> None:
    with pytest.raises(ServiceError, match="No voter in this contest"):
        key(open_ballot, staff["alice"], "ABCDE-12345", [open_ballot.candidates[0].pk])
    with pytest.raises(ServiceError, match="10 letters and numbers"):
        key(open_ballot, staff["alice"], "ABC", [open_ballot.candidates[0].pk])
    services.paper_reject(
        contest=open_ballot.contest, actor=staff["alice"], reason="unknown_reference"
    )
    services.ballot_close(contest=open_ballot.contest)
    counted = services.ballots_for_count(
        contest=open_ballot.contest, private_key_bytes=open_ballot.private_key
    )
    assert counted.rejected == {"unknown_reference": 1}
    assert Credential.objects.filter(has_voted=True).count() == 0


def test_paper_pages_key_and_resolve(client: Any, open_ballot: OpenBallot, staff: Any) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    corbyn, smith = (c.pk for c in open_ballot.candidates)
    slug = open_ballot.contest.slug
    form = {"reference": issued.reference, "outcome": "ballot", f"pref_{corbyn}": "1"}
    client.force_login(staff["alice"])
    page = client.post(f"/vote/paper/{slug}/", {**form, f"pref_{smith}": "1"})
    assert "give each number to one candidate only" in page.content.decode()
    response = client.post(f"/vote/paper/{slug}/", form, follow=True)
    assert "First keying saved" in response.content.decode()
    client.force_login(staff["bob"])
    blind = client.get(f"/vote/paper/{slug}/").content.decode()
    assert issued.reference not in blind
    response = client.post(f"/vote/paper/{slug}/", {**form, f"pref_{smith}": "2"}, follow=True)
    assert "The two keyings differ" in response.content.decode()
    client.force_login(staff["sue"])
    listing = client.get(f"/vote/paper/{slug}/supervisor/").content.decode()
    assert issued.reference in listing
    response = client.post(f"/vote/paper/{slug}/supervisor/{issued.reference}/", form, follow=True)
    assert "The paper is now a ballot." in response.content.decode()
    assert Ballot.objects.count() == 1
