"""Threats: a CSV omov publishes runs a formula when opened in a spreadsheet (item 11); pages
without a Content-Security-Policy, HSTS off in production, a proxy's word about HTTPS trusted
from anyone, and personal data written world-readable (item 13).
"""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.django_db

EVIL = "=IMPORTXML(CONCAT(A1,A2),A3)"  # BLT names cannot hold a double quote


def test_a_formula_in_a_candidates_name_does_not_reach_the_published_csv(
    client: Any, tmp_path: Path
) -> None:
    sys_path_results()
    from results_fixtures import closed_contest

    from omov.cli.main import main
    from omov.results.services import result_count, result_declare

    closed = closed_contest(
        votes_by_category={"member": {EVIL: 3, "@SUM(1+1)": 2, "+Plain Name": 1}},
        candidates=(EVIL, "@SUM(1+1)", "+Plain Name"),
        method="irv",
    )
    result_count(contest=closed.contest, private_key_bytes=closed.private_key)
    result_declare(contest=closed.contest)
    downloaded = client.get(f"/results/{closed.contest.slug}/rounds.csv").content.decode()
    out = tmp_path / "rounds.csv"
    assert main(["results", "--contest", closed.contest.slug, "--csv", str(out)]) == 0
    for text in (downloaded, out.read_text()):
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        assert f"'{EVIL}" in cells and "'@SUM(1+1)" in cells and "'+Plain Name" in cells
        dangerous = [c for c in cells if c[:1] in {"=", "+", "@", "\t", "\r"}]
        assert dangerous == []


def sys_path_results() -> None:
    import sys

    path = str(Path(__file__).resolve().parents[1] / "results")
    if path not in sys.path:
        sys.path.insert(0, path)


def test_neutralising_keeps_numbers_and_is_idempotent() -> None:
    from omov.core.csv_safety import cell_neutralise, csv_text_neutralise

    assert cell_neutralise("-3.5") == "-3.5" and cell_neutralise("+2") == "+2"
    assert cell_neutralise("-cmd|' /C calc'!A0") == "'-cmd|' /C calc'!A0"
    assert cell_neutralise("\t=1") == "'\t=1"
    text = 'candidate,round 1\n"=1+1",-4\n'
    once = csv_text_neutralise(text)
    assert once == "candidate,round 1\n'=1+1,-4\n"
    assert csv_text_neutralise(once) == once


def test_every_page_has_a_content_security_policy_without_inline_script(client: Any) -> None:
    for url in ("/", "/vote/", "/accounts/login/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(
            (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
        )
        assert directives["script-src"] == ["'self'"]
        assert directives["default-src"] == ["'self'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy
    for template in Path(__file__).resolve().parents[2].joinpath("src", "omov").rglob("*.html"):
        if "email" in template.parts:
            continue  # mail, not served
        text = template.read_text(encoding="utf-8")
        assert "<script>" not in text and " style=" not in text, template


def _production_settings(tmp_path: Path, **variables: str) -> dict[str, Any]:
    import json
    import subprocess
    import sys

    from security_support import clean_environment

    script = (
        "import json; from omov.cli.django_setup import setup_django; setup_django();"
        "from django.conf import settings as s;"
        "print(json.dumps({'hsts': s.SECURE_HSTS_SECONDS,"
        " 'proxy_ssl': getattr(s, 'SECURE_PROXY_SSL_HEADER', None),"
        " 'upload': s.FILE_UPLOAD_PERMISSIONS}))"
    )
    env = clean_environment(
        tmp_path,
        SECRET_KEY="s" * 50,
        OMOV_CREDENTIAL_KEY="c" * 50,
        OMOV_DATA_DIR=str(tmp_path / "data"),
        **variables,
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return dict(json.loads(out.stdout))


def test_production_sends_hsts_for_a_year_and_trusts_no_proxy_by_default(tmp_path: Path) -> None:
    settings = _production_settings(tmp_path)
    assert settings["hsts"] == 365 * 24 * 3600
    assert settings["proxy_ssl"] is None  # X-Forwarded-Proto from anyone means nothing
    assert settings["upload"] == 0o600
    switched = _production_settings(tmp_path, SECURE_HSTS_SECONDS="0", OMOV_TRUSTED_PROXY_HOPS="1")
    assert switched["hsts"] == 0
    assert switched["proxy_ssl"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_old_forwarded_for_switch_is_refused_with_its_replacement(tmp_path: Path) -> None:
    import subprocess
    import sys

    from security_support import clean_environment

    env = clean_environment(
        tmp_path,
        SECRET_KEY="s" * 50,
        OMOV_CREDENTIAL_KEY="c" * 50,
        OMOV_TRUST_X_FORWARDED_FOR="1",
    )
    result = subprocess.run(
        [sys.executable, "-m", "omov", "manage", "check"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "OMOV_TRUSTED_PROXY_HOPS" in result.stderr


def test_the_demo_roll_file_is_owner_only(tmp_path: Path) -> None:
    from omov.demo.people import COLUMNS, write_roll

    path = tmp_path / "roll.csv"
    write_roll(path, iter([dict.fromkeys(COLUMNS, "x")]))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
