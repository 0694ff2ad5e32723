"""`omov demo`: the built demo declares the scaled 2016 figures and lets a newcomer vote.

The build runs at 1/100 of 2016 here (the default scale); the full size is measured by hand
(`omov demo --no-serve --full`), since it takes minutes. The scaled figures are written out in
full below, so a change in scaling or in the count shows up as a failing number.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse

from omov.ballots.models import Ballot, Credential
from omov.ballots.services import AlreadyVoted, ballot_cast, credential_sign_in
from omov.cli.main import main
from omov.contests.models import Contest, ContestStatus
from omov.core.models import CAMPAIGN_ROLES, AuditEvent, RoleAssignment
from omov.demo.build import (
    DEPUTY_SLUG,
    LEADERSHIP_SLUG,
    DemoError,
    DemoReport,
    demo_build,
    result_problems,
)
from omov.demo.figures import demo_figures
from omov.demo.verified import VERIFIED_SLUG
from omov.electorate.models import Branch, Person, RollEntry
from omov.nominations.models import BranchMeeting
from omov.nominations.selectors import percent_text
from omov.results.models import Result
from omov.results.selectors import percent
from omov.trustees.models import ElectionRecord
from omov.trustees.record import record_write
from omov.trustees.selectors import decoded_ballots

#: 1/100 of the published 2016 figures, each rounded half up.
SCALED_VOTES = {
    "member": {"Jeremy Corbyn": 1682, "Owen Smith": 1170},
    "registered_supporter": {"Jeremy Corbyn": 849, "Owen Smith": 366},
    "affiliated_supporter": {"Jeremy Corbyn": 601, "Owen Smith": 397},
}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo")


@pytest.fixture(scope="module")
def built_once(
    django_db_setup: Any, django_db_blocker: Any, demo_dir: Path, labour_contests_path: Path
) -> Iterator[DemoReport]:
    """Build the demo once for this module, inside a transaction rolled back at the end.

    Each test runs in its own nested transaction (the ``db`` fixture), so what a test changes
    (a vote cast, a second build) is rolled back before the next one.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_build(data_dir=demo_dir, divisor=100, figures_path=labour_contests_path)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def built(built_once: DemoReport, db: Any) -> DemoReport:
    return built_once


def _counts() -> dict[str, int]:
    return {
        "contests": Contest.objects.count(),
        "people": Person.objects.count(),
        "branches": Branch.objects.count(),
        "roll entries": RollEntry.objects.count(),
        "credentials": Credential.objects.count(),
        "ballots": Ballot.objects.count(),
        "results": Result.objects.count(),
        "meetings": BranchMeeting.objects.count(),
        "users": get_user_model().objects.count(),
        "roles": RoleAssignment.objects.count(),
        "role grants audited": AuditEvent.objects.filter(action="role.grant").count(),
    }


def test_the_declared_result_has_the_scaled_2016_figures(built: DemoReport) -> None:
    contest = Contest.objects.get(slug=LEADERSHIP_SLUG)
    assert contest.status == ContestStatus.DECLARED
    result = Result.objects.get(contest=contest)
    assert result.elected == ["Jeremy Corbyn"]
    assert result.credentials_issued == 6540
    assert result.valid == 5065
    assert result.spoilt_total == 10
    assert result.rejected_total == 0
    assert result.report["rounds"][-1]["votes"] == {"Jeremy Corbyn": "3132", "Owen Smith": "1933"}
    assert {category: item["votes"] for category, item in result.categories.items()} == (
        SCALED_VOTES
    )
    assert sum(result.issued_by_category.values()) == 6540
    assert result.ballots_returned == 5075
    assert percent(result.ballots_returned, result.credentials_issued) == "77.6"
    assert built.problems == []

    page = Client().get(reverse("results:declaration", args=[contest.slug]))
    assert page.status_code == 200
    text = page.content.decode()
    for figure in ("3,132", "1,933", "61.8", "38.2", "5,065", "6,540", "77.6"):
        assert figure in text, figure


def test_the_nominations_page_shows_the_published_branch_figures(built: DemoReport) -> None:
    page = Client().get(reverse("nominations:overview", args=[LEADERSHIP_SLUG]))
    assert page.status_code == 200
    text = page.content.decode()
    # The published share (of the 338 branches that nominated) beside the gate's (of all).
    branches = Branch.objects.count()
    for nominations, published in ((285, "84.3%"), (53, "15.7%")):
        share = percent_text(Fraction(nominations, branches))
        assert (
            f"{nominations} of {branches}: {share} of all branches ({published} of the 338 "
            "that nominated)"
        ) in text
    assert "338 branches made a supporting nomination" in text
    assert BranchMeeting.objects.filter(contest__slug=LEADERSHIP_SLUG).count() == 338


def test_the_roll_holds_ineligible_people_with_their_reasons(built: DemoReport) -> None:
    entries = RollEntry.objects.filter(contest__slug=LEADERSHIP_SLUG)
    assert entries.filter(is_eligible=True).count() == 6540
    reasons = {
        code
        for row in entries.filter(is_eligible=False).values_list("reasons", flat=True)
        for code in row
    }
    assert {
        "joined_by_freeze_date",
        "membership_continuous",
        "not_suspended",
        "arrears_paid",
        "adult",
        "supporter_fee_paid",
        "on_electoral_register",
    } <= reasons


def test_a_printed_credential_votes_once_in_the_open_contest(built: DemoReport) -> None:
    deputy = Contest.objects.get(slug=DEPUTY_SLUG)
    assert deputy.status == ContestStatus.BALLOT_OPEN
    assert len(built.credentials) == 5
    printed = built.credentials[0]
    assert printed.booth_url.endswith(f"/vote/#ref={printed.reference.replace('-', '')}")
    credential = credential_sign_in(
        reference=printed.reference, code=printed.code, client_ip="192.0.2.1"
    )
    assert credential.contest_id == deputy.pk
    ranking = list(deputy.candidates.values_list("pk", flat=True)[:2])
    before = Ballot.objects.filter(contest=deputy).count()
    assert ballot_cast(credential_id=credential.pk, ranking=ranking)
    assert Ballot.objects.filter(contest=deputy).count() == before + 1
    with pytest.raises(AlreadyVoted):
        ballot_cast(credential_id=credential.pk, ranking=ranking)


def test_each_staff_account_is_granted_its_role_once_and_audited(built: DemoReport) -> None:
    grants = AuditEvent.objects.filter(action="role.grant")
    assert set(grants.values_list("actor_label", flat=True)) == {"omov demo"}
    # The campaigns' callers are checked in test_demo_campaigns.py.
    staff = grants.exclude(data__role__in=[str(role) for role in CAMPAIGN_ROLES])
    assert sorted(staff.values_list("summary", flat=True)) == sorted(
        [
            "Granted returning-officer the role Returning officer (every contest)",
            "Granted scrutineer the role Scrutineer (every contest)",
            "Granted islington-north-secretary the role Branch secretary "
            "(branch Islington North, every contest)",
            f"Granted owen-smith-agent the role Candidate's agent "
            f"(candidate Owen Smith, contest {LEADERSHIP_SLUG})",
            f"Granted paper-operator-1 the role Paper ballot operator (contest {DEPUTY_SLUG})",
            f"Granted paper-operator-2 the role Paper ballot operator (contest {DEPUTY_SLUG})",
            f"Granted paper-supervisor the role Paper ballot supervisor (contest {DEPUTY_SLUG})",
        ]
        + [
            f"Granted trustee-{number} the role Trustee (contest {VERIFIED_SLUG})"
            for number in (1, 2, 3)
        ]
    )
    assert RoleAssignment.objects.exclude(role__in=CAMPAIGN_ROLES).count() == 10
    assert [account.username for account in built.accounts] == [
        "returning-officer",
        "scrutineer",
        "islington-north-secretary",
        "owen-smith-agent",
        "paper-operator-1",
        "paper-operator-2",
        "paper-supervisor",
        "tom-watson-caller",
        "jeremy-corbyn-organiser",
        "trustee-1",
        "trustee-2",
        "trustee-3",
    ]


def test_building_again_reuses_the_demo_and_duplicates_nothing(
    built: DemoReport, demo_dir: Path, labour_contests_path: Path
) -> None:
    before = _counts()
    again = demo_build(data_dir=demo_dir, divisor=100, figures_path=labour_contests_path)
    assert again.is_reused
    assert _counts() == before
    assert again.problems == []
    # The reused demo prints fresh credentials that work; the first build's no longer do.
    fresh = again.credentials[0]
    assert credential_sign_in(reference=fresh.reference, code=fresh.code, client_ip="192.0.2.2")
    old = {(c.reference, c.code) for c in built.credentials}
    for printed in again.credentials:
        assert (printed.reference, printed.code) not in old
    # New passwords each run, and they work.
    officer = next(a for a in again.accounts if a.username == "returning-officer")
    client = Client()
    assert client.login(username="returning-officer", password=officer.password)
    assert client.get(reverse("contests:detail", args=[LEADERSHIP_SLUG])).status_code == 200


def test_a_different_scale_or_a_half_built_demo_is_refused(
    built: DemoReport, demo_dir: Path, labour_contests_path: Path
) -> None:
    before = _counts()
    with pytest.raises(DemoError, match="another scale"):
        demo_build(
            data_dir=demo_dir,
            divisor=1000,
            figures_path=labour_contests_path,
        )
    # As if the build had stopped before the deputy ballot opened.
    Contest.objects.filter(slug=DEPUTY_SLUG).update(status=ContestStatus.ROLL_FROZEN)
    with pytest.raises(DemoError, match=r"did not finish.*--reset"):
        demo_build(
            data_dir=demo_dir,
            divisor=100,
            figures_path=labour_contests_path,
        )
    assert _counts() == before


def test_a_result_that_differs_from_the_figures_is_reported(
    built: DemoReport, labour_2016: dict[str, Any]
) -> None:
    contest = Contest.objects.get(slug=LEADERSHIP_SLUG)
    figures = demo_figures(labour_2016, divisor=100)
    assert result_problems(contest, figures) == []
    Result.objects.filter(contest=contest).update(valid=5064)
    problems = result_problems(contest, figures)
    assert problems == ["valid ballots: the stored result has 5064, the figures say 5065"]
    assert result_problems(contest, demo_figures(labour_2016, divisor=1)) != []


def test_the_verified_contest_is_declared_from_a_record_that_verifies(
    built: DemoReport, tmp_path: Path
) -> None:
    verified = Contest.objects.get(slug=VERIFIED_SLUG)
    assert built.verified == verified and verified.status == ContestStatus.DECLARED
    record = ElectionRecord.objects.get(contest=verified)
    kinds = list(record.entries.order_by("index").values_list("kind", flat=True))
    assert kinds[:1] == ["parameters"] and kinds.count("dealing") == 3
    assert kinds[-7:] == ["key", "ballots", "mix", "mix", "decryption", "decryption", "result"]
    result = Result.objects.get(contest=verified)
    decoded = decoded_ballots(verified)
    assert decoded is not None and result.valid == len(decoded) > 0
    # No count key exists for it; the trustees' secret files stay in their own folders.
    assert not (built.data_dir / "keys" / f"{VERIFIED_SLUG}.key").exists()
    for number in (1, 2, 3):
        own = built.data_dir / "trustees" / str(number)
        assert (own / "trustee.secret").stat().st_mode & 0o777 == 0o600
    record_write(record, tmp_path / "record")
    assert main(["verify", str(tmp_path / "record"), "--quiet", "--workers", "1"]) == 0
