"""`omov trustees` and `omov record export|upload`: the office's side on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from trustees_support import ceremony_contest, public_file

from omov.cli.main import main
from omov.core.models import AuditEvent
from omov.verifiable.ceremony import trustee_identity

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_appoint_status_upload_start_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ceremony = ceremony_contest(appoint=False)
    slug = ceremony.contest.slug
    code, out, _ = run(
        capsys,
        "trustees",
        "appoint",
        "--contest",
        slug,
        "--threshold",
        "2",
        *("--trustee", "trustee1-leader:Alice", "--trustee", "trustee2-leader:Bob"),
        *("--trustee", "trustee3-leader:Carol"),
    )
    assert code == 0, out
    assert "Appointed 3 trustees for leader; 2 of them can decrypt together" in out
    assert AuditEvent.objects.get(action="trustees.appoint").actor_label.startswith(
        "command line ("
    )
    code, _, err = run(capsys, "trustees", "start-record", "--contest", slug)
    assert code == 2
    assert "still missing: trustee 1 (Alice), trustee 2 (Bob), trustee 3 (Carol)" in err
    for j in (1, 2, 3):
        public, _ = trustee_identity(j, "whoever")
        path = tmp_path / f"public{j}.json"
        path.write_bytes(public_file(j, public["communication_key"]))
        code, out, err = run(
            capsys, "record", "upload", "--contest", slug, str(path), "--trustee", str(j)
        )
        assert code == 0, err
        assert f"Took trustee {j}'s public key." in out
    code, out, _ = run(capsys, "trustees", "status", "--contest", slug)
    assert "Waiting: the returning officer must start the record" in out
    assert "Alice" in out
    code, out, _ = run(capsys, "trustees", "start-record", "--contest", slug)
    assert code == 0 and "Started the record of leader. Head hash: " in out
    code, _, err = run(capsys, "trustees", "seal-key", "--contest", slug)
    assert code == 2
    assert "trustee 1 has not dealt; trustee 2 has not dealt; trustee 3 has not dealt" in err
    export = tmp_path / "export"
    code, out, _ = run(capsys, "record", "export", "--contest", slug, "--out", str(export))
    assert code == 0 and "Wrote 1 entries" in out
    assert run(capsys, "verify", str(export), "--quiet", "--workers", "1")[0] == 0
    code, _, err = run(capsys, "record", "export", "--contest", slug, "--out", str(export))
    assert code == 2 and "is not an empty directory" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["trustees", "appoint", "--contest", "leader", "--threshold", "1", "--trustee", "x"],
            "write the account, a colon, then the name",
        ),
        (
            ["trustees", "appoint", "--contest", "leader", "--threshold", "1", "--trustee", "no:N"],
            "there is no account called 'no'",
        ),
        (["trustees", "status", "--contest", "nowhere"], "There is no contest with the slug"),
        (["record", "export", "--contest", "leader", "--out", "x"], "has no trustees"),
    ],
)
def test_mistakes_are_one_line_messages(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    ceremony_contest(appoint=False)
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_status_of_a_contest_without_trustees(capsys: pytest.CaptureFixture[str]) -> None:
    ceremony_contest(appoint=False)
    code, out, _ = run(capsys, "trustees", "status", "--contest", "leader")
    assert code == 0 and "has no trustees" in out


def test_upload_of_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    ceremony_contest()
    code, _, err = run(
        capsys, "record", "upload", "--contest", "leader", str(tmp_path / "none"), "--trustee", "1"
    )
    assert code == 2 and "cannot read" in err
