"""Who may see a job: whoever started it, and the returning officer of its contest."""

from __future__ import annotations

from typing import Any

from omov.core.models import Role
from omov.core.policies import ALLOW, Decision, deny, has_role
from omov.jobs.models import Job


def can_view_job(actor: Any, job: Job) -> Decision:
    if not getattr(actor, "is_authenticated", False):
        return deny("Sign in to see this job.")
    if job.actor_id is not None and job.actor_id == actor.pk:
        return ALLOW
    if job.contest is not None and has_role(actor, job.contest, Role.RETURNING_OFFICER):
        return ALLOW
    return deny("Only whoever started this job and the returning officer can see it.")
