"""Generate the demo's roll files: fictional people, in the roll import's CSV columns.

The people are invented (names from common British first and last names, addresses at
example.org) and generated from a fixed seed, so the same scale gives the same file. Branches:
the four whose 2016 meetings were reported by name (Islington North, Islington South and Finsbury,
Walthamstow, Holborn and St Pancras) and neutral "Branch 001" ... for the rest, the names the
published-nominations loader uses, so no real branch is shown nominating anyone the record does
not show. Affiliates are neutral too ("Affiliate 01" ...).

Everyone eligible is generated to pass every rule, and everyone else to fail exactly the rule
their kind names (joined after the freeze date, lapsed, suspended, ...), so the roll's eligible
count per category is exactly the credentials the demo must issue.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from omov.demo.figures import DemoFigures

T = TypeVar("T")
COLUMNS: tuple[str, ...] = (
    "external_id",
    "category",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "branch",
    "branch_name",
    "branch_region",
    "joined_on",
    "status",
    "arrears_paid_on",
    "date_of_birth",
    "is_adult_declared",
    "affiliate",
    "affiliate_name",
    "consent_email",
    "consent_phone",
    "supporter_fee_paid",
    "is_on_electoral_register",
    "supports_another_party",
    "is_duplicate",
)

#: The branches the 2016 record names (code, name, region, postcode district).
NAMED_BRANCHES: tuple[tuple[str, str, str, str], ...] = (
    ("islington-north", "Islington North", "London", "N7"),
    ("islington-south-and-finsbury", "Islington South and Finsbury", "London", "EC1V"),
    ("walthamstow", "Walthamstow", "London", "E17"),
    ("holborn-and-st-pancras", "Holborn and St Pancras", "London", "NW1"),
)
NEUTRAL_BRANCHES = 396
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
AFFILIATES = 14
REGIONS = (
    "East Midlands",
    "East of England",
    "London",
    "North East",
    "North West",
    "Scotland",
    "South East",
    "South West",
    "Wales",
    "West Midlands",
    "Yorkshire and the Humber",
)
FIRST_NAMES = (
    "Aisha", "Alan", "Amelia", "Andrew", "Anne", "Bernard", "Bethan", "Chloe", "Christine",
    "Daniel", "David", "Deborah", "Eileen", "Emma", "Fatima", "Gareth", "Grace", "Hannah",
    "Harry", "Imran", "Jack", "James", "Jane", "Joan", "John", "Karen", "Kwame", "Laura", "Leon",
    "Lucy", "Margaret", "Mark", "Mary", "Mohammed", "Naomi", "Niamh", "Oliver", "Patrick",
    "Paul", "Priya", "Rachel", "Richard", "Rosa", "Sam", "Sarah", "Sean", "Siobhan", "Susan",
    "Thomas", "Tom", "Wendy", "Yusuf", "Zara",
)  # fmt: skip
LAST_NAMES = (
    "Ahmed", "Ali", "Baker", "Begum", "Brown", "Campbell", "Clarke", "Cooper", "Davies",
    "Edwards", "Evans", "Green", "Griffiths", "Hall", "Harris", "Hughes", "Jackson", "James",
    "Jones", "Kaur", "Khan", "King", "Lewis", "Martin", "Morgan", "Murphy", "O'Brien", "Owen",
    "Patel", "Price", "Roberts", "Robinson", "Scott", "Shah", "Singh", "Smith", "Taylor",
    "Thomas", "Thompson", "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood",
    "Wright", "Young",
)  # fmt: skip


@dataclass(frozen=True)
class Timetable2016:
    """The dates the 2016 roll is generated against (from the published contest entry)."""

    freeze_date: dt.date
    arrears_deadline: dt.date
    supporter_window: tuple[dt.date, dt.date]
    age_on: dt.date


#: What each kind of person on the 2016 roll is, as it reads in the printed summary.
KIND_LABELS: dict[str, str] = {
    "member": "members in good standing",
    "registered_supporter": "registered supporters (fee paid, vetted)",
    "affiliated_supporter": "affiliated supporters (registered through an affiliate)",
    "joined_late": "members who joined after the freeze date",
    "lapsed": "lapsed members",
    "suspended": "suspended members",
    "arrears_late": "members who paid their arrears after the deadline",
    "under_age": "members under 18 on the day the ballot closes",
    "fee_unpaid": "registered supporters who did not pay the fee",
    "not_on_register": "registered supporters not found on the electoral register",
    "other_party": "registered supporters found to support another party",
    "duplicate": "registered supporters who registered twice",
    "affiliated_late": "affiliated supporters who joined after the freeze date",
    "no_affiliate": "affiliated supporters with no affiliate recorded",
}
#: Ineligible people per kind, as a share of the credentials issued (at least 2 of each).
INELIGIBLE_SHARES: dict[str, float] = {
    "joined_late": 0.02,
    "lapsed": 0.004,
    "suspended": 0.0005,
    "arrears_late": 0.001,
    "under_age": 0.0005,
    "fee_unpaid": 0.002,
    "not_on_register": 0.001,
    "other_party": 0.0005,
    "duplicate": 0.0005,
    "affiliated_late": 0.003,
    "no_affiliate": 0.0005,
}
_KIND_CATEGORY = {
    "joined_late": "member",
    "lapsed": "member",
    "suspended": "member",
    "arrears_late": "member",
    "under_age": "member",
    "fee_unpaid": "registered_supporter",
    "not_on_register": "registered_supporter",
    "other_party": "registered_supporter",
    "duplicate": "registered_supporter",
    "affiliated_late": "affiliated_supporter",
    "no_affiliate": "affiliated_supporter",
}


def branch_columns(index: int) -> tuple[str, str, str, str]:
    """Return (code, name, region, postcode district) of branch ``index`` (0-based)."""
    if index < len(NAMED_BRANCHES):
        return NAMED_BRANCHES[index]
    number = index - len(NAMED_BRANCHES) + 1
    return (f"branch-{number:03d}", f"Branch {number:03d}", REGIONS[number % len(REGIONS)], "")


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """Return a day from ``start`` to ``end`` inclusive (a uniform draw)."""
    return dt.date.fromordinal(start.toordinal() + _below(rng, (end - start).days + 1))


def _below(rng: random.Random, limit: int) -> int:
    """Return a whole number from 0 to ``limit - 1``; plain floats are fast enough here."""
    return int(rng.random() * limit)


def _pick(rng: random.Random, choices: Sequence[T]) -> T:
    return choices[int(rng.random() * len(choices))]


class _People:
    """Draw fictional people from one seeded random source."""

    def __init__(self, rng: random.Random, prefix: str) -> None:
        self.rng = rng
        self.prefix = prefix
        self.tag = prefix.strip("-").lower()
        self.number = 0
        self.named = [branch_columns(i) for i in range(1, len(NAMED_BRANCHES))]
        self.neutral = [
            branch_columns(i)
            for i in range(len(NAMED_BRANCHES), len(NAMED_BRANCHES) + NEUTRAL_BRANCHES)
        ]

    def branch(self) -> tuple[str, str, str, str]:
        draw = self.rng.random()
        if draw < 0.015:
            return NAMED_BRANCHES[0]  # Islington North: a big, busy branch
        if draw < 0.03:
            return _pick(self.rng, self.named)
        return _pick(self.rng, self.neutral)

    def row(self, category: str, **fields: object) -> dict[str, object]:
        self.number += 1
        rng = self.rng
        first, last = _pick(rng, FIRST_NAMES), _pick(rng, LAST_NAMES)
        code, name, region, district = self.branch()
        letters = _POSTCODE_LETTERS
        if not district:
            district = (
                f"{_pick(rng, 'BDGHKLMNPSTW')}{_pick(rng, 'ABDEHLMNRSTY')}{_below(rng, 29) + 1}"
            )
        postcode = f"{district} {_below(rng, 9) + 1}{_pick(rng, letters)}{_pick(rng, letters)}"
        has_email = rng.random() < 0.9
        local = f"{first}.{last}".lower().replace("'", "")
        row: dict[str, object] = {
            "external_id": f"{self.prefix}{self.number:07d}",
            "category": category,
            "first_name": first,
            "last_name": last,
            "email": f"{local}.{self.tag}-{self.number}@example.org" if has_email else "",
            "phone": "",
            "postcode": postcode,
            "branch": code,
            "branch_name": name,
            "branch_region": region,
            "joined_on": "",
            "status": "active",
            "arrears_paid_on": "",
            "date_of_birth": "",
            "is_adult_declared": "",
            "affiliate": "",
            "affiliate_name": "",
            "consent_email": "yes" if has_email and rng.random() < 0.95 else "no",
            "consent_phone": "no",
            "supporter_fee_paid": "no",
            "is_on_electoral_register": "",
            "supports_another_party": "no",
            "is_duplicate": "no",
        }
        row.update(fields)
        return row


def _adult_birth(rng: random.Random, latest: dt.date) -> dict[str, object]:
    """Return the age columns of an adult: mostly a date of birth, sometimes a declaration."""
    if rng.random() < 0.05:
        return {"date_of_birth": "", "is_adult_declared": "yes"}
    return {"date_of_birth": _day(rng, dt.date(1926, 1, 1), latest).isoformat()}


def _affiliate(rng: random.Random) -> dict[str, object]:
    number = _below(rng, AFFILIATES) + 1
    return {"affiliate": f"affiliate-{number:02d}", "affiliate_name": f"Affiliate {number:02d}"}


def leadership_rows(
    figures: DemoFigures, timetable: Timetable2016, *, seed: str
) -> tuple[Iterator[dict[str, object]], Counter[str]]:
    """Return the 2016 roll's rows and how many people of each kind they hold."""
    issued_total = figures.issued_total
    kinds: Counter[str] = Counter()
    for category in ("member", "registered_supporter", "affiliated_supporter"):
        kinds[category] = figures.issued.get(category, 0)
    for kind, share in INELIGIBLE_SHARES.items():
        kinds[kind] = max(2, round(issued_total * share))

    def rows() -> Iterator[dict[str, object]]:
        rng = random.Random(seed)
        people = _People(rng, "L16-")
        freeze = timetable.freeze_date
        adult_latest = timetable.age_on.replace(year=timetable.age_on.year - 18)
        surge = dt.date(2015, 5, 8)  # the members who joined after the 2015 general election
        window_start, window_end = timetable.supporter_window

        def joined_by_freeze() -> str:
            if rng.random() < 0.3:
                return _day(rng, surge, freeze).isoformat()
            return _day(rng, dt.date(1960, 1, 1), surge).isoformat()

        def member(**fields: object) -> dict[str, object]:
            base: dict[str, object] = {"joined_on": joined_by_freeze()}
            base.update(_adult_birth(rng, adult_latest))
            if rng.random() < 0.03:  # arrears paid in time: still eligible
                deadline = timetable.arrears_deadline
                paid = _day(rng, deadline - dt.timedelta(60), deadline)
                base["arrears_paid_on"] = paid.isoformat()
            base.update(fields)
            return people.row("member", **base)

        def registered(**fields: object) -> dict[str, object]:
            base: dict[str, object] = {
                "joined_on": _day(rng, window_start, window_end).isoformat(),
                "supporter_fee_paid": "yes",
                "is_on_electoral_register": "yes",
                "branch": "",
                "branch_name": "",
                "branch_region": "",
            }
            base.update(_adult_birth(rng, adult_latest))
            base.update(fields)
            return people.row("registered_supporter", **base)

        def affiliated(**fields: object) -> dict[str, object]:
            base: dict[str, object] = {"joined_on": joined_by_freeze(), **_affiliate(rng)}
            base.update(_adult_birth(rng, adult_latest))
            base.update(fields)
            return people.row("affiliated_supporter", **base)

        after_freeze = (freeze + dt.timedelta(days=1), dt.date(2016, 7, 12))
        makers = {
            "member": lambda: member(),
            "registered_supporter": lambda: registered(),
            "affiliated_supporter": lambda: affiliated(),
            "joined_late": lambda: member(joined_on=_day(rng, *after_freeze).isoformat()),
            "lapsed": lambda: member(status="lapsed"),
            "suspended": lambda: member(status="suspended"),
            "arrears_late": lambda: member(
                arrears_paid_on=_day(
                    rng,
                    timetable.arrears_deadline + dt.timedelta(1),
                    timetable.age_on,
                ).isoformat()
            ),
            "under_age": lambda: member(
                date_of_birth=_day(
                    rng, adult_latest + dt.timedelta(1), dt.date(adult_latest.year + 3, 12, 31)
                ).isoformat(),
                is_adult_declared="",
            ),
            "fee_unpaid": lambda: registered(supporter_fee_paid="no"),
            "not_on_register": lambda: registered(is_on_electoral_register="no"),
            "other_party": lambda: registered(supports_another_party="yes"),
            "duplicate": lambda: registered(is_duplicate="yes"),
            "affiliated_late": lambda: affiliated(joined_on=_day(rng, *after_freeze).isoformat()),
            "no_affiliate": lambda: affiliated(affiliate="", affiliate_name=""),
        }
        order = [kind for kind, number in sorted(kinds.items()) for _ in range(number)]
        rng.shuffle(order)
        for kind in order:
            yield makers[kind]()

    return rows(), kinds


def deputy_rows(
    *, size: int, freeze_date: dt.date, age_on: dt.date, seed: str, prefix: str = "DEP-"
) -> tuple[Iterator[dict[str, object]], Counter[str]]:
    """Return the deputy contest's small roll: members who joined after 2016, a few ineligible.

    They joined in 2017 or later, so none of them may vote in the 2016 replay (joined after its
    freeze date), and every one of them has an email address the demo can send a credential to.
    """
    kinds: Counter[str] = Counter({"member": size, "lapsed": 2, "suspended": 1, "under_age": 1})

    def rows() -> Iterator[dict[str, object]]:
        rng = random.Random(seed)
        people = _People(rng, prefix)
        latest_join = min(freeze_date, dt.date(2025, 12, 31))
        adult_latest = age_on.replace(year=age_on.year - 18)
        order = [kind for kind, number in sorted(kinds.items()) for _ in range(number)]
        rng.shuffle(order)
        for kind in order:
            fields: dict[str, object] = {
                "joined_on": _day(rng, dt.date(2017, 1, 1), latest_join).isoformat(),
                "date_of_birth": _day(rng, dt.date(1940, 1, 1), adult_latest).isoformat(),
            }
            if kind in ("lapsed", "suspended"):
                fields["status"] = kind
            if kind == "under_age":
                fields["date_of_birth"] = (adult_latest + dt.timedelta(days=200)).isoformat()
            row = people.row("member", **fields)
            row["email"] = row["email"] or f"member.{people.tag}-{people.number}@example.org"
            row["consent_email"] = "yes"
            yield row

    return rows(), kinds


def write_roll(path: Path, rows: Iterator[dict[str, object]]) -> int:
    """Write rows to a roll file (UTF-8 CSV with the import's header); return how many."""
    written = 0
    temporary = path.with_suffix(".csv.part")
    temporary.unlink(missing_ok=True)
    # A roll holds personal data: owner-only from its first byte (issue 8, item 13).
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([row[column] for column in COLUMNS])
            written += 1
    temporary.replace(path)
    return written
