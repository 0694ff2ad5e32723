"""Opening, casting, closing and handing ballots to the count, through the services."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from factories import CandidateFactory, ContestFactory, PersonFactory
from omov.ballots import crypto, selectors, services
from omov.ballots.models import Ballot, BallotBox, Credential
from omov.ballots.services import voting
from omov.contests.models import ContestStatus
from omov.contests.services import contest_take_step
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.models import AuditEvent
from omov.electorate.models import Category, RollEntry

pytestmark = pytest.mark.django_db


def cast(open_ballot: Any, entry: Any, names: list[str], ip: str = "10.0.0.1") -> str:
    issued = open_ballot.credential_for(entry)
    credential = services.credential_sign_in(
        reference=issued.reference_display, code=issued.code.lower(), client_ip=ip
    )
    by_name = {c.name: c.pk for c in open_ballot.candidates}
    return services.ballot_cast(credential_id=credential.pk, ranking=[by_name[n] for n in names])


def test_opening_creates_one_credential_per_eligible_voter_and_keeps_no_private_key(
    open_ballot: Any,
) -> None:
    contest = open_ballot.contest
    assert contest.status == ContestStatus.BALLOT_OPEN
    assert Credential.objects.filter(contest=contest).count() == 5
    box = BallotBox.objects.get(contest=contest)
    assert bytes(box.public_key) == crypto.public_key_of(open_ballot.private_key)
    audit = AuditEvent.objects.get(action="ballot.open")
    assert open_ballot.private_key.hex() not in str(audit.data)


def test_ineligible_roll_entries_get_no_credential_and_delivery_follows_consent(db: Any) -> None:
    contest = ContestFactory(status=ContestStatus.ROLL_FROZEN)
    CandidateFactory(contest=contest, name="A", status="nominated")
    emailed = PersonFactory()
    posted = PersonFactory(consent_email=False)
    refused = PersonFactory()
    for person, eligible in ((emailed, True), (posted, True), (refused, False)):
        RollEntry.objects.create(
            contest=contest,
            person=person,
            category=Category.MEMBER,
            is_eligible=eligible,
            frozen_at=clock.now(),
        )
    opening = services.ballot_open(contest=contest, hand_over_key=True)
    assert opening.credentials_created == 2
    deliveries = dict(Credential.objects.values_list("roll_entry__person", "delivery"))
    assert deliveries == {emailed.pk: "email", posted.pk: "letter"}


def test_opening_without_a_way_to_hand_over_the_key_is_refused(db: Any) -> None:
    contest = ContestFactory(status=ContestStatus.ROLL_FROZEN)
    with pytest.raises(ServiceError, match="count key"):
        contest_take_step(contest=contest, step="open_ballot")
    contest.refresh_from_db()
    assert contest.status == ContestStatus.ROLL_FROZEN


def test_key_file_is_written_once_with_mode_0600(db: Any, tmp_path: Path) -> None:
    contest = ContestFactory(status=ContestStatus.ROLL_FROZEN)
    CandidateFactory(contest=contest, name="A", status="nominated")
    RollEntry.objects.create(
        contest=contest,
        person=PersonFactory(),
        category=Category.MEMBER,
        is_eligible=True,
        frozen_at=clock.now(),
    )
    key_file = tmp_path / "count.key"
    key_file.write_text("something else")
    with pytest.raises(ServiceError, match="already exists"):
        contest_take_step(contest=contest, step="open_ballot", key_out=key_file)
    key_file.unlink()
    opening = contest_take_step(contest=contest, step="open_ballot", key_out=key_file)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert crypto.count_key_parse(key_file.read_bytes()) == opening.private_key


def test_cast_stores_a_sealed_ballot_and_marks_the_voter(open_ballot: Any) -> None:
    receipt = cast(open_ballot, open_ballot.entries[0], ["Owen Smith", "Jeremy Corbyn"])
    assert Ballot.objects.filter(receipt=receipt).count() == 1
    assert Credential.objects.filter(has_voted=True).count() == 1
    ballot = Ballot.objects.get()
    assert crypto.receipt_of(bytes(ballot.sealed)) == receipt
    assert b"Owen" not in bytes(ballot.sealed)


def test_second_vote_with_the_same_credential_is_refused(open_ballot: Any) -> None:
    entry = open_ballot.entries[0]
    issued = open_ballot.credential_for(entry)
    credential = services.credential_sign_in(
        reference=issued.reference, code=issued.code, client_ip="10.0.0.2"
    )
    first = open_ballot.candidates[0].pk
    services.ballot_cast(credential_id=credential.pk, ranking=[first])
    with pytest.raises(services.AlreadyVoted):
        services.ballot_cast(credential_id=credential.pk, ranking=[first])
    with pytest.raises(services.AlreadyVoted):
        services.credential_sign_in(
            reference=issued.reference, code=issued.code, client_ip="10.0.0.2"
        )
    assert Ballot.objects.count() == 1


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        ([], "at least one"),
        ([1, 1], "only once"),
        ([999999], "not standing"),
    ],
)
def test_invalid_rankings_are_refused(open_ballot: Any, ranking: list[int], message: str) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    credential = services.credential_sign_in(
        reference=issued.reference, code=issued.code, client_ip="10.0.0.3"
    )
    ids = [open_ballot.candidates[0].pk if pk == 1 else pk for pk in ranking]
    with pytest.raises(ServiceError, match=message):
        services.ballot_cast(credential_id=credential.pk, ranking=ids)
    assert Ballot.objects.count() == 0
    assert not Credential.objects.filter(has_voted=True).exists()


def test_wrong_code_is_refused_and_guessing_is_throttled(open_ballot: Any, settings: Any) -> None:
    settings.OMOV_BOOTH_ATTEMPTS_PER_REFERENCE = 3
    issued = open_ballot.credential_for(open_ballot.entries[0])
    for _ in range(3):
        with pytest.raises(ServiceError, match="do not match"):
            services.credential_sign_in(
                reference=issued.reference, code="AAAA-AAAA", client_ip="1.2.3.4"
            )
    with pytest.raises(services.Throttled, match="try again after"):
        services.credential_sign_in(
            reference=issued.reference, code=issued.code, client_ip="1.2.3.5"
        )


def test_guessing_from_one_address_is_throttled_across_references(
    open_ballot: Any, settings: Any
) -> None:
    settings.OMOV_BOOTH_ATTEMPTS_PER_ADDRESS = 2
    for _ in range(2):
        with pytest.raises(ServiceError, match="do not match"):
            services.credential_sign_in(
                reference=crypto.credential_generate().reference,
                code="AAAAAAAA",
                client_ip="9.9.9.9",
            )
    issued = open_ballot.credential_for(open_ballot.entries[1])
    with pytest.raises(services.Throttled):
        services.credential_sign_in(
            reference=issued.reference, code=issued.code, client_ip="9.9.9.9"
        )


def test_close_then_count_returns_every_ballot_with_names_category_and_channel(
    open_ballot: Any,
) -> None:
    cast(open_ballot, open_ballot.entries[0], ["Jeremy Corbyn", "Owen Smith"])
    cast(open_ballot, open_ballot.entries[1], ["Owen Smith"])
    cast(open_ballot, open_ballot.entries[2], ["Jeremy Corbyn"])
    contest = open_ballot.contest
    with pytest.raises(ServiceError, match="still open"):
        services.ballots_for_count(contest=contest, private_key_bytes=open_ballot.private_key)
    services.ballot_close(contest=contest, actor_label="test")
    contest.refresh_from_db()
    result = services.ballots_for_count(
        contest=contest, private_key_bytes=open_ballot.key_text.encode()
    )
    assert Counter(b.ranking for b in result.ballots.elements()) == Counter(
        {("Jeremy Corbyn", "Owen Smith"): 1, ("Owen Smith",): 1, ("Jeremy Corbyn",): 1}
    )
    assert {b.category for b in result.ballots} == {"member"}
    assert {b.channel for b in result.ballots} == {"online"}
    assert result.credentials_issued == 5
    assert result.issued_by_category == {"member": 5}
    assert result.spoilt == {} and result.rejected == {}


def test_count_groups_identical_ballots_opened_in_batches(
    open_ballot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = open_ballot.entries
    services.ballots_seed_demo(
        contest=open_ballot.contest,
        votes=[
            (entries[0], ["Jeremy Corbyn"]),
            (entries[1], ["Owen Smith", "Jeremy Corbyn"]),
            (entries[2], ["Jeremy Corbyn"]),
            (entries[3], ["Jeremy Corbyn"]),
            (entries[4], ["Owen Smith", "Jeremy Corbyn"]),
        ],
    )
    services.ballot_close(contest=open_ballot.contest, actor_label="test")
    monkeypatch.setattr(voting, "OPEN_BATCH", 2)  # three batches: 2, 2 and 1 ballots
    result = services.ballots_for_count(
        contest=open_ballot.contest, private_key_bytes=open_ballot.private_key
    )
    assert result.ballots == Counter(
        {
            services.DecryptedBallot(("Jeremy Corbyn",), "member", "online"): 3,
            services.DecryptedBallot(("Owen Smith", "Jeremy Corbyn"), "member", "online"): 2,
        }
    )


def test_count_with_the_wrong_key_is_refused(open_ballot: Any) -> None:
    services.ballot_close(contest=open_ballot.contest, actor_label="test")
    other_private, _ = crypto.count_key_generate()
    with pytest.raises(ServiceError, match="does not open this contest's ballots"):
        services.ballots_for_count(contest=open_ballot.contest, private_key_bytes=other_private)
    with pytest.raises(ServiceError, match="does not open"):
        services.ballots_for_count(contest=open_ballot.contest, private_key_bytes=b"garbage")


def test_no_cast_after_close(open_ballot: Any) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    credential = services.credential_sign_in(
        reference=issued.reference, code=issued.code, client_ip="10.0.0.4"
    )
    services.ballot_close(contest=open_ballot.contest, actor_label="test")
    with pytest.raises(ServiceError, match="has closed"):
        services.ballot_cast(credential_id=credential.pk, ranking=[open_ballot.candidates[0].pk])
    assert Ballot.objects.count() == 0


def test_turnout_summary_counts_by_category(open_ballot: Any) -> None:
    cast(open_ballot, open_ballot.entries[0], ["Owen Smith"])
    summary = selectors.turnout_summary(open_ballot.contest)
    assert summary == {
        "issued": 5,
        "voted": 1,
        "by_category": {"member": {"issued": 5, "voted": 1, "label": "Member"}},
    }


def test_seed_demo_casts_in_bulk_and_refuses_double_votes(open_ballot: Any) -> None:
    entries = open_ballot.entries
    totals = services.ballots_seed_demo(
        contest=open_ballot.contest,
        votes=[
            (entries[0], ["Owen Smith"]),
            (entries[1], ["Jeremy Corbyn", "Owen Smith"]),
            (entries[2], None),
        ],
        batch_size=2,
    )
    assert totals == {"ballots": 2, "spoilt": 1}
    assert Credential.objects.filter(has_voted=True).count() == 3
    with pytest.raises(ServiceError, match="already voted"):
        services.ballots_seed_demo(
            contest=open_ballot.contest, votes=[(entries[0], ["Owen Smith"])]
        )
    services.ballot_close(contest=open_ballot.contest, actor_label="test")
    result = services.ballots_for_count(
        contest=open_ballot.contest, private_key_bytes=open_ballot.private_key
    )
    assert result.ballots.total() == 2
    assert result.spoilt == {"no_preference": 1}


def test_credentials_use_the_whole_alphabet_evenly_and_never_repeat() -> None:
    drawn = [crypto.credential_generate() for _ in range(4000)]
    assert len({d.reference for d in drawn}) == 4000
    symbols = Counter("".join(d.reference + d.code for d in drawn))
    assert set(symbols) == set(crypto.ALPHABET)
    expected = 4000 * 18 / 32
    assert all(abs(n - expected) < expected * 0.15 for n in symbols.values())
    assert all(crypto.is_well_formed_reference(d.reference) for d in drawn)
    assert all(crypto.is_well_formed_code(d.code) for d in drawn)
