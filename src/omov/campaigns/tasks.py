"""Background jobs of the campaigns: erase canvass data whose retention period has run out.

Run daily from cron (``omov campaign erase --due``); erasing is idempotent.
"""

from __future__ import annotations

from omov.campaigns.models import RollRelease
from omov.campaigns.retention import canvass_erase, erase_due_at
from omov.core import clock


def canvass_erase_due(*, actor_label: str = "scheduled erase") -> list[str]:
    """Erase every contest whose canvass data is due; return their slugs."""
    now = clock.now()
    erased = []
    for release in RollRelease.objects.filter(erased_at__isnull=True).select_related("contest"):
        due = erase_due_at(release.contest)
        if due is not None and due <= now:
            canvass_erase(contest=release.contest, actor_label=actor_label)
            erased.append(release.contest.slug)
    return erased
