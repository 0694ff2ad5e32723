"""Files handed in at the same moment append one after the other: the chain never forks."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection, connections
from trustees_support import ceremony_contest, public_file

from omov.core.errors import ServiceError
from omov.trustees import services
from omov.trustees.record import record_checked, record_write
from omov.verifiable.ceremony import dealing_entry, trustee_identity
from omov.verifiable.verifier import RecordState

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_dealings_append_in_turn_and_a_duplicate_is_refused(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL: set DATABASE_URL to run this test")
    ceremony = ceremony_contest()
    for j in (1, 2, 3):
        public, _ = trustee_identity(j, f"Trustee {j}")
        services.trustee_key_hand_in(
            trustee=ceremony.record.trustees.get(number=j),
            content=public_file(j, public["communication_key"]),
            actor=None,
        )
    services.record_start(contest=ceremony.contest, actor=ceremony.officer)
    with record_checked(ceremony.record) as (_, state):
        assert state is not None
        dealings = {j: (dealing_entry(state, dealer=j)[0][0] + "\n").encode() for j in (1, 2, 3)}
    # Trustee 1's dealing twice (a double click), trustees 2 and 3 once, all at once.
    uploads = [(1, dealings[1]), (1, dealings[1]), (2, dealings[2]), (3, dealings[3])]
    barrier = threading.Barrier(len(uploads))
    outcomes: list[str] = []

    def hand_in(number: int, content: bytes) -> None:
        try:
            barrier.wait()
            services.record_file_accept(
                contest=ceremony.contest,
                trustee=ceremony.record.trustees.get(number=number),
                content=content,
                actor=None,
            )
            outcomes.append(f"added {number}")
        except ServiceError as error:
            outcomes.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hand_in, args=upload) for upload in uploads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o for o in outcomes if o.startswith("added")) == ["added 1", "added 2", "added 3"]
    (refusal,) = [o for o in outcomes if not o.startswith("added")]
    assert "trustee 1 has dealt already" in refusal
    indices = list(ceremony.record.entries.order_by("index").values_list("index", flat=True))
    assert indices == [0, 1, 2, 3]
    record_write(ceremony.record, tmp_path)
    assert sorted(RecordState.load(tmp_path).dealings) == [1, 2, 3]
