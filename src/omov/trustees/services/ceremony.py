"""The key ceremony's services: appoint the trustees, take their public keys, start the record,
seal the joint key; and the open blocker that waits for it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from omov.contests import categories
from omov.contests.models import Contest, ContestStatus
from omov.contests.selectors import ballot_candidates
from omov.core import clock
from omov.core.errors import ServiceError
from omov.core.models import Role, RoleAssignment
from omov.core.services import audit_record, role_grant
from omov.trustees import policies, selectors
from omov.trustees.models import ElectionRecord, EntryKind, RecordEntry, Trustee
from omov.trustees.options import ballot_options
from omov.trustees.record import record_checked
from omov.trustees.services.common import (
    _append,
    _is_hex,
    _json_object,
    _record_lock,
    _require,
)
from omov.verifiable.ceremony import (
    key_entry,
    parameters_entry,
)
from omov.verifiable.dkg import qualified_dealers
from omov.verifiable.verifier import RecordState


@dataclass(frozen=True)
class Appointment:
    """One trustee to appoint: the name the record shows and the account that acts for them."""

    name: str
    user: Any


def trustees_appoint(
    *,
    contest: Contest,
    threshold: int,
    trustees: Sequence[Appointment],
    mixes_required: int = 2,
    actor: Any = None,
    actor_label: str = "",
) -> ElectionRecord:
    """Appoint the contest's ``n`` trustees (numbered 1…n in order) and set ``t``; audit it.

    Allowed until the record starts (its parameters fix the trustees), and only before the
    ballot opens. Appointing again replaces the list: a trustee kept at the same number with the
    same account keeps the key they handed in; anyone dropped loses the trustee role.
    """
    _require(actor, policies.can_manage_trustees(actor, contest))
    names = [appointment.name.strip() for appointment in trustees]
    if not trustees:
        raise ServiceError("Appoint at least one trustee.")
    if any(not name for name in names):
        raise ServiceError("Every trustee needs a name, as the record will show it.")
    if any(len(name) > 200 for name in names):
        raise ServiceError("A trustee's name is at most 200 characters.")
    users = [appointment.user for appointment in trustees]
    if len({user.pk for user in users}) != len(users):
        raise ServiceError("Each trustee acts through their own account: an account appears twice.")
    if not 1 <= threshold <= len(trustees):
        raise ServiceError(
            f"The threshold (trustees needed to decrypt) must be between 1 and {len(trustees)}, "
            f"the number of trustees; it was {threshold}."
        )
    if not 1 <= mixes_required <= len(trustees):
        raise ServiceError(
            f"The mixes required must be between 1 and {len(trustees)} (each trustee mixes at "
            f"most once); it was {mixes_required}."
        )
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.has_reached(ContestStatus.BALLOT_OPEN):
            raise ServiceError("The ballot is open: trustees are appointed before it opens.")
        record, _ = ElectionRecord.objects.select_for_update().get_or_create(
            contest=locked, defaults={"threshold": threshold, "mixes_required": mixes_required}
        )
        if record.entries.exists():
            raise ServiceError(
                "The record has started and its parameters name the trustees: they can no "
                "longer change."
            )
        record.threshold, record.mixes_required = threshold, mixes_required
        record.save(update_fields=["threshold", "mixes_required"])
        kept = {(t.number, t.user_id): t for t in record.trustees.all()}
        wanted = {(number, user.pk) for number, user in enumerate(users, start=1)}
        dropped = [t for key, t in kept.items() if key not in wanted]
        for trustee in dropped:
            trustee.delete()
        for number, (name, user) in enumerate(zip(names, users, strict=True), start=1):
            existing = kept.get((number, user.pk))
            if existing is None:
                Trustee.objects.create(record=record, number=number, name=name, user=user)
            elif existing.name != name:
                existing.name = name
                existing.save(update_fields=["name"])
        # The trustee role is part of the appointment, so the contest's returning officer grants
        # it here (role_grant alone is for the returning officer of every contest).
        label = actor_label or (actor.get_username() if actor is not None else "cli")
        for user in users:
            role_grant(user=user, role=Role.TRUSTEE, contest=locked, actor_label=label)
        remaining = {user.pk for user in users}
        for trustee in dropped:
            if trustee.user_id not in remaining:
                RoleAssignment.objects.filter(
                    user_id=trustee.user_id, role=Role.TRUSTEE, contest=locked
                ).delete()
        audit_record(
            action="trustees.appoint",
            summary=(
                f"Appointed {len(users)} trustees, {threshold} needed to decrypt, "
                f"{mixes_required} mixes: {', '.join(names)}"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=locked,
            target=record,
            data={
                "threshold": threshold,
                "mixes_required": mixes_required,
                "trustees": [
                    {"number": n, "name": name, "user": user.get_username()}
                    for n, (name, user) in enumerate(zip(names, users, strict=True), start=1)
                ],
                "dropped": [t.number for t in dropped],
            },
        )
    return record


def trustee_key_hand_in(
    *, trustee: Trustee, content: bytes, actor: Any, actor_label: str = ""
) -> Trustee:
    """Take the public file ``omov trustee init`` wrote for ``trustee``; allowed until the start."""
    _require(
        actor,
        policies.can_act_as_trustee(actor, trustee)
        or policies.can_upload_for_trustee(actor, trustee.record.contest),
    )
    value = _json_object(content, "the public file")
    number, key = value.get("number"), value.get("communication_key")
    if number != trustee.number:
        raise ServiceError(
            f"This public file is for trustee {number!r}, not trustee {trustee.number}: run "
            f"`omov trustee init --number {trustee.number}` and hand in its public file."
        )
    if not isinstance(key, str) or len(key) != 64 or not _is_hex(key) or key == "0" * 64:
        raise ServiceError(
            "The public file's communication_key must be 64 hex digits (an X25519 public key)."
        )
    with transaction.atomic():
        record = _record_lock(trustee.record.contest)
        if record.entries.exists():
            raise ServiceError(
                "The record has started with the keys handed in then: yours can no longer change."
            )
        # Two trustees sharing a key would each open the other's shares: with t = 2 one person
        # could then decrypt alone. Each trustee makes their own with `omov trustee init`.
        if record.trustees.exclude(pk=trustee.pk).filter(communication_key=key).exists():
            raise ServiceError(
                "Another trustee handed in this same public key: each trustee runs "
                "`omov trustee init` on their own computer and hands in their own."
            )
        locked = Trustee.objects.select_for_update().get(pk=trustee.pk)
        replaced = bool(locked.communication_key)
        locked.communication_key = key
        locked.key_handed_in_at = clock.now()
        locked.save(update_fields=["communication_key", "key_handed_in_at"])
        audit_record(
            action="trustees.key",
            summary=(
                f"Trustee {locked.number} ({locked.name}) "
                f"{'replaced' if replaced else 'handed in'} their public key"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=record.contest,
            target=locked,
            data={"number": locked.number, "communication_key": key},
        )
    return locked


def record_start(*, contest: Contest, actor: Any, actor_label: str = "") -> RecordEntry:
    """Write the parameters entry: trustees and their keys, t, the mixes, the ballot's options.

    Needs the roll frozen (the candidates on the ballot are settled) and every trustee's key.
    """
    _require(actor, policies.can_manage_trustees(actor, contest))
    with transaction.atomic():
        record = _record_lock(contest)
        contest.refresh_from_db()
        if contest.status != ContestStatus.ROLL_FROZEN:
            raise ServiceError(
                "The record starts once the roll is frozen (the candidates on the ballot are "
                "settled) and before the ballot opens."
            )
        if record.entries.exists():
            raise ServiceError("The record has started already.")
        trustees = list(record.trustees.order_by("number"))
        missing = [t for t in trustees if not t.communication_key]
        if missing:
            raise ServiceError(
                "Every trustee's public key must be in first; still missing: "
                + ", ".join(f"trustee {t.number} ({t.name})" for t in missing)
                + "."
            )
        # Every category, whichever the contest's rules admit: the trustees cannot read the
        # rules (they belong to the electorate), a category nobody votes in is an option nobody
        # chooses, and the declaration can break every result down by category (decision 0017).
        options, width = ballot_options(
            [c.name for c in ballot_candidates(contest)], categories.CATEGORIES
        )
        lines = parameters_entry(
            election=contest.title,
            threshold=record.threshold,
            trustees=[
                {"number": t.number, "name": t.name, "communication_key": t.communication_key}
                for t in trustees
            ],
            options=options,
            width=width,
            mixes_required=record.mixes_required,
        )
        entry = _append(record, None, EntryKind.PARAMETERS, "parameters", lines)
        audit_record(
            action="record.start",
            summary=(
                f"Started the election record: {len(trustees)} trustees, {len(options)} options"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=entry,
            data={"file": entry.file, "hash": entry.hash},
        )
    return entry


def record_key_seal(
    *, contest: Contest, actor: Any, actor_label: str = "", leave_out_missing: bool = False
) -> RecordEntry:
    """Close the key ceremony: the qualified dealers, the joint key, each verification key.

    Waits for every trustee's dealing and every complaint's answer, unless ``leave_out_missing``:
    then a trustee who has not dealt is left out and a dealer with an unanswered complaint is
    disqualified, as the protocol says. At least ``t`` qualified dealers are needed either way.
    """
    _require(actor, policies.can_manage_trustees(actor, contest))
    with transaction.atomic():
        record = _record_lock(contest)
        contest.refresh_from_db()
        if contest.has_reached(ContestStatus.BALLOT_OPEN):
            raise ServiceError("The ballot is open: the key ceremony closed before it.")
        with record_checked(record) as (_, state):
            if state is None:
                raise ServiceError("The record has not started yet.")
            if state.public_key is not None:
                raise ServiceError("The joint key is sealed already.")
            waits = _seal_waits(state)
            if waits and not leave_out_missing:
                raise ServiceError(
                    "The ceremony is not finished: "
                    + "; ".join(waits)
                    + ". Wait for them, or seal leaving them out."
                )
            qualified = qualified_dealers(
                dealings=state.dealings, complaints=state.complaints, answers=state.answers
            )
            if len(qualified) < state.threshold:
                raise ServiceError(
                    f"Only {len(qualified)} trustees qualified as dealers "
                    f"({', '.join(map(str, sorted(qualified))) or 'none'}); the threshold is "
                    f"{state.threshold}, so no joint key can be made yet."
                )
            lines = key_entry(state)
        entry = _append(record, None, EntryKind.KEY, "key", lines)
        audit_record(
            action="record.key",
            summary=(
                f"Sealed the joint key: qualified dealers {', '.join(map(str, sorted(qualified)))}"
            ),
            actor=actor,
            actor_label=actor_label,
            contest=contest,
            target=entry,
            data={"file": entry.file, "hash": entry.hash, "qualified": sorted(qualified)},
        )
    return entry


def _seal_waits(state: RecordState) -> list[str]:
    waits = [
        f"trustee {number} has not dealt"
        for number in sorted(set(state.trustees) - set(state.dealings))
    ]
    waits += [
        f"trustee {dealer} has not answered trustee {recipient}'s complaint"
        for dealer, recipient in state.complaints
        if (dealer, recipient) not in state.answers
    ]
    return waits


def open_ballot_blockers(contest: Contest) -> list[str]:
    """A contest with trustees opens its ballot only once the joint key is sealed.

    Says what is still missing (keys, the record's start, dealings, answers, the seal). A
    contest without trustees is not affected: its ballots are sealed to the count key
    (decision 0003) as before.
    """
    record = selectors.record_of(contest)
    if record is None:
        return []
    progress = selectors.ceremony_progress(record)
    if progress.sealed:
        return []
    return ["the trustees' key ceremony is not finished: " + "; ".join(progress.waiting_for())]
