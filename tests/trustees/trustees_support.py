"""A contest with three trustees (threshold 2), and trustees who run `omov trustee` themselves."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.test import Client

from factories import CandidateFactory, ContestFactory, UserFactory, grant
from omov.contests.models import Contest, ContestStatus
from omov.core.models import Role
from omov.trustees.models import ElectionRecord, RecordEntry
from omov.trustees.services import Appointment, trustees_appoint

PASSPHRASE = "a long trustee passphrase"
SRC = Path(__file__).resolve().parents[2] / "src"


def omov(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `omov` in a separate process, as a trustee on their own computer would."""
    environment = {**os.environ, "OMOV_TRUSTEE_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(SRC)}
    completed = subprocess.run(
        [sys.executable, "-m", "omov", *map(str, arguments)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if completed.returncode != 0:
        raise AssertionError(f"omov {arguments} failed:\n{completed.stdout}\n{completed.stderr}")
    return completed


@dataclass
class Ceremony:
    """A contest ready for its key ceremony: the returning officer and three trustees' accounts."""

    contest: Contest
    officer: Any
    users: dict[int, Any]
    record: ElectionRecord
    clients: dict[int, Client] = field(default_factory=dict)

    def client_for(self, number: int) -> Client:
        if number not in self.clients:
            client = Client()
            client.force_login(self.users[number])
            self.clients[number] = client
        return self.clients[number]

    def officer_client(self) -> Client:
        client = Client()
        client.force_login(self.officer)
        return client

    def upload(self, number: int, path_or_bytes: Path | bytes, name: str = "file.json") -> Any:
        """Hand a file in through trustee ``number``'s page; return the response."""
        content = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
        upload = io.BytesIO(content)
        upload.name = name
        return self.client_for(number).post(
            f"/record/{self.contest.slug}/trustee/", {"file": upload}
        )

    def download(self, number: int, into: Path) -> Path:
        """Download the record as a .zip through trustee ``number``'s account and unpack it."""
        response = self.client_for(number).get(f"/record/{self.contest.slug}/record.zip")
        assert response.status_code == 200
        into.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            archive.extractall(into)
        return into / "record"


def ceremony_contest(slug: str = "leader", *, appoint: bool = True) -> Ceremony:
    """A contest with its roll frozen, two candidates, a returning officer and three trustees."""
    contest = ContestFactory(slug=slug, status=ContestStatus.ROLL_FROZEN)
    CandidateFactory(contest=contest, name="A")
    CandidateFactory(contest=contest, name="B")
    officer = UserFactory(username=f"officer-{slug}")
    grant(officer, Role.RETURNING_OFFICER, contest)
    users = {j: UserFactory(username=f"trustee{j}-{slug}") for j in (1, 2, 3)}
    record = None
    if appoint:
        record = trustees_appoint(
            contest=contest,
            threshold=2,
            trustees=[Appointment(name=f"Trustee {j}", user=users[j]) for j in (1, 2, 3)],
            actor=officer,
        )
    return Ceremony(contest=contest, officer=officer, users=users, record=record)  # type: ignore[arg-type]


def record_snapshot(record: ElectionRecord) -> list[tuple[int, str, str]]:
    """Every entry's place, file and hash: what must not change when a file is refused."""
    return list(
        RecordEntry.objects.filter(record=record)
        .order_by("index")
        .values_list("index", "file", "hash")
    )


def public_file(number: int, communication_key: str) -> bytes:
    """A public file as `omov trustee init` writes it."""
    value = {"communication_key": communication_key, "name": f"Trustee {number}", "number": number}
    return (json.dumps(value, sort_keys=True) + "\n").encode()


@dataclass
class Sealed:
    """A contest whose key ceremony is over, run in this process; each trustee's key share."""

    ceremony: Ceremony
    shares: dict[int, int]


def sealed_ceremony(contest: Contest | None = None, slug: str = "leader") -> Sealed:
    """Run the whole key ceremony in this process (honest trustees) up to the sealed joint key.

    Each trustee's files go through ``record_file_accept`` as their own uploads would; the
    returning officer starts the record and seals the key. For tests of what comes after the
    ceremony; the ceremony itself is tested through the pages and `omov trustee` processes.
    """
    from omov.trustees import services
    from omov.trustees.record import record_checked
    from omov.verifiable.ceremony import dealing_entry, secret_share_compute, trustee_identity

    if contest is None:
        ceremony = ceremony_contest(slug)
    else:
        officer = UserFactory(username=f"officer-{contest.slug}")
        grant(officer, Role.RETURNING_OFFICER, contest)
        users = {j: UserFactory(username=f"trustee{j}-{contest.slug}") for j in (1, 2, 3)}
        record = trustees_appoint(
            contest=contest,
            threshold=2,
            trustees=[Appointment(name=f"Trustee {j}", user=users[j]) for j in (1, 2, 3)],
            actor=officer,
        )
        ceremony = Ceremony(contest=contest, officer=officer, users=users, record=record)
    trustees = {t.number: t for t in ceremony.record.trustees.all()}
    private: dict[int, bytes] = {}
    for number, trustee in trustees.items():
        public, secret = trustee_identity(number, trustee.name)
        private[number] = bytes.fromhex(secret["communication_private_key"])
        services.record_file_accept(
            contest=ceremony.contest,
            trustee=trustee,
            content=public_file(number, public["communication_key"]),
            actor=ceremony.users[number],
        )
    services.record_start(contest=ceremony.contest, actor=ceremony.officer)
    for number, trustee in trustees.items():
        with record_checked(ceremony.record) as (_, state):
            assert state is not None
            lines, _keep = dealing_entry(state, dealer=number)
        services.record_file_accept(
            contest=ceremony.contest,
            trustee=trustee,
            content="".join(line + "\n" for line in lines).encode(),
            actor=ceremony.users[number],
        )
    services.record_key_seal(contest=ceremony.contest, actor=ceremony.officer)
    with record_checked(ceremony.record) as (_, state):
        assert state is not None
        shares = {
            number: secret_share_compute(state, number=number, private_key=private[number])
            for number in trustees
        }
    return Sealed(ceremony=ceremony, shares=shares)
