"""Writes to contests and candidates; every lifecycle step goes through `contest_transition`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.html import strip_tags
from django.utils.text import slugify

from omov.contests import lifecycle, locks, policies
from omov.contests.models import (
    Candidate,
    CandidateStatus,
    Contest,
    ContestStatus,
    CountingMethod,
)
from omov.contests.timetable import TimetableConflict, timetable_conflicts
from omov.core import clock
from omov.core.errors import Blocked, PermissionRefused, ServiceError
from omov.core.services import audit_record

CONTEST_FIELDS = (
    "title",
    "kind",
    "seats",
    "method",
    "is_vacancy",
    "tie_break_seed",
    "freeze_date",
    "arrears_deadline",
    "supporter_window_opens_at",
    "supporter_window_closes_at",
    "supporter_fee_pence",
    "parliamentary_nominations_open_at",
    "parliamentary_nominations_close_at",
    "branch_nominations_open_at",
    "branch_nominations_close_at",
    "ballot_opens_at",
    "ballot_closes_at",
)


def contest_blockers(contest: Contest, step_name: str) -> list[str]:
    """List every reason ``step_name`` cannot be taken now; empty when it can."""
    step = lifecycle.STEPS[step_name]
    blockers: list[str] = []
    if contest.status != step.from_status:
        blockers.append(
            f"the contest is {contest.get_status_display().lower()}, and this step needs it to be "
            f"{ContestStatus(step.from_status).label.lower()}"
        )
        return blockers
    if step_name == "open_nominations" and not contest.candidates.exists():
        blockers.append("add at least one candidate")
    for provider in lifecycle.blocker_providers(step_name):
        blockers.extend(provider(contest))
    return blockers


def contest_transition(
    *, contest: Contest, step: str, actor: Any = None, actor_label: str = "", reason: str = ""
) -> Contest:
    """Take one lifecycle step: check its blockers, set the status, stamp the time, audit it.

    Call inside the transaction of the service doing the step's work; the contest row is locked
    so two officers cannot take the same step at once. A step that goes against the contest's
    timetable (``timetable.timetable_conflicts``) is refused with ``TimetableConflict`` unless a
    ``reason`` is given; the conflicts and the reason go into the step's audit event.
    """
    definition = lifecycle.STEPS.get(step)
    if definition is None:
        raise ServiceError(f"There is no lifecycle step called {step!r}.")
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        blockers = contest_blockers(locked, step)
        if blockers:
            raise Blocked(definition.label.lower(), blockers)
        at = clock.now()
        conflicts = timetable_conflicts(locked, step, at)
        reason = reason.strip()
        if conflicts and not reason:
            raise TimetableConflict(definition.label, conflicts)
        locked.status = definition.to_status
        setattr(locked, definition.stamp_field, at)
        locked.save(update_fields=["status", definition.stamp_field])
        audit_record(
            action=f"contest.{step}",
            summary=f"{definition.label}: {locked.title}",
            actor=actor,
            actor_label=actor_label,
            contest=locked,
            target=locked,
            reason=reason,
            data={"timetable_conflicts": conflicts} if conflicts else None,
        )
    contest.refresh_from_db()
    return contest


def contest_take_step(
    *, contest: Contest, step: str, actor: Any = None, reason: str = "", **options: Any
) -> Any:
    """Take ``step`` through the app service registered for it, or the plain transition.

    ``reason`` is passed on to ``contest_transition`` (through the step's service, when one is
    registered): it is needed only when the step goes against the timetable, so the services of
    steps the timetable never questions (count, declare) need not take it.
    """
    service = lifecycle.step_service(step)
    if service is None:
        return contest_transition(
            contest=contest,
            step=step,
            actor=actor,
            actor_label=options.get("actor_label", ""),
            reason=reason,
        )
    if reason:
        options["reason"] = reason
    return service(contest=contest, actor=actor, **options)


def contest_create(*, actor: Any = None, actor_label: str = "", **fields: Any) -> Contest:
    """Create a contest in draft from the given fields (validated); audit it; return it."""
    unknown = set(fields) - set(CONTEST_FIELDS) - {"slug", "candidates"}
    if unknown:
        raise ServiceError(
            f"Unknown contest field(s): {', '.join(sorted(unknown))}. "
            f"Known fields: slug, candidates, {', '.join(CONTEST_FIELDS)}."
        )
    candidates = fields.pop("candidates", [])
    title = str(fields.get("title") or "").strip()
    if not title:
        raise ServiceError("A contest needs a title.")
    _check_choices(fields)
    slug = fields.pop("slug", None) or slugify(title)[:80]
    if Contest.objects.filter(slug=slug).exists():
        raise ServiceError(f"A contest with the slug {slug!r} already exists; choose another slug.")
    contest = Contest(slug=slug, **fields)

    try:
        contest.full_clean()
    except ValidationError as error:
        raise ServiceError(_describe_validation(error)) from error
    with transaction.atomic():
        contest.save()
        for position, candidate in enumerate(candidates, start=1):
            if isinstance(candidate, str):
                candidate = {"name": candidate}
            candidate_add(contest=contest, position=position, actor=actor, **candidate)
        audit_record(
            action="contest.create",
            summary=f"Created contest {contest.title}",
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=contest,
        )
    return contest


def candidate_add(
    *,
    contest: Contest,
    name: str,
    actor: Any = None,
    is_incumbent: bool = False,
    statement: str = "",
    position: int | None = None,
    consented: bool = False,
) -> Candidate:
    """Add a candidate to a contest that has not yet frozen its roll."""
    name = " ".join(str(name).split())
    if not name:
        raise ServiceError("A candidate needs a name.")
    if contest.has_reached(ContestStatus.ROLL_FROZEN):
        raise ServiceError("Candidates cannot be added once the roll is frozen.")
    if contest.candidates.filter(name=name).exists():
        raise ServiceError(f"{name} is already a candidate in this contest.")
    with transaction.atomic():
        candidate = Candidate.objects.create(
            contest=contest,
            name=name,
            is_incumbent=is_incumbent,
            statement=statement,
            ballot_position=position or contest.candidates.count() + 1,
            consented_at=clock.now() if consented else None,
            status=CandidateStatus.NOMINATED if is_incumbent else CandidateStatus.PROPOSED,
        )
        audit_record(
            action="candidate.add",
            summary=f"Added candidate {name}",
            actor=actor,
            contest=contest,
            target=candidate,
        )
    return candidate


def contest_update(
    *,
    contest: Contest,
    changes: dict[str, Any],
    actor: Any = None,
    actor_label: str = "",
    reason: str = "",
) -> Contest:
    """Change a contest's fields: the one way a contest is edited (the admin shares its locks).

    Refused, with nothing changed, when a field is unknown or a lifecycle step locked it
    (``contests.locks``: the reason is in the message), when the values do not validate, or when
    another app's registered check refuses the change (the electorate's on the close's day). The
    returning officer edits; ``actor`` None is the command line or the system. Audited with each
    field's old and new value.
    """
    if actor is not None:
        decision = policies.can_take_step(actor, contest)
        if not decision:
            raise PermissionRefused(decision.reason)
    unknown = sorted(set(changes) - set(CONTEST_FIELDS))
    if unknown:
        raise ServiceError(
            f"Unknown contest field(s): {', '.join(unknown)}. Fields that can change: "
            f"{', '.join(CONTEST_FIELDS)}."
        )
    _check_choices(dict(changes))
    with transaction.atomic():
        locked_contest = Contest.objects.select_for_update().get(pk=contest.pk)
        locked = locks.contest_locked_fields(locked_contest)
        refused = [f"{name}: {strip_tags(locked[name])}" for name in changes if name in locked]
        if refused:
            raise ServiceError("Nothing was changed. " + " ".join(refused))
        before = {name: getattr(locked_contest, name) for name in changes}
        for name, value in changes.items():
            setattr(locked_contest, name, value)
        try:
            locked_contest.full_clean()
        except ValidationError as error:
            raise ServiceError(_describe_validation(error)) from error
        changed = {
            name: (before[name], getattr(locked_contest, name))
            for name in changes
            if before[name] != getattr(locked_contest, name)
        }
        if not changed:
            return locked_contest
        problems = locks.change_problems(
            Contest.objects.get(pk=contest.pk), changed
        )  # checks read the stored contest
        if problems:
            raise ServiceError(
                "Nothing was changed. "
                + " ".join(f"{field or 'contest'}: {message}" for field, message in problems)
            )
        locked_contest.save(update_fields=list(changed))
        audit_record(
            action="contest.update",
            summary=f"Changed {', '.join(changed)} of {locked_contest.title}",
            actor=actor,
            actor_label=actor_label,
            contest=locked_contest,
            target=locked_contest,
            data={name: [str(old), str(new)] for name, (old, new) in changed.items()},
            reason=reason,
        )
    return locked_contest


def _check_choices(fields: dict[str, Any]) -> None:
    """Refuse a counting method or seat count the count cannot take, listing what it can."""
    method = fields.get("method", CountingMethod.IRV)
    if method not in CountingMethod.values:
        raise ServiceError(
            f"The method {method!r} is not one omov counts by; choose one of: "
            + ", ".join(f"{value} ({label})" for value, label in CountingMethod.choices)
            + "."
        )
    seats = fields.get("seats", 1)
    if not isinstance(seats, int) or isinstance(seats, bool) or seats < 1:
        raise ServiceError(f"seats must be a whole number of at least 1, not {seats!r}.")
    if method == CountingMethod.IRV and seats != 1:
        raise ServiceError(
            f"The method irv elects one candidate, and this contest has {seats} seats; for "
            "several seats choose stv-scottish, stv-meek or plurality."
        )
    kind = fields.get("kind")
    if kind is not None and (not isinstance(kind, str) or not kind.strip()):
        raise ServiceError(
            "kind names the office elected in your own words (for example leader, "
            "general_secretary, board, chair); it cannot be empty."
        )


def _describe_validation(error: Any) -> str:
    """Turn a Django ValidationError into one sentence naming each field."""
    if hasattr(error, "message_dict"):
        parts = [f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()]
        return "The contest is not valid — " + "; ".join(parts)
    return " ".join(error.messages)
