"""The staff log-in forms, throttled against password guessing without letting anyone lock a
real user out.

Failed log-ins count against three limits, shared by every app server through the database:
per (user name, client address) — guessing one account's password from one place, the limit
that bites first; per client address — guessing across accounts; and a slower, longer limit per
user name alone — guessing one account from many addresses. Someone who knows a user name and
fails on purpose locks only their own (name, address) pair; locking the user out everywhere takes
the whole per-name allowance (100 failures an hour by default), which the audit trail shows
happening. Once a limit is used up, log-ins it covers are refused without the password being
checked (so the refusal says nothing about whether it was right) until its window ends. A
successful log-in costs nothing. The failure that uses a limit up is audited, once. Addresses
come from ``omov.core.http.client_ip`` (trusted proxies only); the throttle keys are keyed
hashes (``throttle_key``), so the table names no user and no address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from omov.core.http import client_ip
from omov.core.services import (
    audit_record,
    throttle_count,
    throttle_key,
    throttle_record,
    throttle_retry_at,
)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass(frozen=True)
class LoginLimit:
    """One limit on failed log-ins: its throttle key, how many failures, in which window."""

    key: str
    limit: int
    window: timedelta
    guarded: str


class ThrottledLoginMixin:
    """Check the log-in throttles around ``AuthenticationForm.clean``."""

    request: Any
    cleaned_data: dict[str, Any]

    def _limits(self) -> list[LoginLimit]:
        """Return the limits this attempt counts against."""
        username = str(self.cleaned_data.get("username") or "").casefold()
        address = client_ip(self.request) if self.request is not None else "unknown"
        short = timedelta(seconds=_setting("OMOV_LOGIN_THROTTLE_WINDOW", 900))
        long = timedelta(seconds=_setting("OMOV_LOGIN_USER_WINDOW", 3600))
        return [
            LoginLimit(
                throttle_key("login-user-address", f"{username}\n{address}"),
                _setting("OMOV_LOGIN_ATTEMPTS_PER_USER_ADDRESS", 10),
                short,
                f"the user name {username[:150]!r} from the address {address}",
            ),
            LoginLimit(
                throttle_key("login-address", address),
                _setting("OMOV_LOGIN_ATTEMPTS_PER_ADDRESS", 50),
                short,
                f"any user name from the address {address}",
            ),
            LoginLimit(
                throttle_key("login-user", username),
                _setting("OMOV_LOGIN_ATTEMPTS_PER_USER", 100),
                long,
                f"the user name {username[:150]!r} from any address",
            ),
        ]

    def _refusal(self, exceeded: list[LoginLimit]) -> forms.ValidationError:
        local = timezone.localtime(max(throttle_retry_at(limit.window) for limit in exceeded))
        return forms.ValidationError(
            "Too many failed log-ins with this user name or from this connection. For your "
            f"security, try again after {local:%H:%M} ({local:%d %B}).",
            code="throttled",
        )

    def clean(self) -> dict[str, Any]:
        limits = self._limits()
        exceeded = [
            limit
            for limit in limits
            if throttle_count(key=limit.key, window=limit.window) >= limit.limit
        ]
        if exceeded:
            raise self._refusal(exceeded)
        try:
            return super().clean()  # type: ignore[misc, no-any-return]
        except forms.ValidationError:
            for limit in limits:
                if throttle_record(key=limit.key, window=limit.window) == limit.limit:
                    until = timezone.localtime(throttle_retry_at(limit.window))
                    audit_record(
                        action="login.locked",
                        summary=(
                            f"Log-ins with {limit.guarded} refused until {until:%H:%M} after "
                            f"{limit.limit} failed attempts"
                        ),
                        actor_label="omov log-in throttle",
                        data={"key": limit.key, "limit": limit.limit},
                    )
            raise


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    """The staff log-in at /accounts/login/."""


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's log-in at /admin/login/ (staff accounts only)."""
