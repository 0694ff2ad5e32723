"""ElGamal encryption in the exponent, with re-encryption (the shuffle's step) and decryption.

A ciphertext of choice ``k`` is ``(r·G, (k+1)·G + r·Y)``: ``k+1`` so no choice is the identity.
"""

from __future__ import annotations

from dataclasses import dataclass

from omov.verifiable.group import GENERATOR, Point, base_mult, random_scalar


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """One ElGamal pair: ``alpha = r·G`` and ``beta = M + r·Y``."""

    alpha: Point
    beta: Point

    def __add__(self, other: Ciphertext) -> Ciphertext:
        return Ciphertext(self.alpha + other.alpha, self.beta + other.beta)

    def __mul__(self, scalar: int) -> Ciphertext:
        return Ciphertext(self.alpha * scalar, self.beta * scalar)

    def to_bytes(self) -> bytes:
        """The 64 bytes that trackers and transcripts hash."""
        return self.alpha.data + self.beta.data


Row = tuple[Ciphertext, ...]
"""A ballot: one ciphertext, or one per rank (the record's ``width``)."""


def encode_choice(index: int) -> Point:
    """Return the message point of the option at ``index`` (0-based)."""
    if index < 0:
        raise ValueError("an option index is never negative")
    return base_mult(index + 1)


def encrypt(public_key: Point, index: int, randomness: int | None = None) -> Ciphertext:
    """Encrypt the option at ``index`` to ``public_key``."""
    r = random_scalar() if randomness is None else randomness
    return Ciphertext(base_mult(r), encode_choice(index) + public_key * r)


def reencrypt(public_key: Point, ciphertext: Ciphertext, randomness: int) -> Ciphertext:
    """Add an encryption of nothing: the same content, unlinkable without ``randomness``."""
    return Ciphertext(
        ciphertext.alpha + base_mult(randomness), ciphertext.beta + public_key * randomness
    )


def decrypt(secret_key: int, ciphertext: Ciphertext) -> Point:
    """Recover the message point with the whole secret key (tests and single-key use only)."""
    return ciphertext.beta - ciphertext.alpha * secret_key


def decode_table(option_count: int) -> dict[bytes, int]:
    """Map each option's message point to its index, for decoding by look-up."""
    table: dict[bytes, int] = {}
    point = GENERATOR
    for index in range(option_count):
        table[point.data] = index
        point = point + GENERATOR
    return table
