"""The staff log-in forms, throttled against password guessing.

Failed log-ins count against two limits in a fixed window, shared by every app server through
the database: per user name (guessing one account's password) and per client address (guessing
across accounts). Once either is used up, log-ins are refused without the password being checked
(so the refusal says nothing about whether it was right) until the window ends. A successful
log-in costs nothing. The failure that uses a limit up is written to the audit trail, once.
Someone who knows a user name can keep that account locked by failing on purpose; the window is
short (15 minutes by default) and the audit trail shows it happening.
"""

from __future__ import annotations

import hashlib
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
    throttle_record,
    throttle_retry_at,
)


def _window() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "OMOV_LOGIN_THROTTLE_WINDOW", 900)))


class ThrottledLoginMixin:
    """Check the log-in throttles around ``AuthenticationForm.clean``."""

    request: Any
    cleaned_data: dict[str, Any]

    def _limits(self) -> list[tuple[str, int, str]]:
        """Return (throttle key, limit, what it guards) for this attempt."""
        username = str(self.cleaned_data.get("username") or "").casefold()
        digest = hashlib.sha256(username.encode()).hexdigest()[:32]
        address = client_ip(self.request) if self.request is not None else "unknown"
        return [
            (
                f"login:user:{digest}",
                int(getattr(settings, "OMOV_LOGIN_ATTEMPTS_PER_USER", 10)),
                f"the user name {username[:150]!r}",
            ),
            (
                f"login:ip:{address}",
                int(getattr(settings, "OMOV_LOGIN_ATTEMPTS_PER_ADDRESS", 50)),
                f"the address {address}",
            ),
        ]

    def _refusal(self) -> forms.ValidationError:
        local = timezone.localtime(throttle_retry_at(_window()))
        return forms.ValidationError(
            "Too many failed log-ins with this user name or from this connection. For your "
            f"security, try again after {local:%H:%M} ({local:%d %B}).",
            code="throttled",
        )

    def clean(self) -> dict[str, Any]:
        window = _window()
        limits = self._limits()
        if any(throttle_count(key=key, window=window) >= limit for key, limit, _ in limits):
            raise self._refusal()
        try:
            return super().clean()  # type: ignore[misc, no-any-return]
        except forms.ValidationError:
            for key, limit, guarded in limits:
                if throttle_record(key=key, window=window) == limit:
                    audit_record(
                        action="login.locked",
                        summary=(
                            f"Log-ins with {guarded} refused until "
                            f"{timezone.localtime(throttle_retry_at(window)):%H:%M} after "
                            f"{limit} failed attempts"
                        ),
                        actor_label="omov log-in throttle",
                        data={"key": key, "limit": limit},
                    )
            raise


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    """The staff log-in at /accounts/login/."""


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's log-in at /admin/login/ (staff accounts only)."""
