"""The prime-order group: edwards25519's subgroup of order ℓ, through libsodium (PyNaCl).

Every point read from outside is checked with ``crypto_core_ed25519_is_valid_point`` (canonical, on
the curve, in the prime-order subgroup, not of small order); the identity is encoded ``01 00…00``
and handled here because libsodium's multiplications refuse it. Scalars are Python integers mod ℓ
(decision 0004 says why that is not hand-written field arithmetic).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from nacl import bindings

ORDER = 2**252 + 27742317777372353535851937790883648493
IDENTITY_BYTES = b"\x01" + b"\x00" * 31


class GroupError(ValueError):
    """Raised for bytes that are not a valid element or scalar of the group."""


@dataclass(frozen=True, slots=True)
class Point:
    """An element of the prime-order subgroup, held as its 32-byte canonical encoding."""

    data: bytes

    @classmethod
    def from_bytes(cls, data: bytes) -> Point:
        """Decode and check a point read from outside (refuse anything outside the subgroup)."""
        if len(data) != 32:
            raise GroupError(f"a point is 32 bytes, not {len(data)}")
        if data == IDENTITY_BYTES:
            return IDENTITY
        if not bindings.crypto_core_ed25519_is_valid_point(data):
            raise GroupError("not a point of the prime-order subgroup")
        return cls(data)

    @classmethod
    def from_hex(cls, text: str) -> Point:
        """Decode a point from lower-case hex (as the election record writes it)."""
        try:
            raw = bytes.fromhex(text)
        except (ValueError, TypeError) as error:
            raise GroupError("a point must be 64 hexadecimal digits") from error
        return cls.from_bytes(raw)

    def hex(self) -> str:
        """Encode as lower-case hex."""
        return self.data.hex()

    @property
    def is_identity(self) -> bool:
        """Whether this is the neutral element."""
        return self.data == IDENTITY_BYTES

    def __add__(self, other: Point) -> Point:
        if self.is_identity:
            return other
        if other.is_identity:
            return self
        return Point(bindings.crypto_core_ed25519_add(self.data, other.data))

    def __sub__(self, other: Point) -> Point:
        if other.is_identity:
            return self
        if self.data == other.data:
            return IDENTITY
        if self.is_identity:
            return Point(bindings.crypto_core_ed25519_sub(IDENTITY_BYTES, other.data))
        return Point(bindings.crypto_core_ed25519_sub(self.data, other.data))

    def __mul__(self, scalar: int) -> Point:
        scalar %= ORDER
        if scalar == 0 or self.is_identity:
            return IDENTITY
        return Point(bindings.crypto_scalarmult_ed25519_noclamp(_scalar_bytes(scalar), self.data))

    __rmul__ = __mul__


IDENTITY = Point(IDENTITY_BYTES)
GENERATOR = Point(bindings.crypto_scalarmult_ed25519_base_noclamp((1).to_bytes(32, "little")))


def base_mult(scalar: int) -> Point:
    """Return ``scalar·G`` (fixed-base: five times faster than ``G * scalar``)."""
    scalar %= ORDER
    if scalar == 0:
        return IDENTITY
    return Point(bindings.crypto_scalarmult_ed25519_base_noclamp(_scalar_bytes(scalar)))


def random_scalar() -> int:
    """Draw a uniform scalar from the operating system's generator (64 bytes reduced mod ℓ)."""
    return int.from_bytes(os.urandom(64), "little") % ORDER


def hash_to_point(label: str, index: int) -> Point:
    """Derive an independent generator from a label and index (nobody knows its logarithm)."""
    digest = hashlib.sha512(f"omov/generator/{label}/{index}".encode()).digest()
    return Point(bindings.crypto_core_ed25519_from_uniform(digest[:32]))


def scalar_from_hex(text: str) -> int:
    """Decode a scalar written as 64 hex digits, little-endian, refusing values ≥ ℓ."""
    try:
        raw = bytes.fromhex(text)
    except (ValueError, TypeError) as error:
        raise GroupError("a scalar must be 64 hexadecimal digits") from error
    if len(raw) != 32:
        raise GroupError(f"a scalar is 32 bytes, not {len(raw)}")
    value = int.from_bytes(raw, "little")
    if value >= ORDER:
        raise GroupError("a scalar must be reduced modulo the group order")
    return value


def scalar_hex(value: int) -> str:
    """Encode a scalar as 64 hex digits, little-endian."""
    return _scalar_bytes(value % ORDER).hex()


def _scalar_bytes(value: int) -> bytes:
    return value.to_bytes(32, "little")
