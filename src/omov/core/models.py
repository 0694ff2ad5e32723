"""Cross-app records: the audit trail and who holds which role in which contest."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    """The least-privilege roles of the election office."""

    RETURNING_OFFICER = "returning_officer", "Returning officer"
    SCRUTINEER = "scrutineer", "Scrutineer"
    BRANCH_SECRETARY = "branch_secretary", "Branch secretary"
    CANDIDATE_AGENT = "candidate_agent", "Candidate's agent"
    PAPER_OPERATOR = "paper_operator", "Paper ballot operator"
    PAPER_SUPERVISOR = "paper_supervisor", "Paper ballot supervisor"
    # Campaign roles (omov.campaigns, decision 0014): each names the candidate whose campaign it
    # is, and grants nothing outside that campaign.
    CAMPAIGN_MANAGER = "campaign_manager", "Campaign manager"
    CAMPAIGN_ORGANISER = "campaign_organiser", "Campaign organiser"
    CAMPAIGN_CALLER = "campaign_caller", "Campaign caller"
    # A trustee of one contest's verifiable count (omov.trustees, decision 0017): sees only that
    # contest's trustee page and the public record. Granted with the appointment, never global.
    TRUSTEE = "trustee", "Trustee"


#: The roles scoped to one candidate's campaign.
CAMPAIGN_ROLES = (Role.CAMPAIGN_MANAGER, Role.CAMPAIGN_ORGANISER, Role.CAMPAIGN_CALLER)
#: The roles outside the election office: they see nothing of the office's pages (a campaign is not
#: part of the election office; a trustee holds a key share, not an office).
OUTSIDE_ROLES = (*CAMPAIGN_ROLES, Role.TRUSTEE)
#: The roles of the election office: every role but those outside it.
OFFICE_ROLES = tuple(role for role in Role if role not in OUTSIDE_ROLES)


class RoleAssignment(models.Model):
    """Grant a user a role, for one contest or (contest empty) for every contest.

    A branch secretary's assignment names the branch; a candidate's agent names the candidate.
    Written only by ``omov.core.services.role_grant`` and ``role_revoke``, which validate the
    scope and audit every change.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    contest = models.ForeignKey(
        "contests.Contest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        help_text="Leave empty to grant the role in every contest.",
    )
    branch = models.ForeignKey(
        "electorate.Branch",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    candidate = models.ForeignKey(
        "contests.Candidate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agent_assignments",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="branch_secretary_has_branch",
                condition=~models.Q(role="branch_secretary") | models.Q(branch__isnull=False),
            ),
            models.CheckConstraint(
                name="candidate_agent_has_candidate",
                condition=~models.Q(role="candidate_agent") | models.Q(candidate__isnull=False),
            ),
            models.CheckConstraint(
                name="campaign_role_has_candidate",
                condition=~models.Q(
                    role__in=["campaign_manager", "campaign_organiser", "campaign_caller"]
                )
                | models.Q(candidate__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.describe_scope()})"

    def describe_scope(self) -> str:
        """Say in words where the role applies: its branch or candidate, and its contest."""
        parts = []
        if self.branch is not None:
            parts.append(f"branch {self.branch.name}")
        if self.candidate is not None:
            parts.append(f"candidate {self.candidate.name}")
        parts.append(
            f"contest {self.contest.slug}" if self.contest is not None else "every contest"
        )
        return ", ".join(parts)


class AuditEvent(models.Model):
    """One audited change: who did what, when, to which contest, and why.

    Written only by ``omov.core.services.audit_record``, inside the same transaction as the change
    it describes, so a change and its audit entry stand or fall together. Never holds ballot
    contents or anything that links a voter to a ballot.
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_label = models.CharField(
        max_length=150, blank=True, help_text="Who acted when there is no user: 'system', 'cli'."
    )
    action = models.CharField(max_length=80, db_index=True)
    # PROTECT: a contest with an audit trail cannot be deleted, so its trail cannot be lost.
    contest = models.ForeignKey(
        "contests.Contest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    summary = models.TextField()
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The hash chain (omov.core.audit_chain): place in the contest's (or the site's) chain, the
    # previous event's hash and this event's.
    sequence = models.PositiveBigIntegerField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["contest", "action"])]
        constraints = [
            # A chain cannot fork: one event per place, per contest and in the site's chain.
            models.UniqueConstraint(
                fields=["contest", "sequence"],
                condition=models.Q(contest__isnull=False),
                name="one_event_per_place_in_a_contest_chain",
            ),
            models.UniqueConstraint(
                fields=["sequence"],
                condition=models.Q(contest__isnull=True),
                name="one_event_per_place_in_the_site_chain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}: {self.summary}"


class AuditChainHead(models.Model):
    """The last event of one audit chain (a contest's, or the site's): its place and hash.

    ``audit_record`` locks this row (SELECT … FOR UPDATE) before it appends, so two events
    written at once to the same chain are appended one after the other and the chain never forks.
    """

    chain = models.CharField(max_length=40, unique=True)
    length = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}: {self.length} events, head {self.hash[:12]}…"


class ThrottleBucket(models.Model):
    """Count attempts at something guessable, per key and window, shared by all app servers.

    Written only by ``omov.core.services.throttle_record``. The key is a keyed hash
    (``throttle_key``) under a key derived from the site's secret key, never the credential key,
    so a copy of the database cannot tie a row to a credential, a voter or an address. The primary
    key is random (on SQLite the table has no rowid), so rows carry no order across keys, and a
    row is deleted once its window has ended (``throttle_purge``). See docs/decisions/0003.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="one_bucket_per_window")
        ]
        indexes = [models.Index(fields=["window_end"], name="throttle_window_end")]

    def __str__(self) -> str:
        return f"{self.key} from {self.window_start:%H:%M:%S}: {self.attempts}"
