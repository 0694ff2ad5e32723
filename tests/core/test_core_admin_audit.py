"""Every change made in the admin is audited, in its transaction, without secrets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client, RequestFactory

from admin_helpers import admin_form_data
from factories import AffiliateFactory, BranchFactory, UserFactory
from omov.core.admin import RoleAssignmentAdmin
from omov.core.admin_audit import AuditedAdmin
from omov.core.models import AuditEvent
from omov.electorate.models import Affiliate, Branch

pytestmark = pytest.mark.django_db

# Admins that write through audited services instead (each grant and revocation is audited).
THROUGH_SERVICES = (RoleAssignmentAdmin,)


def test_every_admin_that_can_write_is_audited(superuser: Any) -> None:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        can_write = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        if isinstance(model_admin, AuditedAdmin):
            continue
        if isinstance(model_admin, THROUGH_SERVICES):
            assert not model_admin.inlines
            continue
        # Inlines are saved only with their parent, so a read-only parent keeps them read-only.
        assert not can_write, f"{model._meta.label}: editable in the admin without an audit"


def only_event(**filters: Any) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**filters))
    assert len(events) == 1, events
    return events[0]


@pytest.mark.parametrize(
    ("model", "factory", "url"),
    [
        (Branch, BranchFactory, "/admin/electorate/branch/"),
        (Affiliate, AffiliateFactory, "/admin/electorate/affiliate/"),
    ],
)
def test_add_change_and_delete_are_each_audited_once(
    admin_client: Client, superuser: Any, model: Any, factory: Any, url: str
) -> None:
    response = admin_client.post(f"{url}add/", {"code": "X1", "name": "Exeter", "region": "SW"})
    assert response.status_code == 302, response.content.decode()
    obj = model.objects.get(code="X1")
    added = only_event(action="admin.add")
    assert (added.actor, added.contest, added.object_type, added.object_id) == (
        superuser,
        None,
        model.__name__,
        str(obj.pk),
    )
    assert added.data["fields"]["name"] == "Exeter"
    assert added.summary == f"Added {model._meta.verbose_name} “Exeter” in the admin"

    page = admin_client.get(f"{url}{obj.pk}/change/")
    data = admin_form_data(page)
    data["name"] = "Exeter and Mid Devon"
    response = admin_client.post(f"{url}{obj.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()
    changed = only_event(action="admin.change")
    assert changed.data == {"changes": {"name": {"old": "Exeter", "new": "Exeter and Mid Devon"}}}
    assert changed.summary.endswith("in the admin: name")

    response = admin_client.post(f"{url}{obj.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    deleted = only_event(action="admin.delete")
    assert deleted.object_id == str(obj.pk)
    assert deleted.data["fields"]["code"] == "X1"
    assert deleted.data["fields"]["name"] == "Exeter and Mid Devon"
    assert AuditEvent.objects.count() == 3


def test_saving_with_nothing_changed_still_says_so(admin_client: Client) -> None:
    branch = BranchFactory(name="Leeds")
    url = f"/admin/electorate/branch/{branch.pk}/change/"
    response = admin_client.post(url, admin_form_data(admin_client.get(url)))
    assert response.status_code == 302
    event = only_event(action="admin.change")
    assert event.data == {"changes": {}}
    assert event.summary == "Changed branch “Leeds” in the admin with no field changed"


def test_bulk_delete_audits_each_object_in_one_transaction(
    admin_client: Client, superuser: Any
) -> None:
    chosen = [BranchFactory(name="Bath"), BranchFactory(name="Bristol")]
    kept = BranchFactory(name="Cardiff")
    response = admin_client.post(
        "/admin/electorate/branch/",
        {"action": "delete_selected", "_selected_action": [b.pk for b in chosen], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(Branch.objects.all()) == [kept]
    events = AuditEvent.objects.filter(action="admin.delete")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(b.pk) for b in chosen)
    assert {e.actor for e in events} == {superuser}
    assert sorted(e.data["fields"]["name"] for e in events) == ["Bath", "Bristol"]


def test_a_change_whose_audit_fails_is_not_saved(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    branch = BranchFactory(name="Derby")
    url = f"/admin/electorate/branch/{branch.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    data["name"] = "Derby North"

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr("omov.core.admin_audit.audit_record", broken)
    with pytest.raises(RuntimeError):
        admin_client.post(url, data)
    branch.refresh_from_db()
    assert branch.name == "Derby"


def all_audit_text() -> str:
    return json.dumps([[e.summary, e.data] for e in AuditEvent.objects.all()], ensure_ascii=False)


def test_users_are_audited_without_their_password(admin_client: Client, superuser: Any) -> None:
    secret = "a long pass phrase for carol"
    response = admin_client.post(
        "/admin/auth/user/add/",
        {"username": "carol", "password1": secret, "password2": secret, "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()
    carol = type(superuser).objects.get(username="carol")
    added = only_event(action="admin.add")
    assert added.data["fields"] == {"username": "carol"}

    url = f"/admin/auth/user/{carol.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    data.update(is_staff="on", is_superuser="on")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    changed = only_event(action="admin.change")
    assert changed.data == {
        "changes": {
            "is_staff": {"old": False, "new": True},
            "is_superuser": {"old": False, "new": True},
        }
    }

    new_secret = "another long pass phrase"
    response = admin_client.post(
        f"/admin/auth/user/{carol.pk}/password/",
        {"password1": new_secret, "password2": new_secret, "usable_password": "true"},
    )
    assert response.status_code == 302
    password = AuditEvent.objects.get(summary__startswith="Set a new password")
    assert password.summary == "Set a new password for user “carol” in the admin"
    assert password.data == {"changes": {"password": {"old": "[hidden]", "new": "[hidden]"}}}
    assert password.actor == superuser

    response = admin_client.post(f"/admin/auth/user/{carol.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    deleted = only_event(action="admin.delete")
    assert deleted.data["fields"]["password"] == "[hidden]"
    assert deleted.data["fields"]["username"] == "carol"

    text = all_audit_text()
    for leak in (secret, new_secret, "pbkdf2", "argon2", "sha256$"):
        assert leak not in text


def test_a_failed_password_change_is_not_audited(admin_client: Client) -> None:
    carol = UserFactory(username="carol")
    response = admin_client.post(
        f"/admin/auth/user/{carol.pk}/password/",
        {"password1": "one long pass phrase", "password2": "another one", "usable_password": "1"},
    )
    assert response.status_code == 200
    assert not AuditEvent.objects.exists()


def test_groups_are_audited_with_their_permissions(admin_client: Client) -> None:
    view_branch = Permission.objects.get(codename="view_branch")
    change_branch = Permission.objects.get(codename="change_branch")
    response = admin_client.post(
        "/admin/auth/group/add/", {"name": "Officers", "permissions": [view_branch.pk]}
    )
    assert response.status_code == 302, response.content.decode()
    group = Group.objects.get(name="Officers")
    assert only_event(action="admin.add").data["fields"] == {
        "name": "Officers",
        "permissions": [str(view_branch)],
    }
    url = f"/admin/auth/group/{group.pk}/change/"
    data = admin_form_data(admin_client.get(url))
    data["permissions"] = [str(view_branch.pk), str(change_branch.pk)]
    assert admin_client.post(url, data).status_code == 302
    assert only_event(action="admin.change").data == {
        "changes": {
            "permissions": {
                "old": [str(view_branch)],
                "new": sorted([str(view_branch), str(change_branch)]),
            }
        }
    }


def test_a_contest_with_an_audit_trail_cannot_be_deleted(db: Any) -> None:
    from django.db.models import ProtectedError

    from omov.contests.models import Contest
    from omov.core.services import audit_record

    contest = Contest.objects.create(slug="kept", title="Kept")
    audit_record(action="test.event", summary="Something happened", contest=contest)
    with pytest.raises(ProtectedError):
        contest.delete()
    assert AuditEvent.objects.filter(contest=contest, action="test.event").exists()
