"""The admin's role assignments page grants and revokes through the role services."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from factories import BranchFactory, UserFactory, grant
from omov.core.models import AuditEvent, Role, RoleAssignment
from omov.core.services import role_grant

pytestmark = pytest.mark.django_db

ADD = "/admin/core/roleassignment/add/"
LIST = "/admin/core/roleassignment/"


@pytest.fixture
def alice(db: Any) -> Any:
    return UserFactory(username="alice")


def form(user: Any, role: str, **scope: Any) -> dict[str, Any]:
    return {
        "user": user.pk,
        "role": role,
        "contest": scope.get("contest", ""),
        "branch": scope.get("branch", ""),
        "candidate": scope.get("candidate", ""),
        "reason": scope.get("reason", ""),
    }


def test_adding_an_assignment_grants_it_with_an_audit_event(
    admin_client: Client, superuser: Any, alice: Any, contest: Any
) -> None:
    assert admin_client.get(ADD).status_code == 200
    response = admin_client.post(
        ADD, form(alice, "paper_operator", contest=contest.pk, reason="Keys the papers.")
    )
    assert response.status_code == 302, response.content.decode()
    assignment = RoleAssignment.objects.get(user=alice)
    assert (assignment.role, assignment.contest) == ("paper_operator", contest)
    event = AuditEvent.objects.get(action="role.grant")
    assert event.actor == superuser
    assert event.reason == "Keys the papers."
    assert event.object_id == str(assignment.pk)
    assert event.summary == "Granted alice the role Paper ballot operator (contest leader-2016)"


def test_an_agent_added_without_a_contest_gets_the_candidates(
    admin_client: Client, alice: Any, contest: Any
) -> None:
    owen = contest.candidates.get(name="Owen Smith")
    response = admin_client.post(ADD, form(alice, "candidate_agent", candidate=owen.pk))
    assert response.status_code == 302
    assert RoleAssignment.objects.get(user=alice).contest == contest


@pytest.mark.parametrize(
    ("role", "scope", "message"),
    [
        ("branch_secretary", {}, "A branch secretary needs a branch: name their branch."),
        ("candidate_agent", {}, "A candidate&#x27;s agent needs a candidate: name the candidate."),
        ("scrutineer", {"branch": True}, "The role scrutineer takes no branch or candidate"),
    ],
)
def test_an_invalid_combination_is_a_form_error(
    admin_client: Client, alice: Any, role: str, scope: dict[str, Any], message: str
) -> None:
    if scope.get("branch"):
        scope["branch"] = BranchFactory().pk
    response = admin_client.post(ADD, form(alice, role, **scope))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "errornote" in response.content.decode()
    assert not RoleAssignment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_adding_an_assignment_held_already_is_a_form_error(
    admin_client: Client, alice: Any
) -> None:
    role_grant(user=alice, role=Role.SCRUTINEER)
    response = admin_client.post(ADD, form(alice, "scrutineer"))
    assert response.status_code == 200
    assert "alice already holds this role (every contest); there is nothing to add." in (
        response.content.decode()
    )
    assert RoleAssignment.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_deleting_an_assignment_revokes_it_with_an_audit_event(
    admin_client: Client, superuser: Any, alice: Any
) -> None:
    assignment = role_grant(user=alice, role=Role.SCRUTINEER)
    url = f"{LIST}{assignment.pk}/delete/"
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not RoleAssignment.objects.exists()
    event = AuditEvent.objects.get(action="role.revoke")
    assert event.actor == superuser
    assert event.summary == "Revoked the role Scrutineer (every contest) of alice"


def test_the_bulk_delete_action_revokes_each_assignment(
    admin_client: Client, alice: Any, contest: Any
) -> None:
    bob = UserFactory(username="bob")
    chosen = [
        role_grant(user=alice, role=Role.SCRUTINEER),
        role_grant(user=bob, role=Role.PAPER_SUPERVISOR, contest=contest),
    ]
    kept = role_grant(user=bob, role=Role.SCRUTINEER)
    response = admin_client.post(
        LIST,
        {
            "action": "delete_selected",
            "_selected_action": [assignment.pk for assignment in chosen],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert list(RoleAssignment.objects.all()) == [kept]
    revoked = AuditEvent.objects.filter(action="role.revoke")
    assert sorted(revoked.values_list("object_id", flat=True)) == sorted(
        str(assignment.pk) for assignment in chosen
    )


def test_an_assignment_cannot_be_edited_in_place(admin_client: Client, alice: Any) -> None:
    assignment = role_grant(user=alice, role=Role.SCRUTINEER)
    url = f"{LIST}{assignment.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200  # shown read-only, with a link to delete it
    assert 'name="_save"' not in page.content.decode()
    response = admin_client.post(url, form(alice, "returning_officer"))
    assert response.status_code == 403
    assert RoleAssignment.objects.get().role == "scrutineer"


def test_staff_with_model_permissions_but_no_office_cannot_grant(alice: Any, contest: Any) -> None:
    secretary = UserFactory(username="secretary", is_staff=True)
    grant(secretary, Role.BRANCH_SECRETARY, branch=BranchFactory())
    secretary.user_permissions.set(Permission.objects.filter(codename__endswith="roleassignment"))
    assignment = role_grant(user=alice, role=Role.SCRUTINEER)
    client = Client()
    client.force_login(secretary)
    assert client.get(LIST).status_code == 200  # may look
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, form(secretary, "returning_officer")).status_code == 403
    assert client.post(f"{LIST}{assignment.pk}/delete/", {"post": "yes"}).status_code == 403
    assert RoleAssignment.objects.filter(role=Role.RETURNING_OFFICER).count() == 0
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()

    # The returning officer of every contest, with the same permissions, can.
    officer = UserFactory(username="officer", is_staff=True)
    grant(officer, Role.RETURNING_OFFICER)
    officer.user_permissions.set(Permission.objects.filter(codename__endswith="roleassignment"))
    client.force_login(officer)
    assert client.post(ADD, form(alice, "paper_operator", contest=contest.pk)).status_code == 302
    assert AuditEvent.objects.filter(action="role.grant", actor=officer).count() == 1
