"""The demo's staff accounts: one per role, each with a fresh password on every run.

Roles are granted through ``omov.core.services.role_grant`` (acting as "omov demo"), which
checks each scope and audits each grant; granting again is a no-op, so a re-run adds nothing.
The demo only ever adds the assignments it names, and never revokes one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from omov.contests.models import Candidate, Contest
from omov.core.models import Role
from omov.core.services import role_grant
from omov.electorate.models import Branch

_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RETURNING_OFFICER = "returning-officer"
ACTOR_LABEL = "omov demo"


@dataclass(frozen=True)
class DemoAccount:
    """A staff account as printed: who signs in, with what, as which role, and where to go."""

    username: str
    password: str
    role: str
    scope: str
    start_url: str


@dataclass(frozen=True)
class _Grant:
    username: str
    role: Role
    scope: str
    first_name: str
    last_name: str
    contest: Contest | None = None
    branch: Branch | None = None
    candidate: Candidate | None = None
    is_superuser: bool = False


def new_password() -> str:
    """Return a readable random password: three groups of four letters and digits."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


def accounts_ensure(
    *,
    leadership: Contest,
    deputy: Contest,
    secretary_branch: Branch,
    agent_candidate: Candidate,
    start_urls: dict[str, str],
) -> list[DemoAccount]:
    """Create (or find) every demo account, grant its role once, and set a new password."""
    grants = [
        _Grant(
            RETURNING_OFFICER,
            Role.RETURNING_OFFICER,
            "every contest; also the admin at /admin/",
            "Returning",
            "Officer",
            is_superuser=True,
        ),
        _Grant("scrutineer", Role.SCRUTINEER, "every contest (read-only)", "Scrutineer", "Demo"),
        _Grant(
            "islington-north-secretary",
            Role.BRANCH_SECRETARY,
            f"branch {secretary_branch.name}",
            "Branch",
            "Secretary",
            branch=secretary_branch,
        ),
        _Grant(
            "owen-smith-agent",
            Role.CANDIDATE_AGENT,
            f"{agent_candidate.name}, {leadership.title}",
            "Candidate's",
            "Agent",
            contest=leadership,
            candidate=agent_candidate,
        ),
        _Grant(
            "paper-operator-1",
            Role.PAPER_OPERATOR,
            f"keys papers, {deputy.title}",
            "Paper",
            "Operator One",
            contest=deputy,
        ),
        _Grant(
            "paper-operator-2",
            Role.PAPER_OPERATOR,
            f"keys papers, {deputy.title}",
            "Paper",
            "Operator Two",
            contest=deputy,
        ),
        _Grant(
            "paper-supervisor",
            Role.PAPER_SUPERVISOR,
            f"settles mismatches, {deputy.title}",
            "Paper",
            "Supervisor",
            contest=deputy,
        ),
    ]
    user_model = get_user_model()
    accounts = []
    with transaction.atomic():
        for grant in grants:
            user, _ = user_model.objects.get_or_create(
                username=grant.username,
                defaults={
                    "first_name": grant.first_name,
                    "last_name": grant.last_name,
                    "email": f"{grant.username}@example.org",
                    "is_staff": grant.is_superuser,
                    "is_superuser": grant.is_superuser,
                },
            )
            password = new_password()
            user.set_password(password)
            user.save(update_fields=["password"])
            role_grant(
                user=user,
                role=grant.role,
                contest=grant.contest,
                branch=grant.branch,
                candidate=grant.candidate,
                actor_label=ACTOR_LABEL,
                reason="A demo account.",
            )
            accounts.append(
                DemoAccount(
                    username=grant.username,
                    password=password,
                    role=str(grant.role.label),
                    scope=grant.scope,
                    start_url=start_urls.get(grant.username, "/"),
                )
            )
    return accounts


def returning_officer_ensure() -> Any:
    """Return the demo's returning officer (created with a global grant when missing).

    The build acts as this user, so every step is audited under the returning officer's name.
    """
    user_model = get_user_model()
    with transaction.atomic():
        user, created = user_model.objects.get_or_create(
            username=RETURNING_OFFICER,
            defaults={
                "first_name": "Returning",
                "last_name": "Officer",
                "email": f"{RETURNING_OFFICER}@example.org",
                "is_staff": True,
                "is_superuser": True,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        role_grant(
            user=user,
            role=Role.RETURNING_OFFICER,
            actor_label=ACTOR_LABEL,
            reason="A demo account.",
        )
    return user
