"""The eligibility rules: small, pluggable checks, each with an explanation a person can read.

A rule looks at a person's facts (a ``Facts`` tuple read straight from the database) and the
contest's parameters (``RuleParameters``) and passes or fails. A decision stores only the bit mask
of the rules that failed (``EligibilityDecision.failed_rules``); explanations are rendered from the
codes, so they always read the same on the roll page, the person page and in exports.

Each rule is written twice, side by side: in Python (``passes``, which ``explain`` words for one
person) and as an SQL condition on the person row ``p`` (``passes_sql``), with which the database
decides the whole roll without sending it to Python (``failed_mask_sql``; decision 0011).
tests/electorate/test_electorate_rules_sql.py proves the two agree on generated people and rules.

Adding a rule: write its check, its SQL and its explanation, give it a new ``bit`` (never reuse or
renumber a bit: stored decisions and roll entries refer to them) and append it to ``RULES``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from omov.contests.categories import AFFILIATED_SUPPORTER, CATEGORIES, MEMBER, REGISTERED_SUPPORTER
from omov.electorate.models import Category, PersonStatus

ALL_CATEGORIES = frozenset(CATEGORIES)

# The Person columns a rule may read, in the order of ``Facts``.
FACT_FIELDS = (
    "id",
    "category",
    "status",
    "joined_on",
    "arrears_paid_on",
    "date_of_birth",
    "is_adult_declared",
    "affiliate_id",
    "registered_for_id",
    "supporter_fee_paid",
    "is_on_electoral_register",
    "is_duplicate",
    "supports_another_party",
    "branch_id",
)


class Facts(NamedTuple):
    """What the rules know about one person (a row of ``Person`` values)."""

    id: int
    category: str
    status: str
    joined_on: dt.date | None
    arrears_paid_on: dt.date | None
    date_of_birth: dt.date | None
    is_adult_declared: bool | None
    affiliate_id: int | None
    registered_for_id: int | None
    supporter_fee_paid: bool
    is_on_electoral_register: bool | None
    is_duplicate: bool
    supports_another_party: bool
    branch_id: int | None

    @classmethod
    def of(cls, person: Any) -> Facts:
        """Return the facts of a ``Person`` instance."""
        return cls(*(getattr(person, field) for field in FACT_FIELDS))


@dataclass(frozen=True)
class RuleParameters:
    """The parameters of a contest's rules, resolved for evaluation."""

    contest_id: int
    freeze_date: dt.date | None
    arrears_deadline: dt.date | None
    minimum_age: int
    age_on: dt.date
    eligible_categories: frozenset[str]
    affiliated_supporters_must_register: bool

    @cached_property
    def born_on_or_before(self) -> dt.date:
        """Return the latest date of birth that makes someone old enough on ``age_on``."""
        year = self.age_on.year - self.minimum_age
        try:
            return self.age_on.replace(year=year)
        except ValueError:  # 29 February in a year that has none: the birthday is 28 February.
            return self.age_on.replace(year=year, day=28)


Check = Callable[[Facts, RuleParameters], bool]
Explain = Callable[[Facts, RuleParameters, bool], str]
#: An SQL condition on the person row ``p`` and its parameters (``%s`` placeholders; dates as ISO
#: 8601 text, which both databases compare as dates). It may be NULL where Python says False:
#: only a true condition passes.
Sql = tuple[str, list[Any]]
CheckSql = Callable[[RuleParameters], Sql]
_TRUE_SQL: Sql = ("1 = 1", [])


@dataclass(frozen=True)
class Rule:
    """One eligibility rule: a code, a bit in the failure mask, who it applies to, how it reads."""

    code: str
    bit: int
    title: str
    #: What the title says when the rule fails ("Not old enough to vote"), for "Why not" columns.
    failure: str
    categories: frozenset[str]
    passes: Check
    explain: Explain
    passes_sql: CheckSql

    @property
    def mask(self) -> int:
        return 1 << self.bit


@dataclass(frozen=True)
class Reason:
    """One rule's verdict on one person, in words."""

    rule: str
    title: str
    passed: bool
    explanation: str


def _date(value: dt.date | None) -> str:
    return value.strftime("%-d %B %Y") if value else "unknown"


def _category_passes(facts: Facts, params: RuleParameters) -> bool:
    return facts.category in params.eligible_categories


def _category_sql(params: RuleParameters) -> Sql:
    categories = sorted(params.eligible_categories)
    if not categories:
        return "1 = 0", []
    return f"p.category IN ({', '.join(['%s'] * len(categories))})", categories


def _category_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    label = Category(facts.category).label.lower() + "s"
    if passed:
        return f"In this contest {label} may vote."
    return f"In this contest {label} may not vote."


def _joined_passes(facts: Facts, params: RuleParameters) -> bool:
    if params.freeze_date is None:
        return True
    return facts.joined_on is not None and facts.joined_on <= params.freeze_date


def _joined_sql(params: RuleParameters) -> Sql:
    if params.freeze_date is None:
        return _TRUE_SQL
    return "p.joined_on <= %s", [params.freeze_date.isoformat()]


def _joined_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    if params.freeze_date is None:
        return "No freeze date is set, so the joining date does not matter."
    if facts.joined_on is None:
        return f"The joining date is unknown; it must be on or before {_date(params.freeze_date)}."
    relation = "on or before" if passed else "after"
    return (
        f"Joined on {_date(facts.joined_on)}, {relation} the freeze date "
        f"{_date(params.freeze_date)}."
    )


def _active_passes(facts: Facts, params: RuleParameters) -> bool:
    return facts.status != PersonStatus.LAPSED


def _active_sql(params: RuleParameters) -> Sql:
    return "p.status <> %s", [str(PersonStatus.LAPSED)]


def _active_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    if passed:
        return "Membership is current (not lapsed)."
    return "Membership has lapsed, so it is not continuous."


def _not_suspended_passes(facts: Facts, params: RuleParameters) -> bool:
    return facts.status != PersonStatus.SUSPENDED


def _not_suspended_sql(params: RuleParameters) -> Sql:
    return "p.status <> %s", [str(PersonStatus.SUSPENDED)]


def _not_suspended_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    return "Not suspended." if passed else "Suspended: a suspended person may not vote."


def _arrears_passes(facts: Facts, params: RuleParameters) -> bool:
    if facts.arrears_paid_on is None or params.arrears_deadline is None:
        return True
    return facts.arrears_paid_on <= params.arrears_deadline


def _arrears_sql(params: RuleParameters) -> Sql:
    if params.arrears_deadline is None:
        return _TRUE_SQL
    return (
        "(p.arrears_paid_on IS NULL OR p.arrears_paid_on <= %s)",
        [params.arrears_deadline.isoformat()],
    )


def _arrears_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    if facts.arrears_paid_on is None:
        return "No arrears were owed."
    if params.arrears_deadline is None:
        return "Arrears were paid and no arrears deadline is set."
    relation = "on or before" if passed else "after"
    return (
        f"Arrears were paid on {_date(facts.arrears_paid_on)}, {relation} the deadline "
        f"{_date(params.arrears_deadline)}."
    )


def _adult_passes(facts: Facts, params: RuleParameters) -> bool:
    if facts.date_of_birth is not None:
        return facts.date_of_birth <= params.born_on_or_before
    return bool(facts.is_adult_declared)


def _adult_sql(params: RuleParameters) -> Sql:
    return (
        "CASE WHEN p.date_of_birth IS NOT NULL THEN p.date_of_birth <= %s"
        " ELSE p.is_adult_declared IS TRUE END",
        [params.born_on_or_before.isoformat()],
    )


def _adult_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    minimum = params.minimum_age
    on = _date(params.age_on)
    if facts.date_of_birth is not None:
        if passed:
            return f"Born on {_date(facts.date_of_birth)}: aged {minimum} or over on {on}."
        return f"Born on {_date(facts.date_of_birth)}: younger than {minimum} on {on}."
    if facts.is_adult_declared:
        return f"Date of birth unknown; declared to be aged {minimum} or over."
    return f"Date of birth unknown and no declaration of being aged {minimum} or over."


def _fee_passes(facts: Facts, params: RuleParameters) -> bool:
    return facts.supporter_fee_paid


def _fee_sql(params: RuleParameters) -> Sql:
    return "p.supporter_fee_paid IS TRUE", []


def _fee_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    return "The supporter fee has been paid." if passed else "The supporter fee has not been paid."


def _register_passes(facts: Facts, params: RuleParameters) -> bool:
    return facts.is_on_electoral_register is True


def _register_sql(params: RuleParameters) -> Sql:
    return "p.is_on_electoral_register IS TRUE", []


def _register_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    if passed:
        return "Matched to the electoral register."
    if facts.is_on_electoral_register is None:
        return "Vetting has not yet matched this person to the electoral register."
    return "Vetting could not match this person to the electoral register."


def _not_duplicate_passes(facts: Facts, params: RuleParameters) -> bool:
    return not facts.is_duplicate


def _not_duplicate_sql(params: RuleParameters) -> Sql:
    return "p.is_duplicate IS FALSE", []


def _not_duplicate_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    if passed:
        return "Not a duplicate of anyone else on the roll."
    return "A duplicate of someone already on the roll: one person, one vote."


def _party_passes(facts: Facts, params: RuleParameters) -> bool:
    return not facts.supports_another_party


def _party_sql(params: RuleParameters) -> Sql:
    return "p.supports_another_party IS FALSE", []


def _party_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    if passed:
        return "No support for another party was found."
    return "Vetting found support for another party."


def _affiliate_passes(facts: Facts, params: RuleParameters) -> bool:
    return facts.affiliate_id is not None


def _affiliate_sql(params: RuleParameters) -> Sql:
    return "p.affiliate_id IS NOT NULL", []


def _affiliate_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    if passed:
        return "Belongs to an affiliated organisation."
    return "No affiliated organisation is recorded."


def _registered_passes(facts: Facts, params: RuleParameters) -> bool:
    if facts.category == AFFILIATED_SUPPORTER and not params.affiliated_supporters_must_register:
        return True
    return facts.registered_for_id == params.contest_id


def _registered_sql(params: RuleParameters) -> Sql:
    if not params.affiliated_supporters_must_register:
        return "(p.category = %s OR p.registered_for_id = %s)", [
            AFFILIATED_SUPPORTER,
            params.contest_id,
        ]
    return "p.registered_for_id = %s", [params.contest_id]


def _registered_explain(facts: Facts, params: RuleParameters, passed: bool) -> str:
    if facts.category == AFFILIATED_SUPPORTER and not params.affiliated_supporters_must_register:
        return "Affiliated supporters need not register for this contest."
    if passed:
        return "Registered to vote in this contest."
    return "Not registered to vote in this contest."


RULES: tuple[Rule, ...] = (
    Rule(
        "category_may_vote",
        0,
        "Category may vote",
        "Category may not vote",
        ALL_CATEGORIES,
        _category_passes,
        _category_explain,
        _category_sql,
    ),
    Rule(
        "joined_by_freeze_date",
        1,
        "Joined by the freeze date",
        "Joined after the freeze date",
        frozenset({MEMBER, AFFILIATED_SUPPORTER}),
        _joined_passes,
        _joined_explain,
        _joined_sql,
    ),
    Rule(
        "membership_continuous",
        2,
        "Continuous membership",
        "Membership lapsed",
        frozenset({MEMBER}),
        _active_passes,
        _active_explain,
        _active_sql,
    ),
    Rule(
        "not_suspended",
        3,
        "Not suspended",
        "Suspended",
        ALL_CATEGORIES,
        _not_suspended_passes,
        _not_suspended_explain,
        _not_suspended_sql,
    ),
    Rule(
        "arrears_paid",
        4,
        "Arrears paid by the deadline",
        "Arrears unpaid at the deadline",
        frozenset({MEMBER}),
        _arrears_passes,
        _arrears_explain,
        _arrears_sql,
    ),
    Rule(
        "adult",
        5,
        "Old enough to vote",
        "Not old enough to vote",
        ALL_CATEGORIES,
        _adult_passes,
        _adult_explain,
        _adult_sql,
    ),
    Rule(
        "supporter_fee_paid",
        6,
        "Supporter fee paid",
        "Supporter fee not paid",
        frozenset({REGISTERED_SUPPORTER}),
        _fee_passes,
        _fee_explain,
        _fee_sql,
    ),
    Rule(
        "on_electoral_register",
        7,
        "On the electoral register",
        "Not on the electoral register",
        frozenset({REGISTERED_SUPPORTER}),
        _register_passes,
        _register_explain,
        _register_sql,
    ),
    Rule(
        "not_duplicate",
        8,
        "Not a duplicate",
        "A duplicate of another person",
        frozenset({REGISTERED_SUPPORTER, AFFILIATED_SUPPORTER}),
        _not_duplicate_passes,
        _not_duplicate_explain,
        _not_duplicate_sql,
    ),
    Rule(
        "not_supporting_another_party",
        9,
        "Not supporting another party",
        "Supports another party",
        frozenset({REGISTERED_SUPPORTER, AFFILIATED_SUPPORTER}),
        _party_passes,
        _party_explain,
        _party_sql,
    ),
    Rule(
        "has_affiliate",
        10,
        "Has an affiliated organisation",
        "No affiliated organisation",
        frozenset({AFFILIATED_SUPPORTER}),
        _affiliate_passes,
        _affiliate_explain,
        _affiliate_sql,
    ),
    Rule(
        "registered_for_contest",
        11,
        "Registered for this contest",
        "Not registered for this contest",
        frozenset({REGISTERED_SUPPORTER, AFFILIATED_SUPPORTER}),
        _registered_passes,
        _registered_explain,
        _registered_sql,
    ),
)

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
_BY_CATEGORY: dict[str, tuple[tuple[int, Check], ...]] = {
    category: tuple((rule.mask, rule.passes) for rule in RULES if category in rule.categories)
    for category in ALL_CATEGORIES
}
_UNKNOWN_CATEGORY = RULES_BY_CODE["category_may_vote"].mask


def failed_mask(facts: Facts, params: RuleParameters) -> int:
    """Return the bit mask of the rules ``facts`` fail under ``params`` (0: eligible)."""
    checks = _BY_CATEGORY.get(facts.category)
    if checks is None:
        return _UNKNOWN_CATEGORY
    mask = 0
    for bit, passes in checks:
        if not passes(facts, params):
            mask |= bit
    return mask


def failed_mask_sql(params: RuleParameters) -> Sql:
    """Return an SQL expression of the person row ``p``: ``failed_mask`` of that person.

    Each rule adds its bit unless its ``passes_sql`` is true; the rules of other categories add
    nothing, and a category omov does not know fails ``category_may_vote`` alone, as in Python.
    """
    terms: list[str] = []
    values: list[Any] = []
    for rule in RULES:
        condition, arguments = rule.passes_sql(params)
        term = f"CASE WHEN {condition} THEN 0 ELSE {rule.mask} END"
        if rule.categories != ALL_CATEGORIES:
            term = f"CASE WHEN p.category IN ({_literals(rule.categories)}) THEN {term} ELSE 0 END"
        terms.append(f"({term})")
        values += arguments
    known = _literals(ALL_CATEGORIES)
    sql = (
        f"(CASE WHEN p.category IN ({known}) THEN {' + '.join(terms)} ELSE {_UNKNOWN_CATEGORY} END)"
    )
    return sql, values


def _literals(categories: Iterable[str]) -> str:
    """Return our own category names as SQL string literals (constants: never user input)."""
    assert set(categories) <= ALL_CATEGORIES
    return ", ".join(f"'{category}'" for category in sorted(categories))


def codes_of(mask: int) -> list[str]:
    """Return the codes of the rules in a failure mask, in rule order."""
    return [rule.code for rule in RULES if mask & rule.mask]


def mask_of(codes: Iterable[str]) -> int:
    """Return the failure mask of rule codes (the inverse of ``codes_of``)."""
    mask = 0
    for code in codes:
        mask |= RULES_BY_CODE[code].mask
    return mask


def reasons_for(facts: Facts, params: RuleParameters) -> list[Reason]:
    """Return every applicable rule's verdict on a person, with its explanation."""
    reasons = []
    for rule in RULES:
        if facts.category not in rule.categories:
            continue
        passed = rule.passes(facts, params)
        reasons.append(Reason(rule.code, rule.title, passed, rule.explain(facts, params, passed)))
    return reasons


def short_reasons(mask: int) -> list[str]:
    """Return what failed for each rule in a mask ("Not old enough to vote"), for tables."""
    return [rule.failure for rule in RULES if mask & rule.mask]
