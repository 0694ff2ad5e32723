"""Threat: the throttle table is a sign-in log. Its keys were `booth:ref:<40 hex>`, a prefix of
the credential's stored reference hash, next to `booth:ip:<address>`, with sequential ids and
kept for a day: a copy of the database named the voter, the time and the address (issue 8,
item 5).

The attacker below holds the database and the credential key. Throttle keys are keyed hashes
under a key derived from the site's secret key, so they match no stored hash and no address;
rows have random ids (and no rowid on SQLite), so they carry no order across keys; and a row is
deleted once its window ends.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from omov.ballots import crypto
from omov.ballots.models import Credential
from omov.core.models import ThrottleBucket

pytestmark = pytest.mark.django_db

ADDRESSES = ["198.51.100.23", "203.0.113.77", "192.0.2.144"]


def test_a_copy_of_the_throttle_table_names_no_voter_no_address_and_no_order(
    client: Any, open_ballot: Any
) -> None:
    issued = [open_ballot.credential_for(entry) for entry in open_ballot.entries]
    with time_machine.travel("2026-06-01 12:01:00Z", tick=False):
        for number, credential in enumerate(issued):
            address = ADDRESSES[number % len(ADDRESSES)]
            client.post(
                "/vote/",
                {"reference": credential.reference, "code": credential.code},
                REMOTE_ADDR=address,
            )
            client.cookies.clear()
    rows = list(ThrottleBucket.objects.all())
    assert len(rows) == len(issued) + len(ADDRESSES)
    stored = list(Credential.objects.values_list("reference_hash", flat=True))
    key = str(settings.CREDENTIAL_KEY).encode()
    for row in rows:
        for reference_hash in stored:
            for start in range(0, 64 - 16, 8):  # any 16-character piece of a stored hash
                assert reference_hash[start : start + 16] not in row.key
        for address in ADDRESSES:
            assert address not in row.key
            # With the credential key too: the key is not an HMAC of the address under it.
            guess = hmac.new(key, address.encode(), hashlib.sha256).hexdigest()[:16]
            assert guess not in row.key
        for credential in issued:
            assert credential.reference not in row.key
            assert crypto.reference_hash(credential.reference)[:16] not in row.key
        assert isinstance(row.pk, uuid.UUID) and row.pk.version == 4
    # No order: the ids are random, and on SQLite there is no hidden rowid to sort by.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor, pytest.raises(Exception, match="rowid"):
            cursor.execute("SELECT rowid FROM core_throttlebucket")


def test_rows_are_deleted_when_their_window_ends(client: Any, open_ballot: Any) -> None:
    issued = open_ballot.credential_for(open_ballot.entries[0])
    with time_machine.travel("2026-06-01 12:01:00Z", tick=False) as traveller:
        client.post("/vote/", {"reference": issued.reference, "code": "ZZZZZZZZ"})
        assert ThrottleBucket.objects.count() == 2
        traveller.shift(timedelta(minutes=14))  # 12:15: the 12:00 window has ended
        other = open_ballot.credential_for(open_ballot.entries[1])
        client.post("/vote/", {"reference": other.reference, "code": "ZZZZZZZZ"})
        keys_now = set(ThrottleBucket.objects.values_list("window_start", flat=True))
    assert len(keys_now) == 1  # only the current window's rows are left
    assert ThrottleBucket.objects.count() == 2
