"""Fuzz every ballot file reader: whatever the bytes, the only failure is CountInputError.

Two sources of input: random bytes (Hypothesis), and valid files – small samples of every format
plus a real Edinburgh ward – mutated by flipping, deleting and inserting bytes and whole lines.
A reader may accept a mutated file (many mutations still make a valid file); it may not crash.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from count_formats_support import edinburgh_wards
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omov.count.ballots import BallotFile, RawBallot
from omov.count.errors import CountInputError
from omov.count.formats import FORMATS, read_ballot_bytes
from omov.count.formats.cdf import write_cdf

FORMAT_NAMES = sorted(FORMATS)

SAMPLE = BallotFile(
    candidates=("Ada", "Ben", "Cy", "Smith, Jo"),
    ballots=(
        RawBallot((("Ada",), ("Ben",), ("Cy",)), 3),
        RawBallot((("Cy",), ("Ada", "Ben")), 2),
        RawBallot((("Smith, Jo",),), 1),
        RawBallot((("Ben",), ("Cy",)), 4),
    ),
    seats=2,
    title="Sample",
)


def sample_bytes(format_name: str) -> bytes:
    if format_name == "cdf":
        text = write_cdf(SAMPLE, generated_at=datetime(2026, 1, 1, tzinfo=UTC))
    else:
        text = FORMATS[format_name].write(SAMPLE)
    return text.encode("utf-8")


SAMPLES = {name: sample_bytes(name) for name in FORMAT_NAMES}
SPECIAL_BYTES = st.sampled_from(
    [b"\n", b"\r", b",", b"=", b"{", b"}", b":", b'"', b"#", b"-", b"0", b"9", b"[", b"]", b"\xff"]
)


def parse_must_only_raise_count_input_error(data: bytes, format_name: str) -> None:
    try:
        ballot_file = read_ballot_bytes(data, source="fuzz", format=format_name)
    except CountInputError as error:
        assert error.describe()  # the message renders
        assert error.source == "fuzz" or error.source is None
        return
    assert isinstance(ballot_file, BallotFile)
    for ballot in ballot_file.ballots:
        assert ballot.weight >= 1


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        action = draw(st.sampled_from(["flip", "delete", "insert", "drop line", "copy line"]))
        if action in {"drop line", "copy line"}:
            lines = bytes(data).split(b"\n")
            index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            if action == "drop line":
                del lines[index]
            else:
                lines.insert(draw(st.integers(min_value=0, max_value=len(lines))), lines[index])
            data = bytearray(b"\n".join(lines))
            continue
        if not data and action != "insert":
            continue
        position = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
        if action == "flip":
            data[position] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif action == "delete":
            del data[position : position + draw(st.integers(min_value=1, max_value=8))]
        else:
            insert = draw(st.one_of(SPECIAL_BYTES, st.binary(min_size=1, max_size=4)))
            data[position:position] = insert
    return bytes(data)


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_a_reader(format_name: str, data: bytes) -> None:
    parse_must_only_raise_count_input_error(data, format_name)


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
@settings(max_examples=300, deadline=None)
@given(
    data=st.lists(
        st.one_of(SPECIAL_BYTES, st.sampled_from([b"1", b"2", b" ", b"Ada"])), max_size=60
    ).map(b"".join)
)
def test_random_format_like_tokens_never_crash_a_reader(format_name: str, data: bytes) -> None:
    parse_must_only_raise_count_input_error(data, format_name)


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_valid_files_never_crash_a_reader(format_name: str, data: st.DataObject) -> None:
    parse_must_only_raise_count_input_error(data.draw(mutated(SAMPLES[format_name])), format_name)


WARD = edinburgh_wards()[6].read_bytes()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_real_edinburgh_file_never_crashes_the_blt_reader(data: st.DataObject) -> None:
    parse_must_only_raise_count_input_error(data.draw(mutated(WARD)), "blt")


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_real_ward_in_every_format_survives_mutation(
    format_name: str, data: st.DataObject
) -> None:
    parse_must_only_raise_count_input_error(data.draw(mutated(REAL[format_name])), format_name)


def _real_in(format_name: str) -> bytes:
    ward = read_ballot_bytes(WARD, source="ward", format="blt")
    small = BallotFile(
        candidates=ward.candidates,
        ballots=ward.ballots[:40],
        seats=ward.seats,
        title=ward.title,
    )
    if format_name == "cdf":
        return write_cdf(small, generated_at=datetime(2026, 1, 1, tzinfo=UTC)).encode()
    if format_name == "preflib":
        # PrefLib cannot express skipped ranks or repeats; keep the ballots it can.
        small = BallotFile(
            candidates=small.candidates,
            ballots=tuple(
                ballot
                for ballot in small.ballots
                if all(ballot.marks)
                and len({n for g in ballot.marks for n in g}) == sum(map(len, ballot.marks))
            ),
        )
    return FORMATS[format_name].write(small).encode("utf-8")


REAL = {name: _real_in(name) for name in FORMAT_NAMES}
