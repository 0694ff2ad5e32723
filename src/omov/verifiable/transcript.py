"""Strong Fiat–Shamir: a challenge is a hash of a label and *every* public input of the statement.

Each item is written as a one-byte tag, an eight-byte big-endian length and its bytes, so no two
different sequences of inputs hash alike. Points are their 32-byte encodings, scalars 32 bytes
little-endian, integers and text their decimal/UTF-8 bytes.
"""

from __future__ import annotations

import hashlib

from omov.verifiable.group import ORDER, Point


class Transcript:
    """Accumulate public inputs, then derive challenges from all of them."""

    def __init__(self, label: str) -> None:
        self._hash = hashlib.sha512()
        self.text(label)

    def _item(self, tag: bytes, data: bytes) -> None:
        self._hash.update(tag + len(data).to_bytes(8, "big") + data)

    def text(self, value: str) -> Transcript:
        """Add a label or identifier."""
        self._item(b"t", value.encode())
        return self

    def integer(self, value: int) -> Transcript:
        """Add a non-negative integer (a count or an index)."""
        self._item(b"i", str(value).encode())
        return self

    def raw(self, value: bytes) -> Transcript:
        """Add bytes (a hash of earlier inputs)."""
        self._item(b"b", value)
        return self

    def point(self, value: Point) -> Transcript:
        """Add one group element."""
        self._item(b"p", value.data)
        return self

    def points(self, values: list[Point] | tuple[Point, ...]) -> Transcript:
        """Add a sequence of group elements, with its length."""
        self.integer(len(values))
        self._hash.update(b"".join(value.data for value in values))
        return self

    def scalar(self, value: int) -> Transcript:
        """Add a scalar."""
        self._item(b"s", (value % ORDER).to_bytes(32, "little"))
        return self

    def digest(self) -> bytes:
        """Return the hash of everything added so far (the transcript can go on)."""
        return self._hash.copy().digest()

    def challenge(self) -> int:
        """Derive a challenge scalar from everything added so far."""
        return int.from_bytes(self.digest(), "little") % ORDER
