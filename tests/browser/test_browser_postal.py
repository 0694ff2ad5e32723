"""Journey: a postal batch — declarations checked, then its ballot papers keyed by two operators.

The operators key each ballot paper by its batch and paper number; the keying pages never show a
reference, a name or a membership number (issue 15, item 2). A supervisor settles the one paper
whose keyings differ. Axe checks the batch, declaration and keying pages.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_browser_voting import serious_violations

from factories import CandidateFactory, ContestFactory, PersonFactory, UserFactory, grant
from omov.ballots import crypto, services
from omov.ballots.models import Ballot, Credential, PaperKeying, PostalBatch
from omov.core import clock
from omov.core.models import Role
from omov.electorate.models import RollEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postal(settings: Any) -> dict[str, Any]:
    """An open ballot with three postal voters whose letters (known credentials) went out."""
    settings.OMOV_POSTAL_BATCH_MINIMUM = 3
    contest = ContestFactory(slug="postal-2016", title="Leadership election", status="roll_frozen")
    candidates = [
        CandidateFactory(contest=contest, name=name, status="nominated", ballot_position=i)
        for i, name in enumerate(("Jeremy Corbyn", "Owen Smith"), start=1)
    ]
    people = []
    for _ in range(3):
        person = PersonFactory(consent_email=False)
        people.append(person)
        RollEntry.objects.create(
            contest=contest,
            person=person,
            category="member",
            is_eligible=True,
            frozen_at=clock.now(),
        )
    services.ballot_open(contest=contest, hand_over_key=True)
    references = []
    for credential in Credential.objects.filter(contest=contest):
        issued = crypto.credential_generate()
        credential.reference_hash = crypto.reference_hash(issued.reference)
        credential.code_hash = crypto.code_hash(issued.reference, issued.code)
        credential.issued_at = clock.now()
        credential.generation = 1
        credential.save()
        references.append(issued.reference_display)
    staff = {}
    for name, role in (
        ("alice", Role.PAPER_OPERATOR),
        ("bob", Role.PAPER_OPERATOR),
        ("sue", Role.PAPER_SUPERVISOR),
    ):
        staff[name] = UserFactory(username=name)
        grant(staff[name], role, contest=contest)
    return {"contest": contest, "candidates": candidates, "people": people, "refs": references}


def as_user(browser: Any, live_server: Any, sign_in: Any, username: str) -> Any:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, username)
    return page


def key_paper(page: Any, paper: int, preferences: dict[str, str]) -> str:
    page.goto("/vote/paper/postal-2016/")
    page.get_by_label("Batch number").fill("1")
    page.get_by_label("Paper number in the batch").fill(str(paper))
    page.get_by_label("Valid preferences").check()
    for name, number in preferences.items():
        page.get_by_label(f"Preference for {name}").select_option(number)
    page.get_by_role("button", name="Save this keying").click()
    return str(page.locator(".messages").inner_text())


def assert_names_nobody(html: str, postal: dict[str, Any]) -> None:
    for reference in postal["refs"]:
        assert reference not in html and reference.replace("-", "") not in html
    for person in postal["people"]:
        assert person.full_name not in html and person.external_id not in html


def test_a_postal_batch_is_keyed_by_two_operators_who_never_see_the_voter(
    browser: Any, live_server: Any, sign_in: Any, postal: dict[str, Any]
) -> None:
    alice = as_user(browser, live_server, sign_in, "alice")
    # Stage 1: the declarations of batch 1.
    alice.goto("/vote/paper/postal-2016/batches/")
    assert serious_violations(alice) == []
    alice.get_by_label("Category of the voters").select_option("member")
    alice.get_by_role("button", name="Start a batch").click()
    assert "Batch 1 started" in alice.locator(".messages").inner_text()
    for reference in postal["refs"]:
        alice.get_by_label("Ballot reference on the declaration").fill(reference)
        alice.get_by_role("button", name="Check this declaration").click()
        assert "accepted and its voter marked as voted" in alice.locator(".messages").inner_text()
    assert serious_violations(alice) == []
    assert Credential.objects.filter(has_voted=True).count() == 3
    # Stage 2: the ballot envelopes are opened together, mixed and numbered 1 to 3.
    alice.get_by_label("Ballot papers found in the opened envelopes").fill("3")
    alice.get_by_role("button", name="Record the ballot papers found").click()
    assert "ready for keying: write 1 to 3" in alice.locator(".messages").inner_text()

    papers = {
        1: {"Jeremy Corbyn": "1", "Owen Smith": "2"},
        2: {"Owen Smith": "1"},
        3: {"Jeremy Corbyn": "1"},
    }
    for paper, preferences in papers.items():
        message = key_paper(alice, paper, preferences)
        assert f"First keying of paper {paper} of batch 1 saved" in message
    assert serious_violations(alice) == []
    assert_names_nobody(alice.content(), postal)

    bob = as_user(browser, live_server, sign_in, "bob")
    assert "settled and stored for the count" in key_paper(bob, 1, papers[1])
    key_paper(bob, 2, papers[2])
    mismatch = key_paper(bob, 3, {"Owen Smith": "1"})  # bob misreads paper 3
    assert "The two keyings differ" in mismatch
    assert_names_nobody(bob.content(), postal)

    sue = as_user(browser, live_server, sign_in, "sue")
    sue.goto("/vote/paper/postal-2016/supervisor/")
    sue.get_by_role("link", name="Resolve paper 3 of batch 1").click()
    sue.get_by_label("Preference for Jeremy Corbyn").select_option("1")
    sue.get_by_label("Note").fill("The paper clearly shows 1 for Jeremy Corbyn")
    sue.get_by_role("button", name="Save this keying").click()
    assert "last paper of batch 1" in sue.locator(".messages").inner_text()
    assert_names_nobody(sue.content(), postal)

    assert Ballot.objects.filter(contest=postal["contest"]).count() == 3
    batch = PostalBatch.objects.get()
    assert batch.stage == "settled" and batch.keying_secret is None
    assert not PaperKeying.objects.exists()
