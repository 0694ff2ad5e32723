"""The candidates' campaigns: the released contact list, phone-bank scripts, lists, claims, calls.

Decision 0014 says what a campaign may see. Nothing here holds a ballot, a credential or whether
someone voted; the do-not-call register names no campaign.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class RollRelease(models.Model):
    """The returning officer's release of a contest's roll to every campaign at once.

    Written only by ``campaigns.services.roll_release`` (which stamps ``roll_released_at``) and
    ``canvass_erase`` (``erased_at``).
    """

    contest = models.OneToOneField(
        "contests.Contest", on_delete=models.CASCADE, related_name="roll_release"
    )
    roll_released_at = models.DateTimeField()
    retention_days = models.PositiveIntegerField(
        default=30, help_text="Canvass data is erased this many days after the declaration."
    )
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Roll of {self.contest} released at {self.roll_released_at:%Y-%m-%d %H:%M}"


class Campaign(models.Model):
    """One nominated candidate's campaign in one contest, and its calling rules."""

    contest = models.ForeignKey(
        "contests.Contest", on_delete=models.CASCADE, related_name="campaigns"
    )
    candidate = models.OneToOneField(
        "contests.Candidate", on_delete=models.CASCADE, related_name="campaign"
    )
    name = models.CharField(max_length=200)
    calling_starts = models.TimeField(default=dt.time(9, 0))
    calling_ends = models.TimeField(default=dt.time(21, 0))
    time_zone = models.CharField(max_length=64, default="Europe/London")
    cooldown_minutes = models.PositiveIntegerField(
        default=240, help_text="The least time between two attempts to reach one voter."
    )
    max_attempts = models.PositiveSmallIntegerField(default=3)
    claim_minutes = models.PositiveSmallIntegerField(
        default=10, help_text="A caller's hold on a contact lapses after this many minutes."
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["contest", "candidate__ballot_position"]
        constraints = [
            models.CheckConstraint(
                name="campaign_calling_hours_ordered",
                condition=models.Q(calling_starts__lt=models.F("calling_ends")),
            ),
            models.CheckConstraint(
                name="campaign_attempts_positive", condition=models.Q(max_attempts__gte=1)
            ),
            models.CheckConstraint(
                name="campaign_claim_positive", condition=models.Q(claim_minutes__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Script(models.Model):
    """One version of a phone-bank script: flat questions, each with its allowed answers.

    ``questions`` is a list of ``{"key", "text", "choices": [...], "when": {"key", "in"}?}``;
    a new version is a new row, so every call names the exact version it answered.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="scripts")
    name = models.CharField(max_length=120)
    version = models.PositiveIntegerField()
    introduction = models.TextField(blank=True)
    questions = models.JSONField(default=list)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name", "version"], name="script_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class CallList(models.Model):
    """A segment of the contact list to call, with the script its callers read."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="call_lists")
    name = models.CharField(max_length=120)
    script = models.ForeignKey(Script, on_delete=models.PROTECT, related_name="call_lists")
    branch = models.ForeignKey(
        "electorate.Branch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=24, blank=True)
    only_not_reached = models.BooleanField(default=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class CallTarget(models.Model):
    """One contact on a call list, and how far the list has got with them.

    Its two references are not foreign-key constraints in the database (``db_constraint``):
    on PostgreSQL their per-row checks were 5.0 s of the 8.7 s it took to build a list of the
    whole 654,006-voter contact list (issue 13 asks for under 5 s). Every row is written by one
    ``INSERT … SELECT`` (``bulk.targets_insert_select``) from roll entries that exist, into a
    list made in the same transaction, and only the ORM deletes lists and roll entries, which
    cascades to the targets itself (``tests/campaigns/test_campaigns_call_list_scale.py``).
    """

    call_list = models.ForeignKey(
        CallList, on_delete=models.CASCADE, related_name="targets", db_constraint=False
    )
    roll_entry = models.ForeignKey(
        "electorate.RollEntry",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    call_back_at = models.DateTimeField(null=True, blank=True)
    is_finished = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["call_list", "roll_entry"], name="one_target_per_list_entry"
            )
        ]
        indexes = [
            models.Index(
                fields=["call_list", "attempts", "id"],
                name="target_open_by_attempts",
                condition=models.Q(is_finished=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.roll_entry_id} on {self.call_list_id}"


class Claim(models.Model):
    """A caller's hold on one contact while they call them; lapses at ``expires_at``.

    The partial unique index makes two live holds on one voter in one campaign impossible, even
    across two call lists (decision 0014, 6).
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="claims")
    target = models.ForeignKey(CallTarget, on_delete=models.CASCADE, related_name="claims")
    roll_entry = models.ForeignKey(
        "electorate.RollEntry", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_claims"
    )
    session = models.ForeignKey(
        "PhoneBankSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "roll_entry"],
                condition=models.Q(is_active=True),
                name="one_active_claim_per_voter",
            )
        ]
        indexes = [models.Index(fields=["caller", "is_active"], name="claim_by_caller")]

    def __str__(self) -> str:
        return f"{self.caller} holds {self.roll_entry_id} until {self.expires_at:%H:%M}"


class PhoneBankSession(models.Model):
    """An evening's phone bank: a venue, a time window, and the lists its callers work."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sessions")
    name = models.CharField(max_length=200)
    venue = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    call_list = models.ForeignKey(CallList, on_delete=models.PROTECT, related_name="sessions")

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                name="session_window_ordered", condition=models.Q(starts_at__lt=models.F("ends_at"))
            )
        ]

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    ANSWERED = "answered", "Answered"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    VOICEMAIL = "voicemail", "Voicemail"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    CALL_BACK = "call_back", "Call back at a time"
    REFUSED = "refused", "Refused"
    DO_NOT_CALL = "do_not_call", "Do not call"
    MOVED_OR_DECEASED = "moved_or_deceased", "Moved or deceased"


#: Outcomes after which the voter is tried again (after the cooldown, up to the maximum).
RETRY_OUTCOMES = frozenset({Outcome.NO_ANSWER, Outcome.BUSY, Outcome.VOICEMAIL})


class Call(models.Model):
    """One recorded call: its outcome and the answers, naming the script version answered.

    Saved once per claim (``claim`` is one-to-one), so a repeated save cannot count twice.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="calls")
    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="call")
    target = models.ForeignKey(CallTarget, on_delete=models.CASCADE, related_name="calls")
    roll_entry = models.ForeignKey(
        "electorate.RollEntry", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_calls"
    )
    session = models.ForeignKey(
        PhoneBankSession, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    script = models.ForeignKey(Script, on_delete=models.PROTECT, related_name="calls")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    answers = models.JSONField(default=dict, blank=True)
    call_back_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "called_at"], name="call_by_campaign_time"),
            models.Index(fields=["campaign", "roll_entry"], name="call_by_campaign_voter"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} at {self.called_at:%H:%M}"


class DoNotCall(models.Model):
    """A voter who asked not to be called: no campaign is named (decision 0014, 4)."""

    person = models.OneToOneField(
        "electorate.Person", on_delete=models.CASCADE, related_name="do_not_call"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "do-not-call request"

    def __str__(self) -> str:
        return f"Do not call {self.person_id}"


class CampaignSummary(models.Model):
    """The aggregate figures kept of a campaign when its canvass data is erased (decision 0014).

    Breakdowns hold no figure under 10 (``null`` instead), like every dashboard.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="summary")
    calls = models.PositiveIntegerField()
    answered = models.PositiveIntegerField()
    do_not_call = models.PositiveIntegerField()
    by_support = models.JSONField(default=dict)
    attendance = models.JSONField(
        default=dict, help_text="Per event: RSVPs with a place and people checked in."
    )
    erased_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Summary of {self.campaign}: {self.calls} calls"


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", "Waiting for an organiser"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not taken on"


class Volunteer(models.Model):
    """Someone who offered to help a campaign through its public sign-up page."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="volunteers")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=20, help_text="E.164, normalised at sign-up.")
    area = models.CharField(max_length=200)
    availability = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=12, choices=VolunteerStatus.choices, default=VolunteerStatus.PENDING
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteering",
    )
    signed_up_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["signed_up_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="one_volunteer_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


# -- Events (decision 0015) ----------------------------------------------------------------------


class EventKind(models.TextChoices):
    RALLY = "rally", "Rally"
    PHONE_BANK = "phone_bank", "Phone-bank evening"
    HUSTINGS = "hustings", "Hustings"
    WATCH_PARTY = "watch_party", "Watch party"
    MEETING = "meeting", "Meeting"


class Event(models.Model):
    """A campaign's event: a venue, a time, a capacity, and its RSVPs.

    A *satellite* names its ``main_event`` (a screening of one rally in another city), with its
    own venue, time and capacity; a satellite has no satellites of its own. ``uid`` names the
    event in calendar feeds for good; ``sequence`` counts the edits a calendar must pick up.
    Written only by ``campaigns.events``.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    main_event = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="satellites"
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    venue = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(
        help_text="Places; RSVPs beyond it join the waiting list."
    )
    is_public = models.BooleanField(
        default=True, help_text="Public events have an RSVP page and appear in the calendar feed."
    )
    uid = models.UUIDField(unique=True)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="event_times_ordered", condition=models.Q(starts_at__lt=models.F("ends_at"))
            ),
            models.CheckConstraint(
                name="event_capacity_positive", condition=models.Q(capacity__gte=1)
            ),
        ]
        indexes = [models.Index(fields=["campaign", "starts_at"], name="event_by_campaign_time")]

    def __str__(self) -> str:
        return f"{self.title}, {self.venue}"


class RsvpStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Has a place"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


class Rsvp(models.Model):
    """Someone's reply to an event: a place, or a place on the waiting list (in order).

    The RSVP code and the cancel link are derived from ``nonce`` with a server key; only their
    keyed hashes are stored for look-up (decision 0015). ``waiting_since`` orders the waiting
    list; ``reminded_at`` makes the reminder job send at most one reminder per RSVP.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    status = models.CharField(max_length=12, choices=RsvpStatus.choices)
    nonce = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64, unique=True)
    cancel_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    waiting_since = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~models.Q(status="cancelled"),
                name="one_live_rsvp_per_email",
            )
        ]
        indexes = [
            models.Index(fields=["event", "status", "waiting_since"], name="rsvp_by_event_status")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class Invitation(models.Model):
    """That omov emailed one voter of the email contact list an invitation to one event.

    Only so nobody is invited twice; the campaign never sees these rows (decision 0015).
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(
        "electorate.Person", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="one_invitation_per_person")
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.event_id}"
