"""The election record on disk: an append-only, hash-chained directory (docs/election-record.md).

``DIR/chain.jsonl`` lists the entries in order; each line names an entry file under
``DIR/entries/``, its SHA-256, the previous line's hash and its own hash::

    hash = SHA-256("omov-record/1\\n" index "\\n" kind "\\n" file "\\n" file_sha256 "\\n" previous)

``DIR/HEAD`` holds the last hash. This module reads and writes the chain and parses entries into
the protocol's types; :mod:`omov.verifiable.verifier` decides whether they hold.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omov.verifiable.elgamal import Ciphertext, Row
from omov.verifiable.group import GroupError, Point, scalar_from_hex, scalar_hex

FORMAT = "omov-election-record/1"
GENESIS = "0" * 64
KINDS = (
    "parameters",
    "dealing",
    "complaint",
    "answer",
    "key",
    "ballots",
    "mix",
    "decryption",
    "result",
)


class RecordError(ValueError):
    """A record that does not hold: ``check`` names the rule, ``where`` the file and line."""

    def __init__(self, check: str, where: str, detail: str) -> None:
        super().__init__(check, where, detail)
        self.check = check
        self.where = where
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.check} check failed at {self.where}: {self.detail}"


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One line of ``chain.jsonl``."""

    index: int
    kind: str
    file: str
    file_sha256: str
    previous: str
    hash: str


def link_hash(index: int, kind: str, file: str, file_sha256: str, previous: str) -> str:
    """The hash of one chain line."""
    text = f"omov-record/1\n{index}\n{kind}\n{file}\n{file_sha256}\n{previous}"
    return hashlib.sha256(text.encode()).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def chain_read(directory: Path) -> list[ChainLink]:
    """Read and check the hash chain: every link, every file hash, and HEAD."""
    chain_path = directory / "chain.jsonl"
    if not chain_path.is_file():
        raise RecordError("chain", str(chain_path), "the record has no chain.jsonl")
    links: list[ChainLink] = []
    previous = GENESIS
    with chain_path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            where = f"chain.jsonl line {number}"
            try:
                raw = json.loads(line)
                link = ChainLink(
                    index=int(raw["index"]),
                    kind=str(raw["kind"]),
                    file=str(raw["file"]),
                    file_sha256=str(raw["file_sha256"]),
                    previous=str(raw["previous"]),
                    hash=str(raw["hash"]),
                )
            except (ValueError, KeyError, TypeError) as error:
                raise RecordError("chain", where, f"not a chain line ({error})") from error
            if link.index != number - 1:
                raise RecordError("chain", where, f"index {link.index}, expected {number - 1}")
            if link.kind not in KINDS:
                raise RecordError("chain", where, f"unknown entry kind {link.kind!r}")
            if link.previous != previous:
                raise RecordError("chain", where, "previous hash does not match the line before")
            expected = link_hash(link.index, link.kind, link.file, link.file_sha256, previous)
            if link.hash != expected:
                raise RecordError("chain", where, "the line's hash is wrong")
            entry_path = _entry_path(directory, link.file, where)
            if file_sha256(entry_path) != link.file_sha256:
                raise RecordError("chain", f"{where} ({link.file})", "the file was changed")
            links.append(link)
            previous = link.hash
    head_path = directory / "HEAD"
    if head_path.is_file() and head_path.read_text().strip() != previous:
        raise RecordError("chain", "HEAD", "HEAD does not name the last chain line")
    return links


def _entry_path(directory: Path, file: str, where: str) -> Path:
    if "/" in file.removeprefix("entries/") or not file.startswith("entries/") or ".." in file:
        raise RecordError("chain", where, f"entry file {file!r} is outside entries/")
    path = directory / file
    if not path.is_file():
        raise RecordError("chain", where, f"entry file {file} is missing")
    return path


def head(directory: Path) -> str:
    """The record's head hash (its last chain line), GENESIS for an empty record."""
    chain_path = directory / "chain.jsonl"
    if not chain_path.is_file():
        return GENESIS
    last = GENESIS
    with chain_path.open(encoding="utf-8") as handle:
        for line in handle:
            last = json.loads(line)["hash"]
    return last


def entry_append(directory: Path, kind: str, name: str, lines: list[str]) -> ChainLink:
    """Write one entry file and add it to the chain (the caller has checked it).

    ``lines`` are JSON texts, one per line; a JSON entry is one line. The file is written to a
    temporary name and renamed, then the chain line appended, so a crash leaves the chain intact.
    """
    entries = directory / "entries"
    entries.mkdir(parents=True, exist_ok=True)
    links = _links_unchecked(directory)
    index = len(links)
    previous = links[-1].hash if links else GENESIS
    suffix = "jsonl" if kind in ("ballots", "mix", "decryption") else "json"
    file = f"entries/{index:04d}-{name}.{suffix}"
    target = directory / file
    temporary = target.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
    os.replace(temporary, target)
    digest = file_sha256(target)
    link = ChainLink(
        index, kind, file, digest, previous, link_hash(index, kind, file, digest, previous)
    )
    with (directory / "chain.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(link_to_json(link), sort_keys=True) + "\n")
    (directory / "HEAD").write_text(link.hash + "\n")
    return link


def link_to_json(link: ChainLink) -> dict[str, Any]:
    """A chain line as JSON."""
    return {
        "index": link.index,
        "kind": link.kind,
        "file": link.file,
        "file_sha256": link.file_sha256,
        "previous": link.previous,
        "hash": link.hash,
    }


def _links_unchecked(directory: Path) -> list[ChainLink]:
    chain_path = directory / "chain.jsonl"
    if not chain_path.is_file():
        return []
    with chain_path.open(encoding="utf-8") as handle:
        return [ChainLink(**json.loads(line)) for line in handle if line.strip()]


def parameters_context(directory: Path, link: ChainLink) -> bytes:
    """The election's context: SHA-512 of the parameters file's bytes (every proof hashes it)."""
    return hashlib.sha512((directory / link.file).read_bytes()).digest()


# --- encoding ------------------------------------------------------------------------------


def tracker(row: Row) -> str:
    """A ballot's tracker: SHA-256 of "omov-tracker/1" and its ciphertexts' bytes."""
    digest = hashlib.sha256(b"omov-tracker/1")
    for ciphertext in row:
        digest.update(ciphertext.to_bytes())
    return digest.hexdigest()


def row_to_json(row: Row) -> list[list[str]]:
    """A row of ciphertexts as ``[[alpha, beta], …]`` in hex."""
    return [[c.alpha.hex(), c.beta.hex()] for c in row]


def row_from_json(value: Any, width: int) -> Row:
    """Parse and check a row of ``width`` ciphertexts (every point in the subgroup)."""
    if not isinstance(value, list) or len(value) != width:
        raise GroupError(f"expected {width} ciphertext(s)")
    row = []
    for pair in value:
        if not isinstance(pair, list) or len(pair) != 2:
            raise GroupError("a ciphertext is a pair [alpha, beta]")
        row.append(Ciphertext(Point.from_hex(pair[0]), Point.from_hex(pair[1])))
    return tuple(row)


def point_from_json(value: Any) -> Point:
    """Parse a point written in hex."""
    if not isinstance(value, str):
        raise GroupError("a point is written as a hex string")
    return Point.from_hex(value)


def scalar_from_json(value: Any) -> int:
    """Parse a scalar written in hex."""
    if not isinstance(value, str):
        raise GroupError("a scalar is written as a hex string")
    return scalar_from_hex(value)


__all__ = ["scalar_hex"]
