"""Each eligibility rule against named personas, through roll_evaluate and the person's reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from factories import AffiliateFactory, ContestFactory, PersonFactory
from omov.electorate import rules
from omov.electorate.models import EligibilityDecision
from omov.electorate.selectors import person_reasons
from omov.electorate.services import RuleChange, roll_evaluate, rules_change

pytestmark = pytest.mark.django_db

ALL = ("member", "registered_supporter", "affiliated_supporter")


def persona(name: str, contest: Any) -> Any:
    """Create the named persona (freeze date 12 January 2016, arrears deadline 8 August 2016)."""
    supporter = {
        "category": "registered_supporter",
        "joined_on": None,
        "registered_for": contest,
        "supporter_fee_paid": True,
        "is_on_electoral_register": True,
    }
    affiliated = {
        "category": "affiliated_supporter",
        "affiliate": AffiliateFactory(),
        "joined_on": dt.date(2015, 6, 1),
        "registered_for": contest,
    }
    fields: dict[str, dict[str, Any]] = {
        "member in good standing": {},
        "lapsed member": {"status": "lapsed"},
        "joined after freeze": {"joined_on": dt.date(2016, 1, 13)},
        "joined on the freeze date": {"joined_on": dt.date(2016, 1, 12)},
        "join date unknown": {"joined_on": None},
        "suspended member": {"status": "suspended"},
        "arrears paid in time": {"arrears_paid_on": dt.date(2016, 8, 8)},
        "arrears paid late": {"arrears_paid_on": dt.date(2016, 8, 9)},
        "under 18": {"date_of_birth": dt.date(1998, 9, 22)},
        "18 on closing day": {"date_of_birth": dt.date(1998, 9, 21)},
        "age unknown": {"date_of_birth": None},
        "age declared": {"date_of_birth": None, "is_adult_declared": True},
        "registered supporter vetted": supporter,
        "registered supporter pending vetting": {**supporter, "is_on_electoral_register": None},
        "registered supporter not on register": {**supporter, "is_on_electoral_register": False},
        "registered supporter unpaid": {**supporter, "supporter_fee_paid": False},
        "registered supporter duplicate": {**supporter, "is_duplicate": True},
        "registered supporter of another party": {**supporter, "supports_another_party": True},
        "registered supporter of another contest": {**supporter, "registered_for": None},
        "affiliated supporter": affiliated,
        "affiliated supporter without affiliate": {**affiliated, "affiliate": None},
        "affiliated supporter joined after freeze": {
            **affiliated,
            "joined_on": dt.date(2016, 2, 1),
        },
        "affiliated supporter not registered": {**affiliated, "registered_for": None},
    }[name]
    return PersonFactory(**fields)


CASES = [
    ("member in good standing", []),
    ("lapsed member", ["membership_continuous"]),
    ("joined after freeze", ["joined_by_freeze_date"]),
    ("joined on the freeze date", []),
    ("join date unknown", ["joined_by_freeze_date"]),
    ("suspended member", ["not_suspended"]),
    ("arrears paid in time", []),
    ("arrears paid late", ["arrears_paid"]),
    ("under 18", ["adult"]),
    ("18 on closing day", []),
    ("age unknown", ["adult"]),
    ("age declared", []),
    ("registered supporter vetted", []),
    ("registered supporter pending vetting", ["on_electoral_register"]),
    ("registered supporter not on register", ["on_electoral_register"]),
    ("registered supporter unpaid", ["supporter_fee_paid"]),
    ("registered supporter duplicate", ["not_duplicate"]),
    ("registered supporter of another party", ["not_supporting_another_party"]),
    ("registered supporter of another contest", ["registered_for_contest"]),
    ("affiliated supporter", []),
    ("affiliated supporter without affiliate", ["has_affiliate"]),
    ("affiliated supporter joined after freeze", ["joined_by_freeze_date"]),
    ("affiliated supporter not registered", ["registered_for_contest"]),
]


@pytest.mark.parametrize(("name", "failed"), CASES, ids=[case[0] for case in CASES])
def test_persona(name: str, failed: list[str], open_contest: Any) -> None:
    person = persona(name, open_contest)
    roll_evaluate(contest=open_contest)

    decision = EligibilityDecision.objects.get(contest=open_contest, person=person)
    assert decision.failed_codes == failed
    assert decision.is_eligible is (not failed)
    reasons = person_reasons(open_contest, person)
    assert [r.rule for r in reasons if not r.passed] == failed
    assert all(r.explanation.endswith(".") for r in reasons)


def test_explanations_name_the_dates(open_contest: Any) -> None:
    person = persona("joined after freeze", open_contest)
    roll_evaluate(contest=open_contest)
    reasons = {r.rule: r for r in person_reasons(open_contest, person)}
    assert reasons["joined_by_freeze_date"].explanation == (
        "Joined on 13 January 2016, after the freeze date 12 January 2016."
    )
    young = persona("under 18", open_contest)
    reasons = {r.rule: r for r in person_reasons(open_contest, young)}
    assert reasons["adult"].explanation == (
        "Born on 22 September 1998: younger than 18 on 21 September 2016."
    )


def test_categories_that_may_not_vote(open_contest: Any) -> None:
    supporter = persona("registered supporter vetted", open_contest)
    member = persona("member in good standing", open_contest)
    roll_evaluate(contest=open_contest)
    rules_change(
        contest=open_contest,
        change=RuleChange(
            freeze_date=dt.date(2016, 1, 12),
            arrears_deadline=dt.date(2016, 8, 8),
            minimum_age=18,
            age_on=None,
            eligible_categories=("member",),
            affiliated_supporters_must_register=True,
        ),
        reason="Members only, by decision of the executive.",
    )
    decisions = dict(
        EligibilityDecision.objects.filter(contest=open_contest).values_list(
            "person_id", "failed_rules"
        )
    )
    assert rules.codes_of(decisions[supporter.pk]) == ["category_may_vote"]
    assert decisions[member.pk] == 0


def test_a_person_registered_for_another_contest_is_not_on_this_roll(open_contest: Any) -> None:
    other = ContestFactory()
    person = persona("registered supporter vetted", other)
    person.registered_for = other
    person.save()
    roll_evaluate(contest=open_contest)
    decision = EligibilityDecision.objects.get(contest=open_contest, person=person)
    assert decision.failed_codes == ["registered_for_contest"]


def test_codes_and_masks_round_trip() -> None:
    codes = ["joined_by_freeze_date", "adult"]
    assert rules.codes_of(rules.mask_of(codes)) == codes
    assert len({rule.bit for rule in rules.RULES}) == len(rules.RULES)


def test_leap_day_birthdays() -> None:
    params = rules.RuleParameters(
        contest_id=1,
        freeze_date=None,
        arrears_deadline=None,
        minimum_age=18,
        age_on=dt.date(2016, 2, 29),
        eligible_categories=frozenset(ALL),
        affiliated_supporters_must_register=True,
    )
    assert params.born_on_or_before == dt.date(1998, 2, 28)


def test_why_not_says_what_failed_never_what_passing_means() -> None:
    mask = rules.mask_of(["adult", "joined_by_freeze_date", "not_suspended"])
    assert rules.short_reasons(mask) == [
        "Joined after the freeze date",
        "Suspended",
        "Not old enough to vote",
    ]
    for rule in rules.RULES:
        assert rule.failure and rule.failure != rule.title, rule.code
