"""Shared plumbing of ``omov verify``, ``omov record`` and ``omov trustee`` (not a sub-command).

A process pool for the per-ballot work, the trustee's passphrase, and reading the checked record
with progress on stderr. None of it starts Django.
"""

from __future__ import annotations

import collections
import contextlib
import getpass
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from omov.cli.errors import CommandError
from omov.verifiable.keystore import KeystoreError, secret_read, secret_write
from omov.verifiable.record import RecordError
from omov.verifiable.shuffle import Mapper
from omov.verifiable.verifier import RecordState

PASSPHRASE_VARIABLE = "OMOV_TRUSTEE_PASSPHRASE"


def add_workers_option(parser: Any) -> None:
    """Add ``--workers N`` (default: every core)."""
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes to use for the per-ballot work (default: every core)",
    )


@contextlib.contextmanager
def mapper_for(workers: int) -> Iterator[Mapper]:
    """Yield ``map`` for one worker, else a process pool's ``map``."""
    if workers <= 1:
        yield map
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:

        def bounded_map(function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
            # ``pool.map`` submits every job at once, holding the whole entry in memory; keep
            # only a few chunks in flight so memory stays flat as the record grows.
            pending: collections.deque[Future[Any]] = collections.deque()
            for item in items:
                pending.append(pool.submit(function, item))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

        yield bounded_map


class Progress:
    """Print progress lines on stderr with the time since the start."""

    def __init__(self, *, quiet: bool = False) -> None:
        self.started = time.monotonic()
        self.quiet = quiet

    def __call__(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.monotonic() - self.started
            print(f"[{elapsed:7.1f}s] {message}", file=sys.stderr, flush=True)


def record_load(directory: Path, mapper: Mapper, progress: Progress) -> RecordState:
    """Read and check a record, turning a failed check into a message and exit status 1."""
    if not directory.is_dir():
        raise CommandError(f"{directory} is not a directory holding an election record.")
    try:
        return RecordState.load(directory, mapper=mapper, progress=progress)
    except RecordError as error:
        raise CommandError(f"the record does not hold: {error}", exit_code=1) from error


def passphrase(*, confirm: bool) -> str:
    """The trustee's passphrase, from the environment or typed at the terminal."""
    value = os.environ.get(PASSPHRASE_VARIABLE)
    if value is not None:
        return value
    typed = getpass.getpass("Passphrase for your trustee secret file: ")
    if confirm and getpass.getpass("Type it again: ") != typed:
        raise CommandError("the two passphrases differ; nothing was written.")
    return typed


def secret_load(path: Path) -> dict[str, Any]:
    """Open a trustee secret file, with a clear message when it cannot be opened."""
    try:
        return secret_read(path, passphrase(confirm=False))
    except KeystoreError as error:
        raise CommandError(str(error)) from error


def secret_save(path: Path, content: dict[str, Any]) -> None:
    """Write a trustee secret file once, with a clear message when that is refused."""
    try:
        secret_write(path, content, passphrase(confirm=True))
    except KeystoreError as error:
        raise CommandError(str(error)) from error


def lines_write(path: Path, lines: list[str]) -> None:
    """Write an entry file for upload (refuse to overwrite one)."""
    if path.exists():
        raise CommandError(f"{path} already exists; choose another --out.")
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    os.replace(temporary, path)


def lines_read(path: Path) -> tuple[str, list[str]]:
    """Read an entry file to append; return its kind (from its first line) and its lines."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
    try:
        kind = json.loads(lines[0])["kind"] if lines else None
    except (ValueError, KeyError, TypeError):
        kind = None
    if not isinstance(kind, str):
        raise CommandError(f"{path} line 1: an entry starts with a JSON object naming its kind.")
    return kind, lines
