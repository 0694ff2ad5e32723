"""Schnorr proofs of knowledge and Chaum–Pedersen proofs of equal logarithms (Fiat–Shamir).

Proofs are published in their short form, ``(challenge, response)``: the verifier recomputes the
prover's commitments and checks that they hash to the challenge. Each proof is bound to a
``context`` (the election's parameter hash) and to every public input of its statement, so it cannot
be replayed in another election or for another statement.
"""

from __future__ import annotations

from dataclasses import dataclass

from omov.verifiable.group import GENERATOR, ORDER, Point, base_mult, random_scalar
from omov.verifiable.transcript import Transcript


@dataclass(frozen=True, slots=True)
class SchnorrProof:
    """Proof of knowledge of ``x`` with ``X = x·G``."""

    challenge: int
    response: int


@dataclass(frozen=True, slots=True)
class ChaumPedersenProof:
    """Proof that ``log_G X = log_A D`` without revealing it."""

    challenge: int
    response: int


def _schnorr_challenge(context: bytes, statement: Point, commitment: Point, label: str) -> int:
    transcript = Transcript("omov/schnorr").raw(context).text(label)
    return transcript.point(GENERATOR).point(statement).point(commitment).challenge()


def schnorr_prove(*, context: bytes, secret: int, label: str) -> SchnorrProof:
    """Prove knowledge of ``secret`` for ``secret·G``; ``label`` names the prover (a trustee)."""
    nonce = random_scalar()
    challenge = _schnorr_challenge(context, base_mult(secret), base_mult(nonce), label)
    return SchnorrProof(challenge, (nonce + challenge * secret) % ORDER)


def schnorr_verify(*, context: bytes, statement: Point, proof: SchnorrProof, label: str) -> bool:
    """Check a Schnorr proof for ``statement``."""
    commitment = base_mult(proof.response) - statement * proof.challenge
    return _schnorr_challenge(context, statement, commitment, label) == proof.challenge


def _chaum_pedersen_challenge(
    context: bytes, key: Point, base: Point, result: Point, commitments: tuple[Point, Point]
) -> int:
    transcript = Transcript("omov/chaum-pedersen").raw(context)
    transcript.point(GENERATOR).point(key).point(base).point(result)
    return transcript.point(commitments[0]).point(commitments[1]).challenge()


def chaum_pedersen_prove(*, context: bytes, secret: int, base: Point) -> ChaumPedersenProof:
    """Prove ``secret·base`` was made with the logarithm of ``secret·G`` (a decryption share)."""
    nonce = random_scalar()
    commitments = (base_mult(nonce), base * nonce)
    challenge = _chaum_pedersen_challenge(
        context, base_mult(secret), base, base * secret, commitments
    )
    return ChaumPedersenProof(challenge, (nonce + challenge * secret) % ORDER)


def chaum_pedersen_verify(
    *, context: bytes, key: Point, base: Point, result: Point, proof: ChaumPedersenProof
) -> bool:
    """Check that ``log_G key = log_base result``."""
    commitments = (
        base_mult(proof.response) - key * proof.challenge,
        base * proof.response - result * proof.challenge,
    )
    return _chaum_pedersen_challenge(context, key, base, result, commitments) == proof.challenge
