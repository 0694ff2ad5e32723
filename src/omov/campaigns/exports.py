"""Exporting a campaign's calls: streamed (one row at a time) and audited.

A campaign of 200,000 calls never sits in memory; the CLI writes the file beside its target and
renames it, readable by its owner only.
"""

from __future__ import annotations

import csv
from typing import Any, TextIO

from omov.campaigns import policies
from omov.campaigns.models import Call, Campaign
from omov.core.errors import ServiceError
from omov.core.services import audit_record

EXPORT_COLUMNS = ("called_at", "caller", "voter", "branch", "category", "outcome", "script")


def calls_export(
    *, campaign: Campaign, out: TextIO, actor: Any = None, actor_label: str = ""
) -> int:
    """Write the campaign's calls as CSV to ``out``, a row at a time; audit it; return the rows.

    Only while the campaign has access (decision 0014, 3), and only the campaign's own calls.
    """
    if actor is not None:
        decision = policies.can_export(actor, campaign)
        if not decision:
            raise ServiceError(decision.reason)
    access = policies.access_open(campaign)
    if not access:
        raise ServiceError(access.reason)
    questions = [
        key
        for key in dict.fromkeys(
            question["key"] for script in campaign.scripts.all() for question in script.questions
        )
    ]
    writer = csv.writer(out)
    writer.writerow([*EXPORT_COLUMNS, *questions])
    rows = 0
    calls = (
        Call.objects.filter(campaign=campaign)
        .select_related("caller", "roll_entry__person", "roll_entry__branch", "script")
        .order_by("called_at", "id")
    )
    for call in calls.iterator(chunk_size=2000):
        person = call.roll_entry.person
        writer.writerow(
            [
                call.called_at.isoformat(),
                call.caller.get_username(),
                person.full_name,
                call.roll_entry.branch.name if call.roll_entry.branch else "",
                call.roll_entry.category,
                call.outcome,
                str(call.script),
                *[call.answers.get(key, "") for key in questions],
            ]
        )
        rows += 1
    audit_record(
        action="campaign.export",
        summary=f"{campaign.name}: exported {rows:,} calls",
        actor=actor,
        actor_label=actor_label,
        contest=campaign.contest,
        target=campaign,
        data={"rows": rows},
    )
    return rows
