"""The server's ballots entry: stored ciphertext rows go into the record as cast, once a channel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from trustees_support import record_snapshot, sealed_ceremony

from omov.cli.main import main
from omov.core.errors import ServiceError
from omov.trustees import selectors, services
from omov.trustees.options import option_lookup, option_parts
from omov.trustees.record import record_write
from omov.verifiable.elgamal import encrypt
from omov.verifiable.record import tracker


def test_ballot_shape_is_empty_until_the_record_starts_and_keyless_until_sealed(db: Any) -> None:
    from trustees_support import ceremony_contest

    ceremony = ceremony_contest()
    assert selectors.ballot_shape(ceremony.contest) is None


def test_ballots_entry_holds_the_rows_as_given_and_the_record_verifies(
    db: Any, tmp_path: Path
) -> None:
    sealed = sealed_ceremony()
    contest = sealed.ceremony.contest
    shape = selectors.ballot_shape(contest)
    assert shape is not None and shape.public_key is not None and shape.width == 1
    lookup = option_lookup(shape.options)
    rankings = [("A",), ("B", "A"), (), ("A", "B")]
    rows = [(encrypt(shape.public_key, lookup[("member", r)]),) for r in rankings]
    entry = services.record_ballots_append(
        contest=contest, channel="online", rows=rows, actor=sealed.ceremony.officer
    )
    content = bytes(entry.content).decode().splitlines()
    assert entry.file.endswith("-ballots-online.jsonl")
    assert [line.split('"tracker":"')[1][:64] for line in content[1:]] == [
        tracker(row) for row in rows
    ]
    before = record_snapshot(sealed.ceremony.record)
    with pytest.raises(ServiceError, match="holds the online ballots already"):
        services.record_ballots_append(
            contest=contest, channel="online", rows=rows, actor=sealed.ceremony.officer
        )
    assert record_snapshot(sealed.ceremony.record) == before
    record_write(sealed.ceremony.record, tmp_path / "record")
    assert main(["verify", str(tmp_path / "record"), "--quiet", "--workers", "1"]) == 0


def test_option_parts_read_plain_and_categorised_options() -> None:
    assert option_parts(["A", "B"]) == (None, ["A", "B"])
    assert option_parts({"category": "member", "ranking": ["B"]}) == ("member", ["B"])


def test_categorised_options_carry_every_ranking_in_each_category() -> None:
    from omov.trustees.options import ballot_options

    options, width = ballot_options(["A", "B"], ["member", "affiliated"])
    assert width == 1 and len(options) == 10
    lookup = option_lookup(options)
    assert options[lookup[("affiliated", ("B", "A"))]] == {
        "category": "affiliated",
        "ranking": ["B", "A"],
    }
    assert ("member", ()) in lookup and (None, ("A",)) not in lookup


def test_entry_headers_are_read_from_a_prefix_and_whole_when_the_line_is_longer(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sealed = sealed_ceremony()
    contest = sealed.ceremony.contest
    shape = selectors.ballot_shape(contest)
    assert shape is not None
    rows = [(encrypt(shape.public_key, 0),) for _ in range(3)]
    services.record_ballots_append(
        contest=contest, channel="online", rows=rows, actor=sealed.ceremony.officer
    )
    record = sealed.ceremony.record
    expected = selectors.count_progress(record)
    assert expected.ballots == 3 and expected.qualified == [1, 2, 3]
    # A prefix shorter than every first line: each header is then read whole, with the same result.
    monkeypatch.setattr(selectors, "_HEADER_BYTES", 8)
    assert selectors.count_progress(record) == expected
    assert selectors.record_width(record) == 1
