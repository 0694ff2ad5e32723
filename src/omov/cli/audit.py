"""`omov audit verify --contest SLUG`: check a contest's audit trail has not been rewritten.

Walks the contest's hash chain (``omov.core.audit_chain``) and exits 0 when every event is in
place, unedited and in order, printing the head hash to compare with the one on the contest page
or in the declaration; exits 1 naming the first event that breaks the chain.
"""

from __future__ import annotations

import argparse
from typing import Any

from omov.cli.ballot import contest_by_slug
from omov.cli.errors import CommandError


def register(subparsers: Any) -> None:
    """Add the `audit` sub-command."""
    parser = subparsers.add_parser(
        "audit", help="Check that an audit trail is intact (its hash chain verifies)."
    )
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)
    verify = actions.add_parser(
        "verify",
        help="Verify a contest's audit trail: exit 0 when intact, 1 naming the first break.",
        description=(
            "Recompute every event's hash in the contest's audit chain and check each follows "
            "the one before it. Compare the head hash printed with the one published on the "
            "contest page or in the declaration: that also catches events removed from the end."
        ),
    )
    target = verify.add_mutually_exclusive_group(required=True)
    target.add_argument("--contest", metavar="SLUG", help="the contest whose trail to verify")
    target.add_argument(
        "--site", action="store_true", help="verify the events of no contest (roles, log-ins)"
    )
    verify.set_defaults(handler=verify_handler)


def verify_handler(args: argparse.Namespace) -> int:
    """Print whether the chain verifies; return 0 when intact, 1 when broken."""
    from omov.cli.django_setup import setup_django

    setup_django()
    from omov.core.selectors import audit_chain_verify

    contest = contest_by_slug(args.contest) if args.contest else None
    check = audit_chain_verify(contest)
    if not check.is_intact:
        raise CommandError(check.describe(), exit_code=1)
    print(check.describe())
    return 0
