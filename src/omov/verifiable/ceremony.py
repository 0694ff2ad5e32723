"""Make each entry of the election record: what a trustee, the returning officer or the server runs.

Each function takes the checked :class:`RecordState` of the record so far and returns the new
entry as JSON lines (a JSON entry is one line). Appending goes through
:func:`entry_check_and_append`, which checks the entry with the verifier's own rules first.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey

from omov.verifiable import dkg
from omov.verifiable.decryption import decryption_share_make, lagrange_at_zero
from omov.verifiable.elgamal import Row, encrypt
from omov.verifiable.group import base_mult, scalar_hex
from omov.verifiable.record import (
    FORMAT,
    KINDS,
    ChainLink,
    RecordError,
    entry_append,
    file_sha256,
    row_to_json,
    tracker,
)
from omov.verifiable.shuffle import CHUNK, Mapper, shuffle
from omov.verifiable.verifier import RecordState, _decode


def _line(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def parameters_entry(
    *,
    election: str,
    threshold: int,
    trustees: Sequence[dict[str, Any]],
    options: Sequence[Any],
    width: int = 1,
    mixes_required: int = 2,
) -> list[str]:
    """The first entry: the election, its trustees, threshold, options and ballot width."""
    return [
        _line(
            {
                "kind": "parameters",
                "format": FORMAT,
                "group": "edwards25519",
                "election": election,
                "threshold": threshold,
                "trustees": [
                    {
                        "number": int(t["number"]),
                        "name": str(t["name"]),
                        "communication_key": str(t["communication_key"]),
                    }
                    for t in trustees
                ],
                "options": list(options),
                "width": width,
                "mixes_required": mixes_required,
            }
        )
    ]


def trustee_identity(number: int, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A trustee's communication key pair: the public part for the parameters, the secret part."""
    private = PrivateKey.generate()
    public = {"number": number, "name": name, "communication_key": bytes(private.public_key).hex()}
    return public, {"number": number, "communication_private_key": bytes(private).hex()}


def dealing_entry(state: RecordState, *, dealer: int) -> tuple[list[str], dict[str, Any]]:
    """Deal this trustee's polynomial; return the entry and the secret to keep for answers."""
    recipients = {j: t.communication_key for j, t in state.trustees.items()}
    dealing, coefficients = dkg.deal(
        context=state.context, dealer=dealer, threshold=state.threshold, recipients=recipients
    )
    entry = {
        "kind": "dealing",
        "dealer": dealer,
        "commitments": [c.hex() for c in dealing.commitments],
        "proof": {
            "challenge": scalar_hex(dealing.proof.challenge),
            "response": scalar_hex(dealing.proof.response),
        },
        "shares": {str(j): s.hex() for j, s in sorted(dealing.sealed_shares.items())},
    }
    return [_line(entry)], {"dealer": dealer, "coefficients": [scalar_hex(a) for a in coefficients]}


def shares_check(
    state: RecordState, *, number: int, private_key: bytes
) -> tuple[dict[int, int], list[int]]:
    """Open and check every share sent to trustee ``number``; return good shares, bad dealers."""
    good: dict[int, int] = {}
    bad: list[int] = []
    for dealer, dealing in sorted(state.dealings.items()):
        try:
            share = dkg.share_open(private_key=private_key, dealing=dealing, recipient=number)
        except dkg.CeremonyError:
            bad.append(dealer)
            continue
        if dkg.share_matches(dealing=dealing, recipient=number, share=share):
            good[dealer] = share
        else:
            bad.append(dealer)
    return good, bad


def complaint_entry(*, dealer: int, recipient: int) -> list[str]:
    """Trustee ``recipient`` says dealer's share does not match its commitments."""
    return [_line({"kind": "complaint", "dealer": dealer, "recipient": recipient})]


def answer_entries(state: RecordState, *, dealer: int, coefficients: list[int]) -> list[list[str]]:
    """Answer each complaint against ``dealer`` by revealing that share."""
    return [
        [
            _line(
                {
                    "kind": "answer",
                    "dealer": dealer,
                    "recipient": recipient,
                    "share": scalar_hex(dkg.polynomial_value(coefficients, recipient)),
                }
            )
        ]
        for accused, recipient in state.complaints
        if accused == dealer and (accused, recipient) not in state.answers
    ]


def key_entry(state: RecordState) -> list[str]:
    """Close the ceremony: the qualified dealers, the joint key and every verification key."""
    qualified = dkg.qualified_dealers(
        dealings=state.dealings, complaints=state.complaints, answers=state.answers
    )
    keys = {j: dkg.verification_key(state.dealings, qualified, j) for j in state.trustees}
    return [
        _line(
            {
                "kind": "key",
                "qualified": sorted(qualified),
                "public_key": dkg.joint_public_key(state.dealings, qualified).hex(),
                "verification_keys": {str(j): k.hex() for j, k in sorted(keys.items())},
            }
        )
    ]


def secret_share_compute(state: RecordState, *, number: int, private_key: bytes) -> int:
    """Trustee ``number``'s share of the joint secret, checked against its verification key."""
    good, bad = shares_check(state, number=number, private_key=private_key)
    for dealer in bad:
        if dealer in state.qualified:
            good[dealer] = state.answers[(dealer, number)]
    share = dkg.secret_share(good, state.qualified)
    if base_mult(share) != state.verification_keys[number]:
        raise dkg.CeremonyError(f"trustee {number}'s share does not match its verification key")
    return share


def ballots_entry(
    state: RecordState, *, choices: Sequence[Sequence[int]], channel: str
) -> list[str]:
    """Encrypt rows of option indices to the joint key (the server's part until issue 12)."""
    if state.public_key is None:
        raise RecordError("order", "ballots", "the joint key is not in the record yet")
    lines = [_line({"kind": "ballots", "channel": channel, "count": len(choices)})]
    for choice in choices:
        row: Row = tuple(encrypt(state.public_key, index) for index in choice)
        lines.append(_line({"tracker": tracker(row), "ciphertexts": row_to_json(row)}))
    return lines


def mix_entry(state: RecordState, *, mixer: int, mapper: Mapper = map) -> list[str]:
    """Shuffle the record's current ballots with a proof."""
    if state.public_key is None:
        raise RecordError("order", "mix", "the joint key is not in the record yet")
    outputs, proof = shuffle(
        context=state.context, public_key=state.public_key, inputs=state.current, mapper=mapper
    )
    header = {
        "kind": "mix",
        "mixer": mixer,
        "count": len(outputs),
        "challenge": scalar_hex(proof.challenge),
        "response_bar": scalar_hex(proof.response_bar),
        "response_hat": scalar_hex(proof.response_hat),
        "response_tilde": scalar_hex(proof.response_tilde),
        "response_rows": [scalar_hex(s) for s in proof.response_prime_rows],
    }
    lines = [_line(header)]
    for index, row in enumerate(outputs):
        lines.append(
            _line(
                {
                    "ciphertexts": row_to_json(row),
                    "c": proof.permutation_commitments[index].hex(),
                    "chain": proof.chain_commitments[index].hex(),
                    "s_hat": scalar_hex(proof.responses_hat[index]),
                    "s_prime": scalar_hex(proof.responses_prime[index]),
                }
            )
        )
    return lines


def _decryption_chunk(arguments: tuple[bytes, int, list[Row]]) -> list[str]:
    context, secret, rows = arguments
    lines = []
    for row in rows:
        shares = []
        for ciphertext in row:
            share = decryption_share_make(context=context, secret=secret, ciphertext=ciphertext)
            shares.append(
                [
                    share.share.hex(),
                    scalar_hex(share.proof.challenge),
                    scalar_hex(share.proof.response),
                ]
            )
        lines.append(_line({"shares": shares}))
    return lines


def decryption_entry(
    state: RecordState, *, trustee: int, secret: int, mapper: Mapper = map
) -> list[str]:
    """Trustee's decryption shares of the last mix's output, each with its proof."""
    rows = state.current
    jobs = [(state.context, secret, rows[low : low + CHUNK]) for low in range(0, len(rows), CHUNK)]
    lines = [_line({"kind": "decryption", "trustee": trustee, "count": len(rows)})]
    for part in mapper(_decryption_chunk, jobs):
        lines.extend(part)
    return lines


def result_entry(state: RecordState, *, mapper: Mapper = map) -> list[str]:
    """Combine ``t`` trustees' shares and decode every ballot of the last mix."""
    if len(state.decryptions) < state.threshold:
        raise RecordError(
            "result", "tally", f"{len(state.decryptions)} of {state.threshold} trustees decrypted"
        )
    trustees = sorted(state.decryptions)[: state.threshold]
    coefficients = lagrange_at_zero(trustees)
    rows = state.current
    jobs = [
        (
            rows[low : low + CHUNK],
            [
                [state.decryptions[j][i] for j in trustees]
                for i in range(low, low + CHUNK)
                if i < len(rows)
            ],
            [coefficients[j] for j in trustees],
            len(state.options),
        )
        for low in range(0, len(rows), CHUNK)
    ]
    decoded: list[list[int] | None] = []
    for part in mapper(_decode, jobs):
        decoded.extend(part)
    if any(row is None for row in decoded):
        raise RecordError("result", "tally", "a ballot decrypts to no option")
    return [_line({"kind": "result", "decoded": decoded})]


def entry_check_and_append(
    directory: Path, state: RecordState | None, kind: str, name: str, lines: list[str]
) -> ChainLink:
    """Check a new entry with the verifier's rules against ``state``; append it only if it holds.

    ``state`` is the checked record so far (``None`` for the parameters of a new record). On
    failure nothing is written and :class:`RecordError` says why.
    """
    if kind not in KINDS:
        raise RecordError("format", name, f"unknown entry kind {kind!r}")
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        scratch_path = Path(scratch)
        (scratch_path / "entries").mkdir()
        candidate = scratch_path / "entries" / f"candidate-{name}"
        candidate.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        index = 0 if state is None else _chain_length(directory)
        digest = file_sha256(candidate)
        link = ChainLink(index, kind, f"entries/candidate-{name}", digest, "", "")
        checker = state if state is not None else RecordState(scratch_path)
        previous_directory = checker.directory
        checker.directory = scratch_path
        try:
            if state is None and kind != "parameters":
                raise RecordError("order", name, "a new record starts with its parameters")
            checker.apply(link)
        finally:
            checker.directory = previous_directory
    return entry_append(directory, kind, name, lines)


def _chain_length(directory: Path) -> int:
    chain = directory / "chain.jsonl"
    if not chain.is_file():
        return 0
    with chain.open(encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())
