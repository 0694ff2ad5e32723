"""``omov count``: count a ballot file offline and print the round-by-round table.

    omov count PATH [PATH ...] [--method plurality|irv|stv-scottish|stv-meek] [--seats N]
                    [--format auto|blt|preflib|csv|cdf] [--contest ID] [--seed TEXT]
                    [--overvote P] [--skipped-rank P] [--duplicate P] [--unknown-candidate P]
                    [--max-skipped-ranks N] [--max-rankings N]
                    [--exclude-hopeless] [--continue-until-two] [--json OUT] [--csv OUT]

``P`` is a validity policy: exhaust, skip or reject. Several PATHs are one contest's ballots split
over files (each polling place or batch a file, as RCTab reads them): they are counted together.
A BLT file carries its seat count; ``--seats``
overrides it; otherwise one seat. Anything wrong with the input ends the command with one line on
stderr and exit status 2. This command needs no database and never imports Django.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from omov.cli.errors import CommandError
from omov.count import METHODS, ValidityRules, combine_ballot_files, count
from omov.count.formats import FORMATS, read_ballot_file
from omov.count.validity import Policy

_POLICY_OPTIONS = {
    "overvote": "two or more candidates given the same rank",
    "skipped_rank": "a rank left blank before a later preference",
    "duplicate": "the same candidate given more than one rank",
    "unknown_candidate": "a name that is not a standing candidate",
}


def register(subparsers: Any) -> None:
    """Add the ``count`` sub-command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "count",
        help="count a ballot file (BLT, PrefLib, CSV or CDF) and print the rounds",
        description=(
            "Count a ballot file offline and print the round-by-round table and who is "
            "elected. The same file, options and seed always give the same result."
        ),
    )
    parser.add_argument(
        "paths",
        metavar="PATH",
        nargs="+",
        help="the ballot file to count; several files of one contest are counted together",
    )
    parser.add_argument(
        "--method", choices=METHODS, default="irv", help="counting method (default: irv)"
    )
    parser.add_argument(
        "--seats",
        type=_positive_integer,
        default=None,
        metavar="N",
        help="seats to fill (default: the number the ballot file gives, otherwise 1)",
    )
    parser.add_argument(
        "--format",
        choices=("auto", *FORMATS),
        default="auto",
        help="ballot file format (default: auto, from the extension and content)",
    )
    parser.add_argument(
        "--contest",
        default=None,
        metavar="ID",
        help="for a CDF file with several contests: the contest's @id or Name",
    )
    parser.add_argument(
        "--seed",
        default="",
        metavar="TEXT",
        help="seed for any tie broken by lot; recorded in the result",
    )
    policies = [policy.value for policy in Policy]
    defaults = ValidityRules().as_dict()
    for name, meaning in _POLICY_OPTIONS.items():
        parser.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            choices=policies,
            default=None,
            help=f"what to do with {meaning} (default: {defaults[name]})",
        )
    parser.add_argument(
        "--max-skipped-ranks",
        dest="max_skipped_ranks",
        type=_limit,
        default=None,
        metavar="N",
        help=("exhaust a ballot at a run of more than N blank ranks (Maine: 1); default: no limit"),
    )
    parser.add_argument(
        "--max-rankings",
        dest="max_rankings",
        type=_limit,
        default=None,
        metavar="N",
        help="read only the first N ranks of every ballot; default: all",
    )
    parser.add_argument(
        "--continue-until-two",
        action="store_true",
        help="IRV: after a majority, go on excluding until two candidates remain (for the report)",
    )
    parser.add_argument(
        "--exclude-hopeless",
        action="store_true",
        help="IRV: exclude at once every group of lowest candidates who cannot win",
    )
    parser.add_argument(
        "--json", dest="json_out", metavar="OUT", help="also write the full result as JSON"
    )
    parser.add_argument(
        "--csv", dest="csv_out", metavar="OUT", help="also write the round table as CSV"
    )
    parser.set_defaults(handler=handle)


def _positive_integer(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def handle(args: argparse.Namespace) -> int:
    """Read, count, print; write the JSON and CSV reports if asked."""
    _reuse_freed_memory()
    ballots = combine_ballot_files(
        [read_ballot_file(Path(path), args.format, contest=args.contest) for path in args.paths]
    )
    chosen = {name: getattr(args, name) for name in _POLICY_OPTIONS if getattr(args, name)}
    for limit in ("max_skipped_ranks", "max_rankings"):
        if getattr(args, limit) is not None:
            chosen[limit] = str(getattr(args, limit))
    rules = ValidityRules.from_mapping(chosen)
    result = count(
        ballots,
        method=args.method,
        seats=args.seats,
        seed=args.seed,
        rules=rules,
        exclude_hopeless=args.exclude_hopeless,
        continue_until_two=args.continue_until_two,
    )
    if args.json_out:
        text = json.dumps(result.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
        _write_atomically(Path(args.json_out), text)
    if args.csv_out:
        _write_atomically(Path(args.csv_out), result.to_csv())
    print(result.to_table().rstrip("\n"))
    return 0


#: glibc's mallopt parameters (malloc.h): M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD.
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3


def _reuse_freed_memory() -> None:
    """Ask glibc's allocator to keep freed blocks for reuse instead of handing them back.

    Reading a large file makes and frees arrays of tens of megabytes, chunk after chunk. By
    default glibc maps each one afresh from the kernel (an ``mmap`` above its threshold) and
    the kernel zeroes every page on first touch: on 1,000,000 varied ballots that was a third of
    the command's time in system CPU and 40 MB more peak memory (bench/bench_irv_1m.py). With a
    high map threshold the blocks come from the heap, which keeps them. Only the one-shot
    ``omov count`` process does this, never the library or a server; elsewhere (not glibc) it
    does nothing.
    """
    try:
        import ctypes  # only where glibc is there to tune (a few ms): never for other commands

        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (ImportError, OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 1 << 30)
    mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    mallopt(_M_TOP_PAD, 64 << 20)


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so no half-written report is left."""
    directory = path.parent
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as error:
        raise CommandError(
            f"Cannot write {path}: {error.strerror or error}. Check the directory exists and "
            "is writable."
        ) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CommandError(f"Cannot write {path}: {error.strerror or error}.") from None
