"""``omov verify DIR``: check an election record, every hash, proof and decryption.

Exits 0 when everything holds, 1 naming the first check that fails (which entry, which line or
ballot, which proof), 2 for a usage error. Progress goes to stderr. Never starts Django: it shares
only the group primitives and the record parser with the rest of omov.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from omov.cli._verifiable import Progress, add_workers_option, mapper_for, record_load
from omov.verifiable.record import head


def register(subparsers: Any) -> None:
    """Add the ``verify`` sub-command."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "verify",
        help="check a published election record (hash chain, key ceremony, mixes, decryption)",
        description=(
            "Check every entry of an election record directory: the hash chain, the trustees' "
            "key ceremony, each ballot's tracker, each mix's shuffle proof, each decryption "
            "share's proof and the decoded result. Exit 0 if all hold, 1 naming the first check "
            "that fails."
        ),
    )
    parser.add_argument("directory", metavar="DIR", type=Path, help="the election record")
    parser.add_argument("--quiet", action="store_true", help="print no progress")
    add_workers_option(parser)
    parser.set_defaults(handler=_verify)


def _verify(args: argparse.Namespace) -> int:
    progress = Progress(quiet=args.quiet)
    with mapper_for(args.workers) as mapper:
        state = record_load(args.directory, mapper, progress)
    print(f"The record holds. Head hash: {head(args.directory)}")
    print(
        f"{state.ballot_count:,} ballots ({_channels(state.ballots_by_channel)}); "
        f"{len(state.mixers)} mixes (trustees {', '.join(map(str, state.mixers)) or 'none'}); "
        f"{len(state.decryptions)} trustees decrypted (threshold {state.threshold})."
    )
    if state.decoded is None:
        print("No result in the record yet.")
    else:
        totals = Counter(tuple(row) for row in state.decoded)
        for row, number in sorted(totals.items(), key=lambda item: (-item[1], item[0])):
            labels = [state.options[index] for index in row]
            print(f"  {number:>9,}  {json_label(labels)}")
    return 0


def _channels(counts: Counter[str]) -> str:
    return (
        ", ".join(f"{number:,} {channel}" for channel, number in sorted(counts.items())) or "none"
    )


def json_label(labels: list[Any]) -> str:
    """Show an option (a ranking) compactly."""
    if len(labels) == 1:
        label = labels[0]
        if isinstance(label, list):
            return " > ".join(str(name) for name in label) or "(no preference)"
        return str(label)
    return " | ".join(str(label) for label in labels)
