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
