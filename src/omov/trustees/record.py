"""The record's rows as the directory layout of ``docs/election-record.md``, and back to checks.

The checks are ``omov.verifiable``'s own (``RecordState``, ``entry_check_and_append``), which read
a directory: the rows are written to a temporary one, checked there, and the new entry's file and
chain line read back into a row (decision 0017). The services keep the checked state between
appends (``services._CHECKED``), so the ballots, mixes and decryptions of a large record are
checked once each, not again at every append.
"""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from omov.trustees.models import ElectionRecord, RecordEntry
from omov.verifiable.record import ChainLink, link_to_json
from omov.verifiable.verifier import RecordState

#: The directory the downloads unpack to.
ARCHIVE_FOLDER = "record"


def _link(entry: RecordEntry) -> ChainLink:
    return ChainLink(
        entry.index, entry.kind, entry.file, entry.file_sha256, entry.previous, entry.hash
    )


def record_files(entries: Iterable[RecordEntry]) -> Iterator[tuple[str, bytes]]:
    """Yield every file of the directory layout as (relative path, bytes): entries, chain, HEAD."""
    chain = io.StringIO()
    last = None
    for entry in entries:
        yield entry.file, bytes(entry.content)
        chain.write(json.dumps(link_to_json(_link(entry)), sort_keys=True) + "\n")
        last = entry.hash
    yield "chain.jsonl", chain.getvalue().encode()
    if last is not None:
        yield "HEAD", (last + "\n").encode()


def record_write(record: ElectionRecord, directory: Path) -> int:
    """Write the record's directory layout into ``directory`` (empty or new); return the entries."""
    entries = list(record.entries.order_by("index"))
    for name, content in record_files(entries):
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (directory / "entries").mkdir(parents=True, exist_ok=True)
    return len(entries)


def record_chain_write(record: ElectionRecord, directory: Path) -> int:
    """Write only ``chain.jsonl`` and ``HEAD`` (no entry file) into ``directory``; return the
    entries. Enough to append after a state checked and kept before (decision 0017)."""
    entries = list(record.entries.defer("content").order_by("index"))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "entries").mkdir(exist_ok=True)
    lines = "".join(json.dumps(link_to_json(_link(e)), sort_keys=True) + "\n" for e in entries)
    (directory / "chain.jsonl").write_text(lines, encoding="utf-8")
    if entries:
        (directory / "HEAD").write_text(entries[-1].hash + "\n", encoding="utf-8")
    return len(entries)


@contextlib.contextmanager
def record_checked(record: ElectionRecord) -> Iterator[tuple[Path, RecordState | None]]:
    """Write the record to a temporary directory and check all of it; yield the directory and state.

    The state is ``None`` for a record with no entry yet. A row changed in the database fails
    here (its file hash or chain line no longer holds) with the verifier's message.
    """
    with tempfile.TemporaryDirectory(prefix="omov-record-") as scratch:
        directory = Path(scratch) / ARCHIVE_FOLDER
        directory.mkdir()
        count = record_write(record, directory)
        yield directory, (RecordState.load(directory) if count else None)


def record_archive(record: ElectionRecord, *, kind: str) -> bytes:
    """The record as a ``zip`` or ``tar.gz`` of the directory layout under ``record/``."""
    files = list(record_files(record.entries.order_by("index")))
    buffer = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, content in files:
                archive.writestr(f"{ARCHIVE_FOLDER}/{name}", content)
    else:
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for name, content in files:
                info = tarfile.TarInfo(f"{ARCHIVE_FOLDER}/{name}")
                info.size = len(content)
                info.mode = 0o644
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()
