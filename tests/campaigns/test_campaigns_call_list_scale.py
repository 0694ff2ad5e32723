"""Call targets without database foreign keys (for speed): the ORM keeps them whole.

The two references of a call target are not constraints in the database (see the model's
docstring: the per-row checks were most of the time of building a list of a whole roll). These
tests hold the promises that replace them: every target points at a roll entry of the list's
contest, and deleting a list or a roll entry through the application removes the targets that point
at it, so no target is ever left pointing at nothing (a contest is never deleted: its audit
events protect it).
"""

from __future__ import annotations

import pytest

from campaigns_support import Campaigns
from omov.campaigns import selectors
from omov.campaigns.models import CallList, CallTarget
from omov.electorate.models import RollEntry

pytestmark = pytest.mark.django_db


def _dangling() -> int:
    """Targets whose list or roll entry no longer exists."""
    lists = CallList.objects.values("pk")
    entries = RollEntry.objects.values("pk")
    return (
        CallTarget.objects.exclude(call_list_id__in=lists).count()
        + CallTarget.objects.exclude(roll_entry_id__in=entries).count()
    )


def test_a_list_holds_exactly_the_contact_list_of_its_contest(campaigns: Campaigns) -> None:
    contacts = set(selectors.contact_list(campaigns.contest).values_list("pk", flat=True))
    for call_list in (campaigns.corbyn_list, campaigns.smith_list):
        targets = list(
            CallTarget.objects.filter(call_list=call_list).values_list("roll_entry_id", flat=True)
        )
        assert len(targets) == len(set(targets)) == call_list.size
        assert set(targets) == contacts


def test_deleting_a_list_deletes_its_targets(campaigns: Campaigns) -> None:
    kept = CallTarget.objects.filter(call_list=campaigns.smith_list).count()
    campaigns.corbyn_list.delete()
    assert not CallTarget.objects.filter(call_list_id=campaigns.corbyn_list.pk).exists()
    assert CallTarget.objects.count() == kept
    assert _dangling() == 0


def test_deleting_a_roll_entry_deletes_its_targets(campaigns: Campaigns) -> None:
    entry = RollEntry.objects.get(pk=CallTarget.objects.values("roll_entry_id")[:1])
    before = CallTarget.objects.count()
    entry.delete()
    assert not CallTarget.objects.filter(roll_entry_id=entry.pk).exists()
    assert CallTarget.objects.count() == before - 2  # one on each campaign's list
    assert _dangling() == 0
