"""Helpers for the nominations tests (imported by name: pytest puts this directory on the path)."""

from __future__ import annotations

from typing import Any

from factories import PersonFactory
from omov.electorate.models import Person
from omov.nominations.services import parliamentary_members_import


def add_members(branch: Any, count: int, **fields: Any) -> None:
    """Give ``branch`` ``count`` members in good standing (bulk, for speed).

    They have no eligibility decision until the roll is evaluated (``roll_evaluate``).
    """
    template = PersonFactory.build(branch=branch, **fields)
    start = Person.objects.count()
    Person.objects.bulk_create(
        Person(
            external_id=f"{branch.code}-{start + number}",
            category=template.category,
            first_name=f"Member{number}",
            last_name=branch.code,
            branch=branch,
            joined_on=template.joined_on,
            status=template.status,
            date_of_birth=template.date_of_birth,
            arrears_paid_on=template.arrears_paid_on,
        )
        for number in range(count)
    )


def parliamentary_party(contest: Any, *, mps: int, meps: int) -> None:
    """List ``mps`` MPs and ``meps`` MEPs for the contest through the CSV import."""
    lines = ["name,kind,constituency"]
    lines += [f"MP {n},mp,Constituency {n}" for n in range(mps)]
    lines += [f"MEP {n},mep,Region {n}" for n in range(meps)]
    parliamentary_members_import(contest=contest, csv_text="\n".join(lines))
