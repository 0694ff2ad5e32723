"""A malformed setting stops omov at start-up with one line naming it, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from security_support import clean_environment


def _check(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = clean_environment(
        tmp_path,
        SECRET_KEY="s" * 50,
        OMOV_CREDENTIAL_KEY="c" * 50,
        OMOV_DATA_DIR=str(tmp_path / "data"),
        **variables,
    )
    return subprocess.run(
        [sys.executable, "-m", "omov", "manage", "check"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT is 'twenty-five'; it must be a whole number"),
        ({"OMOV_EMAIL_RATE": "fast"}, "OMOV_EMAIL_RATE is 'fast'; it must be a number"),
        (
            {"OMOV_TRUSTED_PROXY_HOPS": "one"},
            "OMOV_TRUSTED_PROXY_HOPS is 'one'; it must be a whole number",
        ),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "EMAIL_USE_TLS and EMAIL_USE_SSL are both"),
    ],
)
def test_a_malformed_setting_is_named(tmp_path: Path, variables: dict, words: str) -> None:
    result = _check(tmp_path, **variables)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_smtp_log_in_and_tls_are_read(tmp_path: Path) -> None:
    script = (
        "from omov.cli.django_setup import setup_django; setup_django();"
        "from django.conf import settings as s;"
        "print(s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL,"
        " s.EMAIL_PORT)"
    )
    env = clean_environment(
        tmp_path,
        SECRET_KEY="s" * 50,
        OMOV_CREDENTIAL_KEY="c" * 50,
        OMOV_DATA_DIR=str(tmp_path / "data"),
        EMAIL_HOST_USER="ro@example.org",
        EMAIL_HOST_PASSWORD="app-password",
        EMAIL_USE_TLS="yes",
        EMAIL_PORT="587",
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["ro@example.org", "app-password", "True", "False", "587"]
