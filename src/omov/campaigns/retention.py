"""Erasing a contest's canvass data once its retention period has run out (decision 0014, 7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from omov.campaigns import selectors
from omov.campaigns.models import (
    Call,
    CallTarget,
    Campaign,
    CampaignSummary,
    Claim,
    Invitation,
    Outcome,
    RollRelease,
    Rsvp,
    Volunteer,
)
from omov.contests.models import Contest
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.services import audit_record


def erase_due_at(contest: Contest) -> dt.datetime | None:
    """Return when the contest's canvass data is due for erasure (None: not declared yet)."""
    release = RollRelease.objects.filter(contest=contest).first()
    if contest.declared_at is None:
        return None
    days = release.retention_days if release is not None else 30
    return contest.declared_at + dt.timedelta(days=days)


def canvass_erase(
    *, contest: Contest, actor: Any = None, actor_label: str = "", force: bool = False
) -> dict[str, int]:
    """Delete the contest's claims, calls, answers, call targets, volunteers and RSVPs; keep
    aggregate figures (per campaign, and per event: places given and people checked in).

    Refused before the retention period has run out (``force`` lets the returning officer
    erase early, e.g. on a voter's request; it cannot erase later than due). Returns what was
    deleted; running it again deletes nothing more.
    """
    due = erase_due_at(contest)
    now = clock.now()
    if not force:
        if due is None:
            raise ServiceError(
                f"{contest.title} is not declared yet: canvass data is kept until the retention "
                "period after the declaration has run out."
            )
        if now < due:
            raise ServiceError(
                f"Canvass data of {contest.title} is kept until {due:%Y-%m-%d %H:%M} (the "
                "retention period after the declaration). Run this again then."
            )
    deleted = {"calls": 0, "claims": 0, "targets": 0, "volunteers": 0, "rsvps": 0, "invitations": 0}
    with transaction.atomic():
        for campaign in Campaign.objects.select_for_update().filter(contest=contest):
            calls = Call.objects.filter(campaign=campaign)
            if not CampaignSummary.objects.filter(campaign=campaign).exists():
                figures = selectors.campaign_figures(campaign, at=now)
                CampaignSummary.objects.create(
                    campaign=campaign,
                    calls=figures.calls,
                    answered=figures.answered,
                    do_not_call=calls.filter(outcome=Outcome.DO_NOT_CALL).count(),
                    by_support=dict(figures.by_support),
                    attendance={
                        str(row.event.pk): {
                            "confirmed": row.confirmed,
                            "checked_in": row.checked_in,
                        }
                        for row in selectors.campaign_attendance(campaign)
                    },
                    erased_at=now,
                )
            deleted["calls"] += calls.delete()[0]
            deleted["claims"] += Claim.objects.filter(campaign=campaign).delete()[0]
            deleted["volunteers"] += Volunteer.objects.filter(campaign=campaign).delete()[0]
            # Attendees' names and emails are canvass data too (decision 0015); events stay.
            deleted["rsvps"] += Rsvp.objects.filter(event__campaign=campaign).delete()[0]
            deleted["invitations"] += Invitation.objects.filter(event__campaign=campaign).delete()[
                0
            ]
            deleted["targets"] += CallTarget.objects.filter(call_list__campaign=campaign).delete()[
                0
            ]
        RollRelease.objects.filter(contest=contest).update(erased_at=now)
        audit_record(
            action="campaign.erase",
            summary=f"Erased the canvass data of {contest.title} ({deleted['calls']:,} calls)",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            data={**deleted, "early": bool(force and (due is None or now < due))},
        )
    return deleted
