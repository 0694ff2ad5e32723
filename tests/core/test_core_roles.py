"""Granting and revoking staff roles: validated, audited, idempotent, and only by those allowed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from factories import BranchFactory, ContestFactory, UserFactory, grant
from omov.core import policies
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import AuditEvent, Role, RoleAssignment
from omov.core.services import role_grant, role_revoke, user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db: Any) -> Any:
    return UserFactory(username="alice")


def test_a_grant_is_written_with_its_audit_event(alice: Any, returning_officer: Any) -> None:
    assignment = role_grant(
        user=alice, role=Role.SCRUTINEER, actor=returning_officer, reason="Observer for X."
    )
    assert RoleAssignment.objects.get(user=alice) == assignment
    assert (assignment.user, assignment.role, assignment.contest) == (alice, "scrutineer", None)
    event = AuditEvent.objects.get()
    assert event.action == "role.grant"
    assert event.actor == returning_officer
    assert event.actor_label == "returning-officer"
    assert event.summary == "Granted alice the role Scrutineer (every contest)"
    assert event.reason == "Observer for X."
    assert event.contest is None
    assert (event.object_type, event.object_id) == ("RoleAssignment", str(assignment.pk))
    assert event.data == {
        "user": "alice",
        "role": "scrutineer",
        "contest": None,
        "branch": None,
        "candidate": None,
    }


def test_a_grant_for_one_contest_is_audited_against_that_contest(alice: Any, contest: Any) -> None:
    role_grant(user=alice, role="paper_operator", contest=contest, actor_label="omov roles")
    event = AuditEvent.objects.get()
    assert event.contest == contest
    assert event.actor is None
    assert event.actor_label == "omov roles"
    assert event.summary == "Granted alice the role Paper ballot operator (contest leader-2016)"


def test_granting_a_role_held_already_returns_it_and_audits_nothing(
    alice: Any, contest: Any
) -> None:
    branch = BranchFactory(name="Islington North")
    first = role_grant(user=alice, role=Role.BRANCH_SECRETARY, branch=branch)
    again = role_grant(user=alice, role=Role.BRANCH_SECRETARY, branch=branch, reason="again")
    assert again.pk == first.pk
    assert RoleAssignment.objects.count() == 1
    assert AuditEvent.objects.filter(action="role.grant").count() == 1
    # The same role in another scope is another assignment.
    role_grant(user=alice, role=Role.BRANCH_SECRETARY, branch=branch, contest=contest)
    assert RoleAssignment.objects.count() == 2
    assert AuditEvent.objects.filter(action="role.grant").count() == 2
    assert AuditEvent.objects.first().summary == (
        "Granted alice the role Branch secretary (branch Islington North, contest leader-2016)"
    )


def test_an_agents_contest_is_the_candidates(alice: Any, contest: Any) -> None:
    owen = contest.candidates.get(name="Owen Smith")
    assignment = role_grant(user=alice, role=Role.CANDIDATE_AGENT, candidate=owen)
    assert assignment.contest == contest
    assert AuditEvent.objects.get().contest == contest
    assert AuditEvent.objects.get().summary == (
        "Granted alice the role Candidate's agent (candidate Owen Smith, contest leader-2016)"
    )
    # Naming the same contest explicitly is the same assignment.
    same = role_grant(user=alice, role=Role.CANDIDATE_AGENT, candidate=owen, contest=contest)
    assert same.pk == assignment.pk


ERRORS = [
    (
        {"role": "chief_whip"},
        "There is no role called 'chief_whip'. The roles are: returning_officer, scrutineer, "
        "branch_secretary, candidate_agent, paper_operator, paper_supervisor, campaign_manager, "
        "campaign_organiser, campaign_caller, trustee.",
    ),
    ({"role": Role.BRANCH_SECRETARY}, "A branch secretary needs a branch: name their branch."),
    (
        {"role": Role.TRUSTEE},
        "A trustee acts for one contest's count and nothing else: name the contest, and no "
        "branch or candidate.",
    ),
    (
        {"role": Role.BRANCH_SECRETARY, "branch": "branch", "candidate": "owen"},
        "A branch secretary acts for a branch, not a candidate: leave the candidate empty.",
    ),
    ({"role": Role.CANDIDATE_AGENT}, "A candidate's agent needs a candidate: name the candidate."),
    ({"role": Role.CAMPAIGN_CALLER}, "A campaign caller needs a candidate: name the candidate."),
    (
        {"role": Role.CAMPAIGN_MANAGER, "candidate": "owen", "branch": "branch"},
        "A campaign manager acts for a candidate, not a branch: leave the branch empty.",
    ),
    (
        {"role": Role.CANDIDATE_AGENT, "candidate": "owen", "branch": "branch"},
        "A candidate's agent acts for a candidate, not a branch: leave the branch empty.",
    ),
    (
        {"role": Role.CANDIDATE_AGENT, "candidate": "owen", "contest": "other"},
        "Owen Smith stands in leader-2016, not in other-contest: give the candidate's own "
        "contest, or no contest.",
    ),
    (
        {"role": Role.SCRUTINEER, "branch": "branch"},
        "The role scrutineer takes no branch or candidate (only a branch secretary, a "
        "candidate's agent and the campaign roles do): leave them empty.",
    ),
    (
        {"role": Role.RETURNING_OFFICER, "candidate": "owen"},
        "The role returning officer takes no branch or candidate (only a branch secretary, a "
        "candidate's agent and the campaign roles do): leave them empty.",
    ),
    (
        {"role": Role.PAPER_SUPERVISOR, "contest": "contest", "branch": "branch"},
        "The role paper ballot supervisor takes no branch or candidate (only a branch secretary, "
        "a candidate's agent and the campaign roles do): leave them empty.",
    ),
]


@pytest.mark.parametrize(("arguments", "message"), ERRORS)
def test_a_role_that_does_not_fit_its_scope_is_refused(
    alice: Any, contest: Any, arguments: dict[str, Any], message: str
) -> None:
    records = {
        "branch": BranchFactory(),
        "owen": contest.candidates.get(name="Owen Smith"),
        "contest": contest,
        "other": ContestFactory(slug="other-contest"),
    }
    scope = {name: records[value] if name != "role" else value for name, value in arguments.items()}
    with pytest.raises(ServiceError) as refused:
        role_grant(user=alice, **scope)
    assert refused.value.message == message
    assert not RoleAssignment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_an_unsaved_user_is_refused(contest: Any) -> None:
    from django.contrib.auth import get_user_model

    with pytest.raises(ServiceError, match="The user ghost does not exist"):
        role_grant(user=get_user_model()(username="ghost"), role=Role.SCRUTINEER)
    assert not RoleAssignment.objects.exists()


def test_a_grant_and_its_audit_event_stand_or_fall_together(
    alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(**_: Any) -> None:
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr("omov.core.services.audit_record", fail)
    with pytest.raises(RuntimeError):
        role_grant(user=alice, role=Role.SCRUTINEER)
    assert not RoleAssignment.objects.exists()


def test_a_revocation_deletes_the_assignment_with_its_audit_event(
    alice: Any, contest: Any, returning_officer: Any
) -> None:
    assignment = role_grant(user=alice, role=Role.PAPER_SUPERVISOR, contest=contest)
    pk = assignment.pk
    role_revoke(assignment=assignment, actor=returning_officer, reason="Left the office.")
    assert not RoleAssignment.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="role.revoke")
    assert event.actor == returning_officer
    assert event.contest == contest
    assert event.summary == (
        "Revoked the role Paper ballot supervisor (contest leader-2016) of alice"
    )
    assert event.reason == "Left the office."
    assert event.object_id == str(pk)
    assert event.data["role"] == "paper_supervisor"
    assert event.data["granted_at"] == assignment.granted_at.isoformat()


def test_revoking_twice_says_it_was_revoked_already(alice: Any) -> None:
    assignment = role_grant(user=alice, role=Role.SCRUTINEER)
    stale = RoleAssignment.objects.get(pk=assignment.pk)
    role_revoke(assignment=assignment)
    with pytest.raises(
        ServiceError, match=r"no longer holds the role Scrutineer .* revoked already"
    ):
        role_revoke(assignment=stale)
    assert AuditEvent.objects.filter(action="role.revoke").count() == 1


# Who may grant and revoke --------------------------------------------------------------------

ACTORS = [
    ("nobody", False),
    ("anonymous", False),
    ("no role", False),
    ("returning officer of every contest", True),
    ("returning officer of one contest", False),
    ("scrutineer", False),
    ("branch secretary", False),
    ("candidate's agent", False),
    ("paper operator", False),
    ("paper supervisor", False),
    ("superuser", True),
    ("staff with no role", False),
]


def make_actor(kind: str, contest: Any) -> Any:
    if kind == "nobody":
        return None
    if kind == "anonymous":
        return AnonymousUser()
    user = UserFactory(username=kind.replace(" ", "-").replace("'", ""))
    if kind == "superuser":
        user.is_superuser = True
        user.save()
    elif kind == "staff with no role":
        user.is_staff = True
        user.save()
    elif kind == "returning officer of every contest":
        grant(user, Role.RETURNING_OFFICER)
    elif kind == "returning officer of one contest":
        grant(user, Role.RETURNING_OFFICER, contest=contest)
    elif kind == "branch secretary":
        grant(user, Role.BRANCH_SECRETARY, branch=BranchFactory())
    elif kind == "candidate's agent":
        grant(user, Role.CANDIDATE_AGENT, contest=contest, candidate=contest.candidates.first())
    elif kind != "no role":
        grant(user, Role(kind.replace(" ", "_")), contest=contest)
    return user


@pytest.mark.parametrize(("kind", "allowed"), ACTORS)
def test_who_may_manage_roles(contest: Any, kind: str, allowed: bool) -> None:
    decision = policies.can_manage_roles(make_actor(kind, contest))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.reason


@pytest.mark.parametrize(("kind", "allowed"), [row for row in ACTORS if row[0] != "nobody"])
def test_the_services_check_the_policy_for_every_actor(
    alice: Any, contest: Any, kind: str, allowed: bool
) -> None:
    actor = make_actor(kind, contest)
    existing = role_grant(user=alice, role=Role.SCRUTINEER)
    before = AuditEvent.objects.count()
    if allowed:
        role_grant(user=alice, role=Role.PAPER_OPERATOR, contest=contest, actor=actor)
        role_revoke(assignment=existing, actor=actor)
        user_create(username="bob", actor=actor)
        assert AuditEvent.objects.count() == before + 3
        return
    with pytest.raises(PermissionRefused):
        role_grant(user=alice, role=Role.PAPER_OPERATOR, contest=contest, actor=actor)
    with pytest.raises(PermissionRefused):
        role_revoke(assignment=existing, actor=actor)
    with pytest.raises(PermissionRefused):
        user_create(username="bob", actor=actor)
    assert RoleAssignment.objects.filter(user=alice).get() == existing
    assert AuditEvent.objects.count() == before


def test_a_branch_secretary_cannot_grant_themselves_more(contest: Any) -> None:
    secretary = make_actor("branch secretary", contest)
    with pytest.raises(PermissionRefused) as refused:
        role_grant(user=secretary, role=Role.RETURNING_OFFICER, actor=secretary)
    assert refused.value.message == (
        "Only the returning officer of every contest (or a superuser) can grant or revoke roles; "
        "ask them to make this change."
    )
    assert not RoleAssignment.objects.filter(role=Role.RETURNING_OFFICER).exists()


# Creating a user -----------------------------------------------------------------------------


def test_a_new_user_gets_a_random_password_that_works(db: Any) -> None:
    user, password = user_create(username="carol", actor_label="omov roles", reason="New clerk.")
    _, other_password = user_create(username="dave")
    assert password != other_password
    assert len(password) >= 16
    user.refresh_from_db()
    assert user.check_password(password)
    assert not user.is_staff
    assert not user.is_superuser
    event = AuditEvent.objects.get(object_id=str(user.pk))
    assert (event.action, event.actor_label, event.reason) == (
        "user.create",
        "omov roles",
        "New clerk.",
    )
    assert event.summary == "Created the user carol"
    assert password not in str(event.data)


def test_creating_a_user_who_exists_or_an_invalid_name_is_refused(alice: Any) -> None:
    with pytest.raises(ServiceError, match=r"The user alice exists already\."):
        user_create(username="alice")
    with pytest.raises(ServiceError, match="Cannot create the user 'no spaces please'"):
        user_create(username="no spaces please")
    with pytest.raises(ServiceError, match="Cannot create the user ''"):
        user_create(username="")
    assert not AuditEvent.objects.exists()
