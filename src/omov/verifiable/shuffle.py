"""A re-encryption mix with a Terelius–Wikström proof of a correct shuffle.

Follows Haenni, Locher, Koenig and Dubuis, "Pseudo-code algorithms for verifiable re-encryption
mix-nets" (FC 2017 workshops), extended to rows of ``w`` ciphertexts, and published in short form
(challenge and responses; the verifier recomputes the commitments). ``docs/election-record.md``
writes every equation out for third-party verifiers.

Output row ``i`` is input row ``π(i)`` re-encrypted. The prover commits to the permutation
(``c_{π(i)} = r_{π(i)}·G + h_i``), derives per-ballot challenges ``u_j`` from every public input,
commits to the chain ``ĉ_i = r̂_i·G + u_{π(i)}·ĉ_{i−1}`` (``ĉ_0 = h``) and proves in one sigma
protocol that the commitments open to a permutation and that the outputs are the permuted,
re-encrypted inputs.

The per-ballot work splits into chunks that ``executor`` (a process pool, or the built-in ``map``)
runs on every core; the sums and hashes stay in the calling process. Workers get and return plain
bytes and integers so they pickle cheaply.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from omov.verifiable.elgamal import Ciphertext, Row, reencrypt
from omov.verifiable.group import (
    IDENTITY,
    ORDER,
    Point,
    base_mult,
    hash_to_point,
    random_scalar,
)
from omov.verifiable.transcript import Transcript

CHUNK = 2000
"""Ballots per unit of work sent to a worker process."""

T = TypeVar("T")
Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]
"""``map`` or ``ProcessPoolExecutor.map``."""


@dataclass(frozen=True, slots=True)
class ShuffleProof:
    """The published proof: commitments ``c``, chain ``ĉ``, challenge and responses."""

    permutation_commitments: tuple[Point, ...]
    chain_commitments: tuple[Point, ...]
    challenge: int
    response_bar: int
    response_hat: int
    response_tilde: int
    response_prime_rows: tuple[int, ...]
    responses_hat: tuple[int, ...]
    responses_prime: tuple[int, ...]


def generator_h() -> Point:
    """The chain's base ``h``."""
    return hash_to_point("shuffle-h", 0)


def generator(index: int) -> Point:
    """The independent generator ``h_i`` (``index`` from 0)."""
    return hash_to_point("shuffle", index)


def _chunks(size: int) -> list[tuple[int, int]]:
    return [(low, min(low + CHUNK, size)) for low in range(0, size, CHUNK)]


def _statement_digest(
    context: bytes,
    public_key: Point,
    inputs: Sequence[Row],
    outputs: Sequence[Row],
    commitments: Sequence[Point],
) -> bytes:
    transcript = Transcript("omov/shuffle").raw(context).point(public_key)
    transcript.integer(len(inputs)).integer(len(inputs[0]) if inputs else 0)
    for rows in (inputs, outputs):
        transcript.points([point for row in rows for c in row for point in (c.alpha, c.beta)])
    transcript.points(list(commitments))
    return transcript.digest()


def _ballot_challenges(digest: bytes, size: int) -> list[int]:
    return [Transcript("omov/shuffle/u").raw(digest).integer(j).challenge() for j in range(size)]


def _final_challenge(
    digest: bytes,
    chain: Sequence[Point],
    t1: Point,
    t2: Point,
    t3: Point,
    t4: Sequence[tuple[Point, Point]],
    t_hat: Sequence[Point],
) -> int:
    transcript = Transcript("omov/shuffle/challenge").raw(digest).points(list(chain))
    transcript.point(t1).point(t2).point(t3)
    transcript.points([point for pair in t4 for point in pair])
    return transcript.points(list(t_hat)).challenge()


# --- prover ---------------------------------------------------------------------------------


def _mix_chunk(arguments: tuple[int, bytes, list[Row], list[list[int]], list[int]]) -> Any:
    low, key, sources, randomness, commitment_randomness = arguments
    public_key = Point(key)
    outputs = [
        tuple(reencrypt(public_key, c, r) for c, r in zip(row, rs, strict=True))
        for row, rs in zip(sources, randomness, strict=True)
    ]
    commitments = [
        base_mult(r) + generator(low + offset) for offset, r in enumerate(commitment_randomness)
    ]
    return outputs, commitments


def _prove_chunk(
    arguments: tuple[int, list[int], list[int], list[int], list[int], list[Row]],
) -> Any:
    low, chain_r, chain_u, omega_hat, omega_prime, outputs = arguments
    h = generator_h()
    # chain_r/chain_u hold R_{i}, U_{i} for i = low−1 … high−1 (index 0 of the list is ĉ_{low−1}).
    chain = [base_mult(r) + h * u for r, u in zip(chain_r, chain_u, strict=True)]
    t_hat = [
        base_mult(oh) + chain[offset] * op
        for offset, (oh, op) in enumerate(zip(omega_hat, omega_prime, strict=True))
    ]
    t3_part = IDENTITY
    width = len(outputs[0])
    t4_part = [(IDENTITY, IDENTITY)] * width
    for offset, (op, row) in enumerate(zip(omega_prime, outputs, strict=True)):
        t3_part = t3_part + generator(low + offset) * op
        t4_part = [
            (a + c.alpha * op, b + c.beta * op) for (a, b), c in zip(t4_part, row, strict=True)
        ]
    return chain[1:], t_hat, t3_part, t4_part


def shuffle(
    *,
    context: bytes,
    public_key: Point,
    inputs: Sequence[Row],
    permutation: Sequence[int] | None = None,
    mapper: Mapper = map,
) -> tuple[list[Row], ShuffleProof]:
    """Permute and re-encrypt ``inputs``; return the outputs and the proof.

    ``permutation[i]`` is the input row that becomes output row ``i``; a fresh random one by
    default (tests pass their own).
    """
    size = len(inputs)
    if size == 0:
        raise ValueError("there is nothing to shuffle")
    width = len(inputs[0])
    if permutation is None:
        permutation = _random_permutation(size)
    reencryption = [[random_scalar() for _ in range(width)] for _ in range(size)]
    commitment_randomness = [random_scalar() for _ in range(size)]  # r_j, by input j
    mix_jobs = [
        (
            low,
            public_key.data,
            [inputs[permutation[i]] for i in range(low, high)],
            reencryption[low:high],
            [commitment_randomness[permutation[i]] for i in range(low, high)],
        )
        for low, high in _chunks(size)
    ]
    outputs: list[Row] = []
    commitments: list[Point] = [IDENTITY] * size
    position = 0
    for chunk_outputs, chunk_commitments in mapper(_mix_chunk, mix_jobs):
        outputs.extend(chunk_outputs)
        for commitment in chunk_commitments:
            commitments[permutation[position]] = commitment
            position += 1

    digest = _statement_digest(context, public_key, inputs, outputs, commitments)
    u = _ballot_challenges(digest, size)
    u_prime = [u[permutation[i]] for i in range(size)]
    r_hat_each = [random_scalar() for _ in range(size)]
    chain_r, chain_u = [0], [1]
    for i in range(size):
        chain_r.append((r_hat_each[i] + u_prime[i] * chain_r[-1]) % ORDER)
        chain_u.append(chain_u[-1] * u_prime[i] % ORDER)
    r_bar = sum(commitment_randomness) % ORDER
    r_hat = chain_r[-1]
    r_tilde = sum(uj * rj for uj, rj in zip(u, commitment_randomness, strict=True)) % ORDER
    r_prime = [
        sum(u_prime[i] * reencryption[i][k] for i in range(size)) % ORDER for k in range(width)
    ]

    omega = [random_scalar() for _ in range(3)]
    omega_rows = [random_scalar() for _ in range(width)]
    omega_hat = [random_scalar() for _ in range(size)]
    omega_prime = [random_scalar() for _ in range(size)]
    prove_jobs = [
        (
            low,
            chain_r[low : high + 1],
            chain_u[low : high + 1],
            omega_hat[low:high],
            omega_prime[low:high],
            outputs[low:high],
        )
        for low, high in _chunks(size)
    ]
    chain: list[Point] = []
    t_hat: list[Point] = []
    t3 = base_mult(omega[2])
    t4 = [(IDENTITY - base_mult(o), IDENTITY - public_key * o) for o in omega_rows]
    for part_chain, part_t_hat, part_t3, part_t4 in mapper(_prove_chunk, prove_jobs):
        chain.extend(part_chain)
        t_hat.extend(part_t_hat)
        t3 = t3 + part_t3
        t4 = [(a + pa, b + pb) for (a, b), (pa, pb) in zip(t4, part_t4, strict=True)]
    t1, t2 = base_mult(omega[0]), base_mult(omega[1])
    challenge = _final_challenge(digest, chain, t1, t2, t3, t4, t_hat)
    proof = ShuffleProof(
        permutation_commitments=tuple(commitments),
        chain_commitments=tuple(chain),
        challenge=challenge,
        response_bar=(omega[0] + challenge * r_bar) % ORDER,
        response_hat=(omega[1] + challenge * r_hat) % ORDER,
        response_tilde=(omega[2] + challenge * r_tilde) % ORDER,
        response_prime_rows=tuple(
            (o + challenge * r) % ORDER for o, r in zip(omega_rows, r_prime, strict=True)
        ),
        responses_hat=tuple(
            (o + challenge * r) % ORDER for o, r in zip(omega_hat, r_hat_each, strict=True)
        ),
        responses_prime=tuple(
            (o + challenge * up) % ORDER for o, up in zip(omega_prime, u_prime, strict=True)
        ),
    )
    return outputs, proof


def _random_permutation(size: int) -> list[int]:
    order = list(range(size))
    for index in range(size - 1, 0, -1):
        other = secrets.randbelow(index + 1)
        order[index], order[other] = order[other], order[index]
    return order


# --- verifier -------------------------------------------------------------------------------


def _verify_chunk(
    arguments: tuple[
        int, list[Row], list[Row], list[Point], list[Point], list[int], list[int], list[int], int
    ],
) -> Any:
    low, inputs, outputs, commitments, chain_with_previous, u, s_hat, s_prime, challenge = arguments
    commitment_sum = IDENTITY
    generator_sum = IDENTITY
    weighted_commitments = IDENTITY
    weighted_generators = IDENTITY
    width = len(inputs[0])
    weighted_inputs = [(IDENTITY, IDENTITY)] * width
    weighted_outputs = [(IDENTITY, IDENTITY)] * width
    t_hat: list[Point] = []
    for offset, (row_in, row_out, commitment, uj, sh, sp) in enumerate(
        zip(inputs, outputs, commitments, u, s_hat, s_prime, strict=True)
    ):
        h_i = generator(low + offset)
        commitment_sum = commitment_sum + commitment
        generator_sum = generator_sum + h_i
        weighted_commitments = weighted_commitments + commitment * uj
        weighted_generators = weighted_generators + h_i * sp
        weighted_inputs = [
            (a + c.alpha * uj, b + c.beta * uj)
            for (a, b), c in zip(weighted_inputs, row_in, strict=True)
        ]
        weighted_outputs = [
            (a + c.alpha * sp, b + c.beta * sp)
            for (a, b), c in zip(weighted_outputs, row_out, strict=True)
        ]
        t_hat.append(
            base_mult(sh)
            + chain_with_previous[offset] * sp
            - chain_with_previous[offset + 1] * challenge
        )
    return (
        commitment_sum,
        generator_sum,
        weighted_commitments,
        weighted_generators,
        weighted_inputs,
        weighted_outputs,
        t_hat,
    )


def shuffle_verify(
    *,
    context: bytes,
    public_key: Point,
    inputs: Sequence[Row],
    outputs: Sequence[Row],
    proof: ShuffleProof,
    mapper: Mapper = map,
) -> bool:
    """Check that ``outputs`` is a re-encrypted permutation of ``inputs`` under ``proof``."""
    size = len(inputs)
    if size == 0 or len(outputs) != size:
        return False
    width = len(inputs[0])
    if any(len(row) != width for rows in (inputs, outputs) for row in rows):
        return False
    if (
        len(proof.permutation_commitments) != size
        or len(proof.chain_commitments) != size
        or len(proof.responses_hat) != size
        or len(proof.responses_prime) != size
        or len(proof.response_prime_rows) != width
    ):
        return False
    digest = _statement_digest(context, public_key, inputs, outputs, proof.permutation_commitments)
    u = _ballot_challenges(digest, size)
    chain = [generator_h(), *proof.chain_commitments]
    challenge = proof.challenge
    jobs = [
        (
            low,
            list(inputs[low:high]),
            list(outputs[low:high]),
            list(proof.permutation_commitments[low:high]),
            chain[low : high + 1],
            u[low:high],
            list(proof.responses_hat[low:high]),
            list(proof.responses_prime[low:high]),
            challenge,
        )
        for low, high in _chunks(size)
    ]
    commitment_sum = generator_sum = weighted_commitments = weighted_generators = IDENTITY
    weighted_inputs = [(IDENTITY, IDENTITY)] * width
    weighted_outputs = [(IDENTITY, IDENTITY)] * width
    t_hat: list[Point] = []
    for part in mapper(_verify_chunk, jobs):
        commitment_sum = commitment_sum + part[0]
        generator_sum = generator_sum + part[1]
        weighted_commitments = weighted_commitments + part[2]
        weighted_generators = weighted_generators + part[3]
        weighted_inputs = _add_pairs(weighted_inputs, part[4])
        weighted_outputs = _add_pairs(weighted_outputs, part[5])
        t_hat.extend(part[6])
    product_u = 1
    for value in u:
        product_u = product_u * value % ORDER
    c_bar = commitment_sum - generator_sum
    c_hat = chain[-1] - generator_h() * product_u
    t1 = base_mult(proof.response_bar) - c_bar * challenge
    t2 = base_mult(proof.response_hat) - c_hat * challenge
    t3 = base_mult(proof.response_tilde) + weighted_generators - weighted_commitments * challenge
    t4 = [
        (
            out_a - base_mult(s4) - in_a * challenge,
            out_b - public_key * s4 - in_b * challenge,
        )
        for (out_a, out_b), (in_a, in_b), s4 in zip(
            weighted_outputs, weighted_inputs, proof.response_prime_rows, strict=True
        )
    ]
    return _final_challenge(digest, proof.chain_commitments, t1, t2, t3, t4, t_hat) == challenge


def _add_pairs(
    left: Sequence[tuple[Point, Point]], right: Sequence[tuple[Point, Point]]
) -> list[tuple[Point, Point]]:
    return [(a + c, b + d) for (a, b), (c, d) in zip(left, right, strict=True)]


def rows_of(ciphertexts: Sequence[Ciphertext]) -> list[Row]:
    """Wrap single ciphertexts as rows of width one."""
    return [(c,) for c in ciphertexts]
