"""Check an election record entry by entry; the same checks guard every append.

:class:`RecordState` holds what the entries so far establish (parameters, keys, the current list of
ciphertexts). ``apply`` checks one more entry against it and raises :class:`RecordError` naming the
check, the entry file and line, and what is wrong. ``omov verify`` applies every entry of a record;
``omov record append`` applies the new one before it is written, so nothing already in the record
changes and nothing bad is added.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omov.verifiable import dkg
from omov.verifiable.decryption import DecryptionShare, decryption_share_verify, lagrange_at_zero
from omov.verifiable.elgamal import Ciphertext, Row, decode_table
from omov.verifiable.group import IDENTITY, GroupError, Point
from omov.verifiable.proofs import ChaumPedersenProof, SchnorrProof
from omov.verifiable.record import (
    FORMAT,
    ChainLink,
    RecordError,
    chain_read,
    parameters_context,
    point_from_json,
    row_from_json,
    scalar_from_json,
    tracker,
)
from omov.verifiable.shuffle import CHUNK, Mapper, ShuffleProof, shuffle_verify

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Trustee:
    """A trustee as the parameters name them."""

    number: int
    name: str
    communication_key: bytes


class RecordState:
    """What the record's entries so far establish."""

    def __init__(self, directory: Path, *, mapper: Mapper = map, progress: Progress = _quiet):
        self.directory = directory
        self.mapper = mapper
        self.progress = progress
        self.context = b""
        self.parameters: dict[str, Any] = {}
        self.threshold = 0
        self.width = 1
        self.mixes_required = 2
        self.options: list[Any] = []
        self.trustees: dict[int, Trustee] = {}
        self.dealings: dict[int, dkg.Dealing] = {}
        self.complaints: list[tuple[int, int]] = []
        self.answers: dict[tuple[int, int], int] = {}
        self.public_key: Point | None = None
        self.qualified: set[int] = set()
        self.verification_keys: dict[int, Point] = {}
        self.ballot_count = 0
        self.ballots_by_channel: Counter[str] = Counter()
        self.trackers: set[str] = set()
        self.current: list[Row] = []
        self.mixers: list[int] = []
        self.decryptions: dict[int, list[list[Point]]] = {}
        self.decoded: list[list[int]] | None = None

    # --- loading ----------------------------------------------------------------------------

    @classmethod
    def load(
        cls, directory: Path, *, mapper: Mapper = map, progress: Progress = _quiet
    ) -> RecordState:
        """Check the chain and every entry of the record at ``directory``."""
        links = chain_read(directory)
        progress(f"hash chain holds: {len(links)} entries")
        state = cls(directory, mapper=mapper, progress=progress)
        for link in links:
            progress(f"entry {link.index + 1}/{len(links)}: {link.kind} ({link.file})")
            state.apply(link)
        return state

    def apply(self, link: ChainLink) -> None:
        """Check one entry against the state and take it in."""
        if link.index == 0 and link.kind != "parameters":
            raise RecordError("order", link.file, "the first entry must be the parameters")
        if link.index > 0 and link.kind == "parameters":
            raise RecordError("order", link.file, "the parameters come once, first")
        handler: Callable[[ChainLink], None] = getattr(self, f"_apply_{link.kind}")
        handler(link)

    def _json(self, link: ChainLink) -> dict[str, Any]:
        try:
            value = json.loads((self.directory / link.file).read_text(encoding="utf-8"))
        except ValueError as error:
            raise RecordError("format", link.file, f"not JSON ({error})") from error
        if not isinstance(value, dict):
            raise RecordError("format", link.file, "an entry is a JSON object")
        if value.get("kind") != link.kind:
            raise RecordError("format", link.file, f"the entry's kind is not {link.kind!r}")
        return value

    def _lines(self, link: ChainLink) -> tuple[dict[str, Any], EntryLines]:
        path = self.directory / link.file
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
        if not first.strip():
            raise RecordError("format", link.file, "the entry is empty")
        try:
            header = json.loads(first)
        except ValueError as error:
            raise RecordError("format", f"{link.file} line 1", f"not JSON ({error})") from error
        if not isinstance(header, dict) or header.get("kind") != link.kind:
            raise RecordError("format", f"{link.file} line 1", f"the kind is not {link.kind!r}")
        count = header.get("count")
        if not isinstance(count, int) or count < 0:
            raise RecordError("format", f"{link.file} line 1", "the header has no count")
        return header, EntryLines(path, link.file, count)

    # --- the key ceremony -------------------------------------------------------------------

    def _apply_parameters(self, link: ChainLink) -> None:
        value = self._json(link)
        where = link.file
        try:
            if value["format"] != FORMAT:
                raise RecordError("parameters", where, f"format is not {FORMAT}")
            if value["group"] != "edwards25519":
                raise RecordError("parameters", where, "group must be edwards25519")
            self.threshold = int(value["threshold"])
            self.width = int(value["width"])
            self.mixes_required = int(value["mixes_required"])
            self.options = list(value["options"])
            for raw in value["trustees"]:
                trustee = Trustee(
                    int(raw["number"]), str(raw["name"]), bytes.fromhex(raw["communication_key"])
                )
                if trustee.number in self.trustees or trustee.number < 1:
                    raise RecordError("parameters", where, f"trustee number {trustee.number}")
                self.trustees[trustee.number] = trustee
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, RecordError):
                raise
            raise RecordError("parameters", where, f"missing or bad field ({error})") from error
        if not 1 <= self.threshold <= len(self.trustees):
            raise RecordError("parameters", where, "the threshold must be between 1 and n")
        if self.width < 1 or not self.options or self.mixes_required < 1:
            raise RecordError("parameters", where, "width, options and mixes must be positive")
        self.parameters = value
        self.context = parameters_context(self.directory, link)

    def _trustee_number(self, value: Any, link: ChainLink, check: str) -> int:
        if not isinstance(value, int) or value not in self.trustees:
            raise RecordError(check, link.file, f"{value!r} is not a trustee of this election")
        return value

    def _apply_dealing(self, link: ChainLink) -> None:
        if self.public_key is not None:
            raise RecordError("order", link.file, "a dealing after the joint key")
        value = self._json(link)
        dealer = self._trustee_number(value.get("dealer"), link, "dealing")
        if dealer in self.dealings:
            raise RecordError("dealing", link.file, f"trustee {dealer} has dealt already")
        try:
            dealing = dkg.Dealing(
                dealer=dealer,
                commitments=tuple(point_from_json(c) for c in value["commitments"]),
                proof=SchnorrProof(
                    scalar_from_json(value["proof"]["challenge"]),
                    scalar_from_json(value["proof"]["response"]),
                ),
                sealed_shares={int(j): bytes.fromhex(s) for j, s in value["shares"].items()},
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RecordError("dealing", link.file, f"missing or bad field ({error})") from error
        if set(dealing.sealed_shares) != set(self.trustees):
            raise RecordError("dealing", link.file, "there must be one sealed share per trustee")
        if not dkg.dealing_is_well_formed(
            context=self.context, dealing=dealing, threshold=self.threshold
        ):
            raise RecordError(
                "dealing proof", link.file, f"trustee {dealer}'s commitments or proof do not hold"
            )
        self.dealings[dealer] = dealing

    def _apply_complaint(self, link: ChainLink) -> None:
        if self.public_key is not None:
            raise RecordError("order", link.file, "a complaint after the joint key")
        value = self._json(link)
        dealer = self._trustee_number(value.get("dealer"), link, "complaint")
        recipient = self._trustee_number(value.get("recipient"), link, "complaint")
        if dealer not in self.dealings:
            raise RecordError("complaint", link.file, f"trustee {dealer} has not dealt")
        self.complaints.append((dealer, recipient))

    def _apply_answer(self, link: ChainLink) -> None:
        if self.public_key is not None:
            raise RecordError("order", link.file, "an answer after the joint key")
        value = self._json(link)
        dealer = self._trustee_number(value.get("dealer"), link, "answer")
        recipient = self._trustee_number(value.get("recipient"), link, "answer")
        if (dealer, recipient) not in self.complaints:
            raise RecordError("answer", link.file, "answers no complaint")
        try:
            self.answers[(dealer, recipient)] = scalar_from_json(value.get("share"))
        except GroupError as error:
            raise RecordError("answer", link.file, str(error)) from error

    def _apply_key(self, link: ChainLink) -> None:
        if self.public_key is not None:
            raise RecordError("order", link.file, "the joint key comes once")
        value = self._json(link)
        qualified = dkg.qualified_dealers(
            dealings=self.dealings, complaints=self.complaints, answers=self.answers
        )
        if len(qualified) < self.threshold:
            raise RecordError("key", link.file, f"only {len(qualified)} dealers are qualified")
        public_key = dkg.joint_public_key(self.dealings, qualified)
        keys = {j: dkg.verification_key(self.dealings, qualified, j) for j in self.trustees}
        try:
            stated_qualified = {int(j) for j in value["qualified"]}
            stated_key = point_from_json(value["public_key"])
            stated_keys = {
                int(j): point_from_json(k) for j, k in value["verification_keys"].items()
            }
        except (KeyError, TypeError, ValueError) as error:
            raise RecordError("key", link.file, f"missing or bad field ({error})") from error
        if stated_qualified != qualified:
            raise RecordError("key", link.file, f"the qualified dealers are {sorted(qualified)}")
        if stated_key != public_key:
            raise RecordError("key", link.file, "the joint key is not the qualified dealers' sum")
        if stated_keys != keys:
            raise RecordError("key", link.file, "a verification key does not follow the dealings")
        self.qualified, self.public_key, self.verification_keys = qualified, public_key, keys

    # --- ballots and mixes ------------------------------------------------------------------

    def _apply_ballots(self, link: ChainLink) -> None:
        if self.public_key is None:
            raise RecordError("order", link.file, "ballots before the joint key")
        if self.mixers:
            raise RecordError("order", link.file, "ballots after the first mix")
        header, lines = self._lines(link)
        channel = header.get("channel")
        if channel not in ("online", "paper"):
            raise RecordError("ballots", f"{link.file} line 1", "channel is online or paper")
        jobs = ((link.file, low + 2, block, self.width) for low, block in lines.chunks())
        for rows, trackers in self.mapper(_parse_ballots, jobs):
            for offset, mark in enumerate(trackers):
                if mark in self.trackers:
                    where = f"{link.file} ballot {len(self.current) + offset + 1}"
                    raise RecordError("ballot", where, f"tracker {mark} appears twice")
                self.trackers.add(mark)
            self.current.extend(rows)
            self.progress(f"  {len(self.current):,} ballots read")
        self.ballot_count += len(lines)
        self.ballots_by_channel[channel] += len(lines)

    def _apply_mix(self, link: ChainLink) -> None:
        if not self.current:
            raise RecordError("order", link.file, "a mix with no ballots to mix")
        if self.decryptions:
            raise RecordError("order", link.file, "a mix after decryption began")
        header, lines = self._lines(link)
        mixer = self._trustee_number(header.get("mixer"), link, "mix")
        if mixer not in self.qualified or mixer in self.mixers:
            raise RecordError("mix", link.file, f"trustee {mixer} may not mix (again)")
        if len(lines) != len(self.current):
            raise RecordError(
                "mix",
                link.file,
                f"{len(lines)} ballots out, {len(self.current)} in: a ballot was dropped or added",
            )
        jobs = ((link.file, low + 2, block, self.width) for low, block in lines.chunks())
        outputs: list[Row] = []
        columns: list[list[Any]] = [[], [], [], []]
        for rows, commitments, chain, s_hat, s_prime in self.mapper(_parse_mix, jobs):
            outputs.extend(rows)
            for column, part in zip(columns, (commitments, chain, s_hat, s_prime), strict=True):
                column.extend(part)
        try:
            proof = ShuffleProof(
                permutation_commitments=tuple(columns[0]),
                chain_commitments=tuple(columns[1]),
                challenge=scalar_from_json(header["challenge"]),
                response_bar=scalar_from_json(header["response_bar"]),
                response_hat=scalar_from_json(header["response_hat"]),
                response_tilde=scalar_from_json(header["response_tilde"]),
                response_prime_rows=tuple(scalar_from_json(s) for s in header["response_rows"]),
                responses_hat=tuple(columns[2]),
                responses_prime=tuple(columns[3]),
            )
        except (KeyError, TypeError, GroupError) as error:
            raise RecordError("mix", f"{link.file} line 1", f"bad proof field ({error})") from error
        self.progress(f"  checking the shuffle proof of trustee {mixer} ({len(lines):,} ballots)")
        assert self.public_key is not None
        if not shuffle_verify(
            context=self.context,
            public_key=self.public_key,
            inputs=self.current,
            outputs=outputs,
            proof=proof,
            mapper=self.mapper,
        ):
            raise RecordError(
                "shuffle proof",
                link.file,
                f"trustee {mixer}'s output is not proven a re-encrypted permutation of its input",
            )
        self.current = outputs
        self.mixers.append(mixer)

    # --- decryption and the result ----------------------------------------------------------

    def _apply_decryption(self, link: ChainLink) -> None:
        if len(self.mixers) < self.mixes_required:
            raise RecordError("order", link.file, f"decryption before {self.mixes_required} mixes")
        if self.decoded is not None:
            raise RecordError("order", link.file, "decryption after the result")
        header, lines = self._lines(link)
        trustee = header.get("trustee")
        if not isinstance(trustee, int) or trustee not in self.qualified:
            raise RecordError(
                "decryption", link.file, f"{trustee!r} is not a qualified trustee of this election"
            )
        if trustee in self.decryptions:
            raise RecordError("decryption", link.file, f"trustee {trustee} has decrypted already")
        if len(lines) != len(self.current):
            raise RecordError(
                "decryption", link.file, f"{len(lines)} shares for {len(self.current)} ballots"
            )
        key = self.verification_keys[trustee]
        jobs = (
            (
                link.file,
                low + 2,
                block,
                self.current[low : low + len(block)],
                self.context,
                key.data,
            )
            for low, block in lines.chunks()
        )
        shares: list[list[Point]] = []
        for part in self.mapper(_check_decryption, jobs):
            shares.extend(part)
            self.progress(f"  {len(shares):,} decryption shares of trustee {trustee} checked")
        self.decryptions[trustee] = shares

    def _apply_result(self, link: ChainLink) -> None:
        if self.decoded is not None:
            raise RecordError("order", link.file, "the result comes once")
        if len(self.decryptions) < self.threshold:
            raise RecordError(
                "result",
                link.file,
                f"{len(self.decryptions)} trustees decrypted; {self.threshold} are needed",
            )
        value = self._json(link)
        trustees = sorted(self.decryptions)[: self.threshold]
        coefficients = lagrange_at_zero(trustees)
        jobs = [
            (
                self.current[low:high],
                [[self.decryptions[j][i] for j in trustees] for i in range(low, high)],
                [coefficients[j] for j in trustees],
                len(self.options),
            )
            for low, high in _chunks(len(self.current))
        ]
        decoded: list[list[int]] = []
        for part in self.mapper(_decode, jobs):
            for offset, row in enumerate(part):
                if row is None:
                    where = f"{link.file}, ballot {len(decoded) + offset + 1} after the last mix"
                    raise RecordError("result", where, "the ballot decrypts to no option")
            decoded.extend(part)
        stated = value.get("decoded")
        if stated != decoded:
            first = next(
                (i for i, (a, b) in enumerate(zip(stated or [], decoded, strict=False)) if a != b),
                min(len(stated or []), len(decoded)),
            )
            raise RecordError(
                "result", link.file, f"decoded ballot {first + 1} differs from the decryption"
            )
        self.decoded = decoded


class EntryLines:
    """The lines after an entry's header, read a chunk at a time (the record may be large).

    ``len`` is the header's count; reading checks that the file has exactly that many lines.
    """

    def __init__(self, path: Path, file: str, count: int) -> None:
        self.path, self.file, self.count = path, file, count

    def __len__(self) -> int:
        return self.count

    def chunks(self) -> Iterator[tuple[int, list[str]]]:
        """Yield ``(index of the first line, lines)`` in chunks of ``CHUNK``."""
        read = 0
        with self.path.open(encoding="utf-8") as handle:
            handle.readline()
            while True:
                block = list(itertools.islice(handle, CHUNK))
                if not block:
                    break
                if read + len(block) > self.count:
                    break
                yield read, [line.rstrip("\n") for line in block]
                read += len(block)
            extra = handle.readline() if read == self.count else ""
        if read != self.count or extra:
            raise RecordError(
                "format", f"{self.file} line 1", "the header's count is not the number of lines"
            )


def _chunks(size: int) -> list[tuple[int, int]]:
    return [(low, min(low + CHUNK, size)) for low in range(0, size, CHUNK)]


def _line_json(file: str, number: int, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as error:
        raise RecordError("format", f"{file} line {number}", f"not JSON ({error})") from error
    if not isinstance(value, dict):
        raise RecordError("format", f"{file} line {number}", "a line is a JSON object")
    return value


def _parse_ballots(arguments: tuple[str, int, list[str], int]) -> tuple[list[Row], list[str]]:
    file, first, lines, width = arguments
    rows: list[Row] = []
    trackers: list[str] = []
    for number, text in enumerate(lines, start=first):
        value = _line_json(file, number, text)
        where = f"{file} line {number} (ballot {number - 1})"
        try:
            row = row_from_json(value.get("ciphertexts"), width)
        except GroupError as error:
            raise RecordError("ballot", where, f"the ciphertext is not valid: {error}") from error
        mark = tracker(row)
        if value.get("tracker") != mark:
            raise RecordError("ballot", where, "the tracker is not the hash of the ciphertext")
        rows.append(row)
        trackers.append(mark)
    return rows, trackers


def _parse_mix(arguments: tuple[str, int, list[str], int]) -> Any:
    file, first, lines, width = arguments
    rows: list[Row] = []
    commitments, chain, s_hat, s_prime = [], [], [], []
    for number, text in enumerate(lines, start=first):
        value = _line_json(file, number, text)
        try:
            rows.append(row_from_json(value.get("ciphertexts"), width))
            commitments.append(point_from_json(value.get("c")))
            chain.append(point_from_json(value.get("chain")))
            s_hat.append(scalar_from_json(value.get("s_hat")))
            s_prime.append(scalar_from_json(value.get("s_prime")))
        except GroupError as error:
            raise RecordError("mix", f"{file} line {number}", str(error)) from error
    return rows, commitments, chain, s_hat, s_prime


def _check_decryption(
    arguments: tuple[str, int, list[str], list[Row], bytes, bytes],
) -> list[list[Point]]:
    file, first, lines, rows, context, key_data = arguments
    key = Point(key_data)
    shares: list[list[Point]] = []
    for number, (text, row) in enumerate(zip(lines, rows, strict=True), start=first):
        where = f"{file} line {number} (ballot {number - 1} after the last mix)"
        value = _line_json(file, number, text)
        raw = value.get("shares")
        if not isinstance(raw, list) or len(raw) != len(row):
            raise RecordError("decryption", where, f"expected {len(row)} share(s)")
        row_shares = []
        for item, ciphertext in zip(raw, row, strict=True):
            try:
                share = DecryptionShare(
                    point_from_json(item[0]),
                    ChaumPedersenProof(scalar_from_json(item[1]), scalar_from_json(item[2])),
                )
            except (GroupError, IndexError, TypeError, KeyError) as error:
                raise RecordError("decryption", where, f"bad share ({error})") from error
            if not decryption_share_verify(
                context=context, verification_key=key, ciphertext=ciphertext, share=share
            ):
                raise RecordError("decryption proof", where, "the share's proof does not hold")
            row_shares.append(share.share)
        shares.append(row_shares)
    return shares


def _decode(
    arguments: tuple[list[Row], list[list[list[Point]]], list[int], int],
) -> list[list[int] | None]:
    rows, shares, coefficients, option_count = arguments
    table = decode_table(option_count)
    decoded: list[list[int] | None] = []
    for row, row_shares in zip(rows, shares, strict=True):
        indices: list[int] | None = []
        for column, ciphertext in enumerate(row):
            total = IDENTITY
            for trustee_shares, coefficient in zip(row_shares, coefficients, strict=True):
                total = total + trustee_shares[column] * coefficient
            index = table.get((ciphertext.beta - total).data)
            if index is None or indices is None:
                indices = None
                break
            indices.append(index)
        decoded.append(indices)
    return decoded


def combine_row(row: Row, shares: list[list[Point]], coefficients: list[int]) -> list[Point]:
    """Combine trustees' shares of one row into message points (used by the tally command)."""
    points = []
    for column, ciphertext in enumerate(row):
        total = IDENTITY
        for trustee_shares, coefficient in zip(shares, coefficients, strict=True):
            total = total + trustee_shares[column] * coefficient
        points.append(ciphertext.beta - total)
    return points


__all__ = ["Ciphertext", "RecordError", "RecordState"]
