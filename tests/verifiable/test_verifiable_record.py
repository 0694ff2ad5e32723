"""The election record: an honest election verifies; every tampering is found and named.

Trustees run as separate processes through the `omov` command, exchanging only files.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from record_support import OPTIONS, build_election, entry, omov, rechain

from omov.cli.main import main
from omov.count import BallotFile, RawBallot, count
from omov.verifiable.ceremony import decryption_entry
from omov.verifiable.elgamal import encrypt
from omov.verifiable.record import row_from_json, row_to_json, tracker
from omov.verifiable.shuffle import shuffle
from omov.verifiable.verifier import RecordState

CHOICES = [index % 5 for index in range(30)]


@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_election(tmp_path_factory.mktemp("election"), CHOICES)


@pytest.fixture
def record(honest: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "record"
    shutil.copytree(honest, copy)
    return copy


def verify(record: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["verify", str(record), "--quiet", "--workers", "1"])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def write_lines(path: Path, values: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(value, sort_keys=True) + "\n" for value in values))


def test_the_honest_record_verifies_and_decodes_the_ballots_cast(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = verify(record, capsys)
    assert code == 0, output
    assert "The record holds" in output
    decoded = json.loads(entry(record, "result").read_text())["decoded"]
    assert Counter(row[0] for row in decoded) == Counter(CHOICES)


def test_a_changed_ciphertext_is_found_by_its_tracker(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = entry(record, "ballots")
    values = lines_of(path)
    values[4]["ciphertexts"][0][1] = values[5]["ciphertexts"][0][1]
    write_lines(path, values)
    rechain(record)
    code, output = verify(record, capsys)
    assert code == 1
    assert "ballot check failed" in output
    assert f"{path.name} line 5 (ballot 4)" in output
    assert "tracker is not the hash" in output


def test_a_changed_ciphertext_with_a_matching_tracker_breaks_the_first_shuffle_proof(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = RecordState.load(record)
    assert state.public_key is not None
    path = entry(record, "ballots")
    values = lines_of(path)
    row = (encrypt(state.public_key, 0),)
    values[3] = {"tracker": tracker(row), "ciphertexts": row_to_json(row)}
    write_lines(path, values)
    rechain(record)
    code, output = verify(record, capsys)
    assert code == 1
    assert "shuffle proof check failed" in output
    assert "trustee 1's output is not proven" in output


@pytest.mark.parametrize("change", ["dropped", "added"])
def test_a_dropped_or_added_ballot_is_found(
    record: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    state = RecordState.load(record)
    assert state.public_key is not None
    path = entry(record, "ballots")
    values = lines_of(path)
    if change == "dropped":
        del values[7]
    else:
        row = (encrypt(state.public_key, 1),)
        values.append({"tracker": tracker(row), "ciphertexts": row_to_json(row)})
    values[0]["count"] = len(values) - 1
    write_lines(path, values)
    rechain(record)
    code, output = verify(record, capsys)
    assert code == 1
    assert "mix check failed" in output
    assert "a ballot was dropped or added" in output


def test_a_shuffle_proof_for_another_permutation_is_refused(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = RecordState.load(record)
    assert state.public_key is not None
    # The first mix's input: the ballots as recorded.
    inputs = [
        row_from_json(value["ciphertexts"], 1) for value in lines_of(entry(record, "ballots"))[1:]
    ]
    _, other = shuffle(context=state.context, public_key=state.public_key, inputs=inputs)
    path = entry(record, "mix", 0)
    values = lines_of(path)
    values[0]["challenge"] = other.challenge.to_bytes(32, "little").hex()
    for index, value in enumerate(values[1:]):
        value["c"] = other.permutation_commitments[index].hex()
        value["chain"] = other.chain_commitments[index].hex()
        value["s_hat"] = other.responses_hat[index].to_bytes(32, "little").hex()
        value["s_prime"] = other.responses_prime[index].to_bytes(32, "little").hex()
    write_lines(path, values)
    rechain(record)
    code, output = verify(record, capsys)
    assert code == 1
    assert "shuffle proof check failed" in output
    assert path.name in output


def test_a_wrong_decryption_share_is_named_by_trustee_and_ballot(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = entry(record, "decryption", 1)
    values = lines_of(path)
    values[12]["shares"][0][0] = values[13]["shares"][0][0]
    write_lines(path, values)
    rechain(record)
    code, output = verify(record, capsys)
    assert code == 1
    assert "decryption proof check failed" in output
    assert f"{path.name} line 13 (ballot 12 after the last mix)" in output


def test_a_share_from_a_non_trustee_is_refused(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = entry(record, "decryption", 0)
    values = lines_of(path)
    values[0]["trustee"] = 7
    write_lines(path, values)
    rechain(record)
    code, output = verify(record, capsys)
    assert code == 1
    assert "decryption check failed" in output
    assert "7 is not a qualified trustee" in output


def test_shares_made_with_a_key_other_than_the_trustees_fail_their_proofs(
    record: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = RecordState.load(record)
    forged = decryption_entry(state, trustee=1, secret=12345)
    # Replace trustee 2's shares with shares claimed for trustee 2 but made with another secret.
    path = entry(record, "decryption", 0)
    header = json.loads(forged[0])
    header["trustee"] = lines_of(path)[0]["trustee"]
    path.write_text(json.dumps(header) + "\n" + "".join(line + "\n" for line in forged[1:]))
    rechain(record)
    code, output = verify(record, capsys)
    assert code == 1
    assert "decryption proof check failed" in output
    assert "line 2 (ballot 1 after the last mix)" in output


def test_an_edited_file_breaks_the_hash_chain(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = entry(record, "result")
    value = json.loads(path.read_text())
    value["decoded"][0], value["decoded"][1] = value["decoded"][1], value["decoded"][0]
    path.write_text(json.dumps(value))
    code, output = verify(record, capsys)
    assert code == 1
    assert "chain check failed" in output
    assert f"{path.relative_to(record)}" in output and "the file was changed" in output


def test_a_removed_chain_line_breaks_the_hash_chain(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = (record / "chain.jsonl").read_text().splitlines()
    del chain[6]
    (record / "chain.jsonl").write_text("".join(line + "\n" for line in chain))
    code, output = verify(record, capsys)
    assert code == 1
    assert "chain check failed at chain.jsonl line 7" in output


def test_a_forged_result_is_refused_even_when_rechained(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = entry(record, "result")
    value = json.loads(path.read_text())
    value["decoded"][2] = [(value["decoded"][2][0] + 1) % len(OPTIONS)]
    path.write_text(json.dumps(value))
    rechain(record)
    code, output = verify(record, capsys)
    assert code == 1
    assert "decoded ballot 3 differs" in output


def test_a_bad_file_is_refused_where_it_arrives_and_the_record_does_not_change(
    record: Path, tmp_path: Path
) -> None:
    chain_before = (record / "chain.jsonl").read_bytes()
    # A second result, and a dealing long after the ceremony: both refused.
    result = entry(record, "result")
    completed = omov("record", "append", record, result, "--quiet", check=False)
    assert completed.returncode == 1
    assert "refused, nothing was added" in completed.stderr
    dealing = entry(record, "dealing")
    completed = omov("record", "append", record, dealing, "--quiet", check=False)
    assert completed.returncode == 1
    assert "a dealing after the joint key" in completed.stderr
    assert (record / "chain.jsonl").read_bytes() == chain_before


def test_verify_names_a_missing_record_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = verify(tmp_path / "nowhere", capsys)
    assert code == 2
    assert "is not a directory holding an election record" in output
    assert "Traceback" not in output


def test_verify_does_not_start_django(honest: Path) -> None:
    completed = omov("verify", honest, "--quiet", "--workers", "1")
    assert "The record holds" in completed.stdout
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from omov.cli.main import main; main(['verify', sys.argv[1], '--quiet',"
            " '--workers', '1']); print('django' in sys.modules)",
            str(honest),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip().endswith("False")


@pytest.mark.slow
def test_a_ci_sized_election_of_1000_ballots_runs_verifies_and_counts(tmp_path: Path) -> None:
    choices = [(index * 7 + index // 3) % 5 for index in range(1000)]
    record = build_election(tmp_path, choices, workers=2)
    completed = omov("verify", record, "--workers", "2")
    assert "The record holds" in completed.stdout
    assert "1,000 ballots (1,000 online)" in completed.stdout
    assert "entry 7/11: mix" in completed.stderr  # progress on the way
    decoded = json.loads(entry(record, "result").read_text())["decoded"]

    def count_of(indices: list[int]) -> tuple[str, ...]:
        tally = Counter(tuple(OPTIONS[index]) for index in indices if OPTIONS[index])
        ballots = tuple(
            RawBallot(tuple((name,) for name in ranking), weight)
            for ranking, weight in sorted(tally.items())
        )
        return count(BallotFile(candidates=("A", "B"), ballots=ballots), method="irv").elected

    assert Counter(row[0] for row in decoded) == Counter(choices)
    assert count_of([row[0] for row in decoded]) == count_of(choices)


def test_a_line_missing_behind_an_unchanged_header_is_named(
    record: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = entry(record, "mix", 1)
    values = lines_of(path)
    del values[9]
    write_lines(path, values)
    rechain(record)
    code, output = verify(record, capsys)
    assert code == 1
    assert f"format check failed at {path.relative_to(record)} line 1" in output
    assert "count is not the number of lines" in output
