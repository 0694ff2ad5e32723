"""Staff log-ins are throttled per (user name, address), per address and, more slowly, per user
name; lock-outs are audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from factories import UserFactory
from omov.core.models import AuditEvent, ThrottleBucket
from omov.core.services import throttle_hit, throttle_purge

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def log_in(client: Any, username: str, password: str, *, ip: str = "10.0.0.1") -> Any:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.OMOV_LOGIN_ATTEMPTS_PER_USER_ADDRESS = 3
    settings.OMOV_LOGIN_ATTEMPTS_PER_ADDRESS = 5
    settings.OMOV_LOGIN_THROTTLE_WINDOW = 900
    settings.OMOV_LOGIN_ATTEMPTS_PER_USER = 8
    settings.OMOV_LOGIN_USER_WINDOW = 3600
    return settings


def test_a_user_name_is_locked_after_its_failures_even_with_the_right_password(
    client: Any, limits: Any
) -> None:
    user = UserFactory(username="ro")
    with time_machine.travel("2026-06-01 12:01:00Z", tick=False) as traveller:
        for _ in range(3):
            page = log_in(client, "ro", "wrong").content.decode()
            assert "Please enter a correct username and password" in page
        page = log_in(client, "RO", PASSWORD).content.decode()
        assert "Too many failed log-ins" in page
        assert "try again after 13:15" in page  # the 15-minute window ends (Europe/London time)
        assert "_auth_user_id" not in client.session
        traveller.move_to("2026-06-01 12:15:01Z")  # the next window
        response = log_in(client, "ro", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_one_address_guessing_across_accounts_is_locked(client: Any, limits: Any) -> None:
    UserFactory(username="victim")
    with time_machine.travel("2026-06-01 12:01:00Z", tick=False):
        for number in range(5):
            log_in(client, f"someone{number}", "wrong", ip="10.6.6.6")
        page = log_in(client, "victim", PASSWORD, ip="10.6.6.6").content.decode()
        assert "Too many failed log-ins" in page
        # The same account from another address is not affected.
        assert log_in(client, "victim", PASSWORD, ip="10.7.7.7").status_code == 302


def test_successful_log_ins_cost_nothing(client: Any, limits: Any) -> None:
    UserFactory(username="busy")
    with time_machine.travel("2026-06-01 12:01:00Z", tick=False):
        for _ in range(6):
            assert log_in(client, "busy", PASSWORD).status_code == 302
            client.logout()
        assert not ThrottleBucket.objects.exists()


def test_the_lock_out_is_audited_once(client: Any, limits: Any) -> None:
    UserFactory(username="ro")
    with time_machine.travel("2026-06-01 12:01:00Z", tick=False):
        for _ in range(6):
            log_in(client, "ro", "wrong")
    locked = AuditEvent.objects.filter(action="login.locked")
    assert [event.summary for event in locked] == [
        "Log-ins with the user name 'ro' from the address 10.0.0.1 refused until 13:15 after 3 "
        "failed attempts"
    ]


def test_the_admin_log_in_is_throttled_too(client: Any, limits: Any) -> None:
    UserFactory(username="staff", is_staff=True, is_superuser=True)
    with time_machine.travel("2026-06-01 12:01:00Z", tick=False):
        for _ in range(3):
            client.post(
                "/admin/login/?next=/admin/",
                {"username": "staff", "password": "wrong"},
                REMOTE_ADDR="10.0.0.2",
            )
        page = client.post(
            "/admin/login/?next=/admin/",
            {"username": "staff", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.2",
        ).content.decode()
        assert "Too many failed log-ins" in page
        assert "_auth_user_id" not in client.session


def test_buckets_are_purged_when_their_window_ends(db: Any) -> None:
    with time_machine.travel("2026-06-01 12:00:00Z", tick=False) as traveller:
        throttle_hit(key="old", limit=5, window=timedelta(minutes=15))
        throttle_hit(key="long", limit=5, window=timedelta(hours=1))
        traveller.shift(timedelta(minutes=14))
        assert throttle_purge() == 0  # still in its window
        traveller.shift(timedelta(minutes=1))
        throttle_hit(key="new", limit=5, window=timedelta(minutes=15))  # a new bucket purges
    assert sorted(ThrottleBucket.objects.values_list("key", flat=True)) == ["long", "new"]


def test_a_purge_deletes_at_most_its_limit(db: Any) -> None:
    with time_machine.travel("2026-06-01 12:00:00Z", tick=False):
        for number in range(3):
            ThrottleBucket.objects.create(
                key=f"old{number}", window_start=_now(), window_end=_now(), attempts=1
            )
        assert throttle_purge(limit=2) == 2
        assert ThrottleBucket.objects.count() == 1


def _now() -> Any:
    from omov.core import clock

    return clock.now()
