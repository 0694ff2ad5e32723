"""Options that several `omov` commands share, spelt and explained the same way everywhere."""

from __future__ import annotations

import argparse


def contest_option(parser: argparse.ArgumentParser) -> None:
    """Add the required ``--contest SLUG`` option (`omov contest list` shows the slugs)."""
    parser.add_argument(
        "--contest",
        required=True,
        metavar="SLUG",
        help="The contest's slug (`omov contest list` shows them).",
    )


def reason_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--reason TEXT``: why a step is taken against the contest's timetable (audited)."""
    parser.add_argument(
        "--reason",
        default="",
        metavar="TEXT",
        help="Why the step is taken now although the timetable says otherwise (needed only "
        "then; kept in the audit trail).",
    )
