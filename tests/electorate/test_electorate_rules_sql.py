"""Each rule's SQL decides exactly as its Python does, and as its explanation says (decision 0011).

The roll is evaluated by the database (``rules.failed_mask_sql``), while a person's page explains
the decision with the Python rules (``rules.reasons_for``). Generated people and rule parameters,
boundaries included, are stored and decided both ways; every rule must agree on every person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factories import AffiliateFactory, ContestFactory
from omov.electorate import rules as eligibility
from omov.electorate.models import Person

pytestmark = pytest.mark.django_db

CATEGORIES = ["member", "registered_supporter", "affiliated_supporter", "associate"]
STATUSES = ["active", "lapsed", "suspended"]
BASE = dt.date(2016, 1, 12)


def near(day: dt.date) -> st.SearchStrategy[dt.date]:
    """Dates on and around ``day`` (boundaries), or anywhere in a few years."""
    return st.one_of(
        st.integers(-2, 2).map(lambda delta: day + dt.timedelta(days=delta)),
        st.dates(day - dt.timedelta(days=1500), day + dt.timedelta(days=1500)),
    )


parameters = st.fixed_dictionaries(
    {
        "freeze_date": st.one_of(st.none(), near(BASE)),
        "arrears_deadline": st.one_of(st.none(), near(BASE)),
        "minimum_age": st.integers(1, 120),
        "age_on": st.one_of(near(BASE), st.just(dt.date(2016, 2, 29))),
        "eligible_categories": st.frozensets(st.sampled_from(CATEGORIES[:3]), min_size=1),
        "affiliated_supporters_must_register": st.booleans(),
    }
)
person = st.fixed_dictionaries(
    {
        "category": st.sampled_from(CATEGORIES),
        "status": st.sampled_from(STATUSES),
        "joined_on": st.one_of(st.none(), near(BASE)),
        "arrears_paid_on": st.one_of(st.none(), near(BASE)),
        # Born about 18 years before the age date, or at any age.
        "date_of_birth": st.one_of(
            st.none(), near(dt.date(1998, 1, 12)), st.dates(dt.date(1900, 1, 1), BASE)
        ),
        "is_adult_declared": st.one_of(st.none(), st.booleans()),
        "has_affiliate": st.booleans(),
        "registered_for": st.sampled_from(["none", "this", "other"]),
        "supporter_fee_paid": st.booleans(),
        "is_on_electoral_register": st.one_of(st.none(), st.booleans()),
        "is_duplicate": st.booleans(),
        "supports_another_party": st.booleans(),
    }
)


@pytest.fixture
def setting(contest: Any) -> dict[str, Any]:
    return {"contest": contest, "other": ContestFactory(), "affiliate": AffiliateFactory()}


def _store(people: list[dict[str, Any]], setting: dict[str, Any]) -> list[Person]:
    registered = {"none": None, "this": setting["contest"], "other": setting["other"]}
    return Person.objects.bulk_create(
        Person(
            external_id=f"H{number}",
            first_name="Given",
            last_name="Family",
            affiliate=setting["affiliate"] if facts["has_affiliate"] else None,
            registered_for=registered[facts["registered_for"]],
            **{
                name: value
                for name, value in facts.items()
                if name not in {"has_affiliate", "registered_for"}
            },
        )
        for number, facts in enumerate(people)
    )


def _sql_masks(params: eligibility.RuleParameters) -> dict[int, int]:
    mask, values = eligibility.failed_mask_sql(params)
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id, {mask} FROM {table} p", values)
        return dict(cursor.fetchall())


YOUNG_ON_LEAP_DAY = {
    "category": "member",
    "status": "active",
    "joined_on": BASE,
    "arrears_paid_on": BASE,
    "date_of_birth": dt.date(1998, 3, 1),
    "is_adult_declared": True,
    "has_affiliate": False,
    "registered_for": "none",
    "supporter_fee_paid": False,
    "is_on_electoral_register": None,
    "is_duplicate": False,
    "supports_another_party": False,
}
LEAP_DAY_RULES = {
    "freeze_date": BASE,
    "arrears_deadline": BASE,
    "minimum_age": 18,
    "age_on": dt.date(2016, 2, 29),
    "eligible_categories": frozenset({"member"}),
    "affiliated_supporters_must_register": True,
}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rules=parameters, people=st.lists(person, min_size=1, max_size=12))
# On the freeze date, paid on the deadline, 18 on the leap day's stand-in (28 February) or not.
@example(rules=LEAP_DAY_RULES, people=[YOUNG_ON_LEAP_DAY])
@example(
    rules=LEAP_DAY_RULES,
    people=[{**YOUNG_ON_LEAP_DAY, "date_of_birth": dt.date(1998, 2, 28)}],
)
# Unregistered affiliated supporters where they need not register; a category omov does not know.
@example(
    rules={**LEAP_DAY_RULES, "affiliated_supporters_must_register": False},
    people=[
        {**YOUNG_ON_LEAP_DAY, "category": "affiliated_supporter", "has_affiliate": True},
        {**YOUNG_ON_LEAP_DAY, "category": "registered_supporter", "registered_for": "other"},
        {**YOUNG_ON_LEAP_DAY, "category": "associate", "status": "suspended"},
    ],
)
# No freeze date or deadline, unknown joining date and age, vetting pending.
@example(
    rules={**LEAP_DAY_RULES, "freeze_date": None, "arrears_deadline": None},
    people=[
        {
            **YOUNG_ON_LEAP_DAY,
            "category": "registered_supporter",
            "joined_on": None,
            "date_of_birth": None,
            "is_adult_declared": None,
            "registered_for": "this",
        }
    ],
)
def test_every_rule_decides_in_sql_as_in_python_and_its_explanation(
    setting: dict[str, Any], rules: dict[str, Any], people: list[dict[str, Any]]
) -> None:
    params = eligibility.RuleParameters(contest_id=setting["contest"].pk, **rules)
    stored = _store(people, setting)
    try:
        masks = _sql_masks(params)
        for one in Person.objects.filter(pk__in=[one.pk for one in stored]):
            facts = eligibility.Facts.of(one)
            expected = eligibility.failed_mask(facts, params)
            assert masks[one.pk] == expected, (facts, params)
            # The explanation a person reads names exactly the rules the database failed.
            failed = {
                reason.rule
                for reason in eligibility.reasons_for(facts, params)
                if not reason.passed
            }
            if facts.category in eligibility.ALL_CATEGORIES:
                assert failed == set(eligibility.codes_of(masks[one.pk])), (facts, params)
            else:
                assert eligibility.codes_of(masks[one.pk]) == ["category_may_vote"]
    finally:
        Person.objects.filter(pk__in=[one.pk for one in stored]).delete()


def test_the_sql_of_every_rule_is_tested_here() -> None:
    """A new rule needs its SQL: the mask expression covers every rule's bit."""
    params = eligibility.RuleParameters(
        contest_id=1,
        freeze_date=BASE,
        arrears_deadline=BASE,
        minimum_age=18,
        age_on=BASE,
        eligible_categories=frozenset(),
        affiliated_supporters_must_register=True,
    )
    sql, _values = eligibility.failed_mask_sql(params)
    for rule in eligibility.RULES:
        assert f"ELSE {rule.mask} END" in sql, rule.code
