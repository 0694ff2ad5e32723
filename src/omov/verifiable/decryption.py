"""Threshold decryption: each trustee's share with a Chaum–Pedersen proof; Lagrange at zero."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from omov.verifiable.elgamal import Ciphertext
from omov.verifiable.group import IDENTITY, ORDER, Point
from omov.verifiable.proofs import ChaumPedersenProof, chaum_pedersen_prove, chaum_pedersen_verify


@dataclass(frozen=True, slots=True)
class DecryptionShare:
    """``share = x_j·alpha`` for one ciphertext, with its proof."""

    share: Point
    proof: ChaumPedersenProof


def decryption_share_make(
    *, context: bytes, secret: int, ciphertext: Ciphertext
) -> DecryptionShare:
    """Compute and prove trustee's share of the decryption of ``ciphertext``."""
    return DecryptionShare(
        ciphertext.alpha * secret,
        chaum_pedersen_prove(context=context, secret=secret, base=ciphertext.alpha),
    )


def decryption_share_verify(
    *, context: bytes, verification_key: Point, ciphertext: Ciphertext, share: DecryptionShare
) -> bool:
    """Check a share against the trustee's verification key ``x_j·G``."""
    return chaum_pedersen_verify(
        context=context,
        key=verification_key,
        base=ciphertext.alpha,
        result=share.share,
        proof=share.proof,
    )


def lagrange_at_zero(indices: list[int]) -> dict[int, int]:
    """Lagrange coefficients at 0 for the distinct trustee numbers ``indices``."""
    if len(set(indices)) != len(indices) or any(index <= 0 for index in indices):
        raise ValueError("trustee numbers must be distinct and positive")
    coefficients: dict[int, int] = {}
    for j in indices:
        numerator, denominator = 1, 1
        for m in indices:
            if m != j:
                numerator = numerator * m % ORDER
                denominator = denominator * (m - j) % ORDER
        coefficients[j] = numerator * pow(denominator, -1, ORDER) % ORDER
    return coefficients


def combine(ciphertext: Ciphertext, shares: Mapping[int, Point]) -> Point:
    """Recover the message point from ``t`` shares: ``beta − Σ λ_j·D_j``."""
    coefficients = lagrange_at_zero(sorted(shares))
    total = IDENTITY
    for index, share in shares.items():
        total = total + share * coefficients[index]
    return ciphertext.beta - total
