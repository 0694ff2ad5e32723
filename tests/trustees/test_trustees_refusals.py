"""Every dishonest or malformed file is refused where it arrives, saying what and where; the
record stays as it was. Who may reach which page. Opening the ballot waits for the joint key.

The trustees' files here are made in this process with `omov.verifiable` (the functions `omov
trustee` calls), which is quicker than a process per trustee; test_trustees_ceremony.py runs them
as separate processes.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from trustees_support import Ceremony, ceremony_contest, public_file, record_snapshot

from factories import UserFactory, grant
from omov.cli.main import main
from omov.contests.models import ContestStatus
from omov.contests.services import contest_blockers
from omov.core.errors import PermissionRefused, ServiceError
from omov.core.models import Role, RoleAssignment
from omov.core.services import role_grant
from omov.trustees import services
from omov.trustees.models import EntryKind, RecordEntry
from omov.trustees.record import record_checked
from omov.verifiable.ceremony import (
    dealing_entry,
    entry_check_and_append,
    parameters_entry,
    trustee_identity,
)
from omov.verifiable.verifier import RecordState


def _keys_in(ceremony: Ceremony) -> dict[int, dict[str, Any]]:
    """Each trustee makes a key pair and hands in the public file; return their secret parts."""
    secrets = {}
    for j in (1, 2, 3):
        public, secret = trustee_identity(j, f"Trustee {j}")
        response = ceremony.upload(j, public_file(j, public["communication_key"]))
        assert response.status_code == 302
        secrets[j] = {**secret, "public": public}
    return secrets


def _started(slug: str = "leader") -> tuple[Ceremony, dict[int, dict[str, Any]]]:
    ceremony = ceremony_contest(slug)
    secrets = _keys_in(ceremony)
    services.record_start(contest=ceremony.contest, actor=ceremony.officer)
    return ceremony, secrets


def _dealing(ceremony: Ceremony, dealer: int) -> bytes:
    with record_checked(ceremony.record) as (_, state):
        assert state is not None
        lines, _ = dealing_entry(state, dealer=dealer)
    return "".join(line + "\n" for line in lines).encode()


def _refused(ceremony: Ceremony, number: int, content: bytes, *phrases: str) -> None:
    """Hand ``content`` in as trustee ``number``: refused, naming ``phrases``; nothing changes."""
    before = record_snapshot(ceremony.record)
    response = ceremony.upload(number, content)
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    for phrase in phrases:
        assert phrase in page, page
    assert record_snapshot(ceremony.record) == before


def test_a_changed_dealing_is_refused_by_its_proof(db: Any) -> None:
    ceremony, _ = _started()
    dealing = json.loads(_dealing(ceremony, 1))
    other = json.loads(_dealing(ceremony, 2))
    dealing["commitments"][0] = other["commitments"][0]
    _refused(
        ceremony,
        1,
        (json.dumps(dealing) + "\n").encode(),
        "Refused, nothing was added to the record",
        "dealing proof check failed at entries/candidate-dealing-1",
        "trustee 1's commitments or proof do not hold",
    )


def test_a_dealing_from_a_non_trustee_is_refused(
    db: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ceremony, _ = _started()
    # A dealing naming a trustee number nobody holds, handed in by trustee 1 …
    dealing = json.loads(_dealing(ceremony, 1))
    dealing["dealer"] = 4
    _refused(ceremony, 1, (json.dumps(dealing) + "\n").encode(), "trustee 4's", "not trustee 1's")
    # … and the office handing it in for a trustee 4 that does not exist …
    path = tmp_path / "dealing4.json"
    path.write_text(json.dumps(dealing) + "\n")
    arguments = ["record", "upload", "--contest", ceremony.contest.slug, str(path)]
    assert main([*arguments, "--trustee", "4"]) == 2
    assert "leader has no trustee 4" in capsys.readouterr().err
    assert main([*arguments, "--trustee", "2"]) == 1
    assert "This dealing is trustee 4's" in capsys.readouterr().err
    # … and someone without a trustee appointment cannot reach a trustee page at all.
    outsider = Client()
    outsider.force_login(UserFactory(username="outsider"))
    before = record_snapshot(ceremony.record)
    response = outsider.post(f"/record/{ceremony.contest.slug}/trustee/", {"file": b"{}"})
    assert response.status_code == 403
    assert record_snapshot(ceremony.record) == before


def test_a_second_dealing_from_one_trustee_is_refused(db: Any) -> None:
    ceremony, _ = _started()
    assert ceremony.upload(1, _dealing(ceremony, 1)).status_code == 302
    _refused(
        ceremony,
        1,
        _dealing(ceremony, 1),
        "dealing check failed at entries/candidate-dealing-1",
        "trustee 1 has dealt already",
    )


def test_a_file_made_for_another_contest_is_refused(db: Any, tmp_path: Path) -> None:
    ceremony, secrets = _started()
    # The same trustees, the same keys, another election: its parameters hash differently, so a
    # dealing proven for it does not hold here.
    other = tmp_path / "other"
    lines = parameters_entry(
        election="Deputy leader",
        threshold=2,
        trustees=[secrets[j]["public"] for j in (1, 2, 3)],
        options=[["A"], ["B"], []],
    )
    entry_check_and_append(other, None, "parameters", "parameters", lines)
    dealing, _ = dealing_entry(RecordState.load(other), dealer=1)
    _refused(
        ceremony,
        1,
        (dealing[0] + "\n").encode(),
        "dealing proof check failed",
        "trustee 1's commitments or proof do not hold",
    )


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"\xff\xfe not text", "is not UTF-8 text"),
        (b"dealing\n", "Line 1 of the file is not JSON"),
        (b"[1, 2]\n", "Line 1 of the file must be one JSON object"),
        (b'{"kind": ["dealing"], "dealer": 1}\n', "is not a file a trustee hands in"),
        (b'{"kind": "dealing", "dealer": true}\n', "trustee True's"),
        (b'{"kind": "key", "qualified": [1]}\n', "kind 'key' is not a file a trustee hands in"),
        (b'{"kind": "complaint", "dealer": 2, "recipient": 3}\n', "trustee 3's"),
        (b'{"kind": "complaint", "dealer": 2, "recipient": 1}\n', "complaint check failed"),
        (
            b'{"kind": "answer", "dealer": 1, "recipient": 2, "share": "00"}\n',
            "answers no complaint",
        ),
        (b'{"communication_key": "' + b"ab" * 32 + b'", "number": 1}\n', "record has started"),
    ],
)
def test_malformed_or_misplaced_files_are_refused_saying_why(
    db: Any, content: bytes, phrase: str
) -> None:
    ceremony, _ = _started()
    _refused(ceremony, 1, content, phrase)


def test_a_public_file_for_another_trustee_or_a_bad_key_is_refused(db: Any) -> None:
    ceremony = ceremony_contest()
    public, _ = trustee_identity(2, "Trustee 2")
    response = ceremony.upload(1, public_file(2, public["communication_key"]))
    assert "This public file is for trustee 2, not trustee 1" in response.content.decode()
    response = ceremony.upload(1, public_file(1, "zz" * 32))
    assert "must be 64 hex digits" in response.content.decode()
    assert not ceremony.record.trustees.get(number=1).communication_key
    # Trustee 2 hands in trustee 1's key (seen over their shoulder): refused.
    assert ceremony.upload(1, public_file(1, public["communication_key"])).status_code == 302
    response = ceremony.upload(2, public_file(2, public["communication_key"]))
    assert "Another trustee handed in this same public key" in response.content.decode()
    assert not ceremony.record.trustees.get(number=2).communication_key


def test_the_record_starts_only_with_every_key_in_and_the_roll_frozen(db: Any) -> None:
    ceremony = ceremony_contest()
    with pytest.raises(ServiceError, match=r"still missing: trustee 1 \(Trustee 1\)"):
        services.record_start(contest=ceremony.contest, actor=ceremony.officer)
    _keys_in(ceremony)
    trustee = ceremony.users[1]
    with pytest.raises(PermissionRefused):
        services.record_start(contest=ceremony.contest, actor=trustee)
    services.record_start(contest=ceremony.contest, actor=ceremony.officer)
    with pytest.raises(ServiceError, match="no longer change"):
        services.trustees_appoint(
            contest=ceremony.contest,
            threshold=1,
            mixes_required=1,
            trustees=[services.Appointment(name="Solo", user=ceremony.users[1])],
            actor=ceremony.officer,
        )


@pytest.mark.parametrize(
    ("threshold", "mixes", "message"),
    [
        (0, 2, "between 1 and 3"),
        (4, 2, "between 1 and 3"),
        (2, 4, "mixes required must be between 1 and 3"),
    ],
)
def test_appointment_checks_t_of_n(db: Any, threshold: int, mixes: int, message: str) -> None:
    ceremony = ceremony_contest(appoint=False)
    with pytest.raises(ServiceError, match=message):
        services.trustees_appoint(
            contest=ceremony.contest,
            threshold=threshold,
            mixes_required=mixes,
            trustees=[services.Appointment(f"T{j}", ceremony.users[j]) for j in (1, 2, 3)],
            actor=ceremony.officer,
        )


def test_reappointing_keeps_kept_trustees_keys_and_revokes_the_dropped(db: Any) -> None:
    ceremony = ceremony_contest()
    _keys_in(ceremony)
    services.trustees_appoint(
        contest=ceremony.contest,
        threshold=1,
        trustees=[services.Appointment(f"T{j}", ceremony.users[j]) for j in (1, 2)],
        actor=ceremony.officer,
    )
    assert [t.number for t in ceremony.record.trustees.all()] == [1, 2]
    assert all(t.communication_key for t in ceremony.record.trustees.all())
    roles = RoleAssignment.objects.filter(role=Role.TRUSTEE, contest=ceremony.contest)
    assert set(roles.values_list("user__username", flat=True)) == {
        "trustee1-leader",
        "trustee2-leader",
    }


def test_trustees_are_appointed_only_before_the_ballot_opens(db: Any) -> None:
    ceremony = ceremony_contest(appoint=False)
    ceremony.contest.status = ContestStatus.BALLOT_OPEN
    ceremony.contest.save()
    with pytest.raises(ServiceError, match="The ballot is open"):
        services.trustees_appoint(
            contest=ceremony.contest,
            threshold=1,
            mixes_required=1,
            trustees=[services.Appointment("T1", ceremony.users[1])],
            actor=ceremony.officer,
        )


def test_a_trustee_role_is_always_for_one_contest(db: Any) -> None:
    user = UserFactory(username="someone")
    with pytest.raises(ServiceError, match="A trustee acts for one contest"):
        role_grant(user=user, role=Role.TRUSTEE, contest=None)


# -- The lifecycle blocker ------------------------------------------------------------------


def _trustee_blockers(ceremony: Ceremony) -> list[str]:
    return [b for b in contest_blockers(ceremony.contest, "open_ballot") if "key ceremony" in b]


def test_the_ballot_opens_only_once_the_joint_key_is_sealed(db: Any) -> None:
    ceremony = ceremony_contest()
    (blocker,) = _trustee_blockers(ceremony)
    assert (
        "trustee 1 (Trustee 1), trustee 2 (Trustee 2) and trustee 3 (Trustee 3) must hand in"
        in blocker
    )
    _keys_in(ceremony)
    (blocker,) = _trustee_blockers(ceremony)
    assert "the returning officer must start the record" in blocker
    services.record_start(contest=ceremony.contest, actor=ceremony.officer)
    assert ceremony.upload(1, _dealing(ceremony, 1)).status_code == 302
    (blocker,) = _trustee_blockers(ceremony)
    assert "trustee 2 (Trustee 2) and trustee 3 (Trustee 3) must hand in their dealing" in blocker
    with pytest.raises(ServiceError, match="trustee 2 has not dealt; trustee 3 has not dealt"):
        services.record_key_seal(contest=ceremony.contest, actor=ceremony.officer)
    # Sealing without them: one qualified dealer is fewer than the threshold of two.
    with pytest.raises(ServiceError, match="Only 1 trustees qualified"):
        services.record_key_seal(
            contest=ceremony.contest, actor=ceremony.officer, leave_out_missing=True
        )
    assert ceremony.upload(2, _dealing(ceremony, 2)).status_code == 302
    entry = services.record_key_seal(
        contest=ceremony.contest, actor=ceremony.officer, leave_out_missing=True
    )
    assert json.loads(bytes(entry.content))["qualified"] == [1, 2]
    assert _trustee_blockers(ceremony) == []
    # Trustee 3 came too late: the joint key is sealed and no dealing follows it.
    _refused(
        ceremony, 3, _dealing_after_seal(ceremony, 3), "order check failed", "after the joint key"
    )


def _dealing_after_seal(ceremony: Ceremony, dealer: int) -> bytes:
    with record_checked(ceremony.record) as (_, state):
        assert state is not None
        lines, _ = dealing_entry(state, dealer=dealer)
    return (lines[0] + "\n").encode()


def test_a_contest_without_trustees_is_not_blocked(db: Any) -> None:
    ceremony = ceremony_contest(appoint=False)
    assert _trustee_blockers(ceremony) == []


def test_a_changed_row_in_the_database_stops_the_next_append(db: Any) -> None:
    ceremony, _ = _started()
    RecordEntry.objects.filter(kind=EntryKind.PARAMETERS).update(content=b'{"kind":"parameters"}\n')
    before = record_snapshot(ceremony.record)
    with pytest.raises(Exception, match=r"chain check failed .* the file was changed"):
        services.record_file_accept(
            contest=ceremony.contest,
            trustee=ceremony.record.trustees.get(number=1),
            content=b'{"kind": "complaint", "dealer": 2, "recipient": 1}\n',
            actor=None,
        )
    assert record_snapshot(ceremony.record) == before


# -- Who may reach which page ---------------------------------------------------------------


PAGES = ("record", "trustee", "office", "download")


def _url(slug: str, page: str) -> str:
    return {
        "record": f"/record/{slug}/",
        "trustee": f"/record/{slug}/trustee/",
        "office": f"/record/{slug}/office/",
        "download": f"/record/{slug}/record.tar.gz",
    }[page]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", {"record": 200, "trustee": 302, "office": 302, "download": 200}),
        ("plain user", {"record": 200, "trustee": 403, "office": 403, "download": 200}),
        ("trustee of A", {"record": 200, "trustee": 200, "office": 403, "download": 200}),
        ("trustee of B", {"record": 200, "trustee": 403, "office": 403, "download": 200}),
        ("officer of B", {"record": 200, "trustee": 403, "office": 403, "download": 200}),
        ("scrutineer of A", {"record": 200, "trustee": 403, "office": 200, "download": 200}),
        ("officer of A", {"record": 200, "trustee": 403, "office": 200, "download": 200}),
    ],
)
def test_who_may_reach_which_page(db: Any, who: str, expected: dict[str, int]) -> None:
    a = ceremony_contest("contest-a")
    b = ceremony_contest("contest-b")
    client = Client()
    users = {
        "plain user": UserFactory(username="plain"),
        "trustee of A": a.users[1],
        "trustee of B": b.users[1],
        "officer of B": b.officer,
        "officer of A": a.officer,
    }
    if who == "scrutineer of A":
        users[who] = UserFactory(username="scrutineer")
        grant(users[who], Role.SCRUTINEER, a.contest)
    if who in users:
        client.force_login(users[who])
    got = {page: client.get(_url(a.contest.slug, page)).status_code for page in PAGES}
    assert got == expected


def test_a_trustee_whose_role_was_revoked_loses_their_page(db: Any) -> None:
    ceremony = ceremony_contest()
    RoleAssignment.objects.filter(user=ceremony.users[1], role=Role.TRUSTEE).delete()
    response = ceremony.client_for(1).get(f"/record/{ceremony.contest.slug}/trustee/")
    assert response.status_code == 403


def test_a_draft_contests_record_is_not_public(db: Any) -> None:
    ceremony = ceremony_contest()
    ceremony.contest.status = ContestStatus.DRAFT
    ceremony.contest.save()
    assert Client().get(f"/record/{ceremony.contest.slug}/").status_code == 302


def test_a_contest_without_trustees_says_so_on_its_record_page(db: Any) -> None:
    ceremony = ceremony_contest(appoint=False)
    response = Client().get(f"/record/{ceremony.contest.slug}/")
    assert "This contest has no trustees" in response.content.decode()


def test_only_the_contests_returning_officer_appoints_on_the_office_page(db: Any) -> None:
    ceremony = ceremony_contest(appoint=False)
    scrutineer = UserFactory(username="scrutineer")
    grant(scrutineer, Role.SCRUTINEER, ceremony.contest)
    form = {
        "action": "appoint",
        "appoint-trustees": "trustee1-leader, Alice\ntrustee2-leader, Bob\nnobody, Carol",
        "appoint-threshold": "2",
        "appoint-mixes_required": "2",
    }
    client = Client()
    client.force_login(scrutineer)
    assert client.post(f"/record/{ceremony.contest.slug}/office/", form).status_code == 403
    office = ceremony.officer_client()
    response = office.post(f"/record/{ceremony.contest.slug}/office/", form)
    assert response.status_code == 400
    assert "Line 3: there is no account called &#x27;nobody&#x27;." in response.content.decode()
    form["appoint-trustees"] = "trustee1-leader, Alice\ntrustee2-leader, Bob"
    assert office.post(f"/record/{ceremony.contest.slug}/office/", form).status_code == 302
    names = list(ceremony.contest.election_record.trustees.values_list("name", flat=True))
    assert names == ["Alice", "Bob"]


def test_temporary_record_directories_are_removed(
    db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ceremony, _ = _started()
    dealing = _dealing(ceremony, 1)
    # A temporary folder of this test's own: other processes' checks come and go in /tmp.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert ceremony.upload(1, dealing).status_code == 302
    assert ceremony.upload(1, dealing).status_code == 400
    assert list(tmp_path.iterdir()) == []


def test_only_the_trustee_or_the_office_hands_in_a_trustees_file(db: Any) -> None:
    ceremony, _ = _started()
    trustee = ceremony.record.trustees.get(number=1)
    dealing = _dealing(ceremony, 1)
    for actor in (ceremony.users[2], UserFactory(username="stranger")):
        with pytest.raises(PermissionRefused):
            services.record_file_accept(
                contest=ceremony.contest, trustee=trustee, content=dealing, actor=actor
            )
    entry = services.record_file_accept(
        contest=ceremony.contest, trustee=trustee, content=dealing, actor=ceremony.officer
    )
    assert isinstance(entry, RecordEntry) and entry.trustee == trustee
