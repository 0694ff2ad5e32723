"""`omov roles grant|revoke|list`: who holds which staff role, and where.

The command acts as an operator with shell access (no signed-in user), so it may grant any role;
every grant and revocation is audited as "omov roles". Roles are the `Role` values, e.g.
``returning_officer``, ``scrutineer``, ``branch_secretary`` (with ``--branch``),
``candidate_agent`` (with ``--candidate``), ``paper_operator``, ``paper_supervisor``.
"""

from __future__ import annotations

import argparse
from typing import Any

from omov.cli.actor import cli_actor_label
from omov.cli.ballot import contest_by_slug
from omov.cli.django_setup import setup_django
from omov.cli.errors import CommandError
from omov.cli.output import format_table


def register(subparsers: Any) -> None:
    """Add `omov roles grant|revoke|list`."""
    parser = subparsers.add_parser("roles", help="Grant, revoke and list staff roles.")
    actions = parser.add_subparsers(dest="roles_command", metavar="ACTION", required=True)

    grant = actions.add_parser(
        "grant", help="Grant a user a role (doing nothing when they hold it already)."
    )
    _add_assignment_arguments(grant)
    grant.add_argument(
        "--create-user",
        action="store_true",
        help="Create the user when missing and print their new password once.",
    )
    grant.set_defaults(handler=grant_role)

    revoke = actions.add_parser("revoke", help="Revoke a role the user holds in that scope.")
    _add_assignment_arguments(revoke)
    revoke.set_defaults(handler=revoke_role)

    listing = actions.add_parser("list", help="List who holds which role.")
    listing.add_argument(
        "--contest",
        metavar="SLUG",
        help="Only the roles valid in this contest (its own and those for every contest).",
    )
    listing.set_defaults(handler=list_roles)


#: The role names `omov roles grant` takes, for its help text. Spelt out here because building the
#: parser must not import Django (`omov count` shares it); a test keeps it equal to `Role.values`.
ROLE_NAMES = (
    "returning_officer",
    "scrutineer",
    "branch_secretary",
    "candidate_agent",
    "paper_operator",
    "paper_supervisor",
    "campaign_manager",
    "campaign_organiser",
    "campaign_caller",
    "trustee",
)


def _add_assignment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("username", metavar="USERNAME")
    parser.add_argument("role", metavar="ROLE", help="One of: " + ", ".join(ROLE_NAMES) + ".")
    parser.add_argument(
        "--contest", metavar="SLUG", help="Only in this contest (default: every contest)."
    )
    parser.add_argument("--branch", metavar="CODE", help="The branch of a branch secretary.")
    parser.add_argument(
        "--candidate",
        metavar="NAME",
        help="The candidate of a candidate's agent or a campaign role.",
    )
    parser.add_argument("--reason", default="", metavar="TEXT", help="Kept in the audit trail.")


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _branch(code: str) -> Any:
    from omov.electorate.models import Branch

    branch = Branch.objects.filter(code=code).first()
    if branch is None:
        named = Branch.objects.filter(name=code).first()
        hint = f" ({named.name} has the code {named.code}.)" if named is not None else ""
        raise CommandError(f"There is no branch with the code {code!r}.{hint}")
    return branch


def _candidate(name: str, contest: Any) -> Any:
    from omov.contests.models import Candidate

    candidates = Candidate.objects.filter(name=name).select_related("contest")
    if contest is not None:
        candidates = candidates.filter(contest=contest)
    found = list(candidates[:10])
    where = f" in {contest.slug}" if contest is not None else ""
    if not found:
        raise CommandError(f"There is no candidate named {name!r}{where}.")
    if len(found) > 1:
        slugs = ", ".join(candidate.contest.slug for candidate in found)
        raise CommandError(
            f"{len(found)} candidates are named {name!r} (in {slugs}): add --contest SLUG."
        )
    return found[0]


def _scope(args: argparse.Namespace) -> dict[str, Any]:
    """Resolve --contest, --branch and --candidate to the records they name."""
    contest = contest_by_slug(args.contest) if args.contest else None
    branch = _branch(args.branch) if args.branch else None
    candidate = _candidate(args.candidate, contest) if args.candidate else None
    return {"contest": contest, "branch": branch, "candidate": candidate}


def _role(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def grant_role(args: argparse.Namespace) -> int:
    """Grant the role (creating the user first with --create-user), all in one transaction."""
    setup_django()
    from django.db import transaction

    from omov.core.errors import ServiceError
    from omov.core.selectors import role_assignment_find
    from omov.core.services import role_grant, role_scope_check, user_create

    scope = _scope(args)
    password = None
    try:
        with transaction.atomic():
            user = _user(args.username)
            if user is None:
                if not args.create_user:
                    raise CommandError(
                        f"There is no user called {args.username!r}. Check the spelling, or add "
                        "--create-user to create them."
                    )
                user, password = user_create(
                    username=args.username, actor_label=cli_actor_label(), reason=args.reason
                )
            checked = role_scope_check(role=_role(args.role), **scope)
            held = role_assignment_find(
                user=user,
                role=checked.role,
                contest=checked.contest,
                branch=checked.branch,
                candidate=checked.candidate,
            )
            assignment = role_grant(
                user=user,
                role=checked.role,
                contest=checked.contest,
                branch=checked.branch,
                candidate=checked.candidate,
                actor_label=cli_actor_label(),
                reason=args.reason,
            )
    except ServiceError as error:
        raise CommandError(error.message) from None
    if password is not None:
        print(
            f"Created the user {user.get_username()} with the password {password} "
            "(shown only this once: hand it over safely)."
        )
    described = f"the role {assignment.get_role_display()} ({assignment.describe_scope()})"
    if held is not None:
        print(f"{user.get_username()} already holds {described}; nothing changed.")
    else:
        print(f"Granted {user.get_username()} {described}.")
    return 0


def revoke_role(args: argparse.Namespace) -> int:
    """Revoke the one assignment of this role and scope the user holds."""
    setup_django()
    from omov.core.errors import ServiceError
    from omov.core.models import RoleAssignment
    from omov.core.selectors import role_assignment_find
    from omov.core.services import role_revoke, role_scope_check

    scope = _scope(args)
    user = _user(args.username)
    if user is None:
        raise CommandError(f"There is no user called {args.username!r}; check the spelling.")
    try:
        checked = role_scope_check(role=_role(args.role), **scope)
        fields = {
            "user": user,
            "role": checked.role,
            "contest": checked.contest,
            "branch": checked.branch,
            "candidate": checked.candidate,
        }
        assignment = role_assignment_find(**fields)
        if assignment is None:
            wanted = RoleAssignment(**fields)
            raise CommandError(
                f"{user.get_username()} does not hold the role {wanted.get_role_display()} "
                f"({wanted.describe_scope()}), so there is nothing to revoke. "
                "`omov roles list` shows who holds which role."
            )
        role_revoke(assignment=assignment, actor_label=cli_actor_label(), reason=args.reason)
    except ServiceError as error:
        raise CommandError(error.message) from None
    print(
        f"Revoked the role {assignment.get_role_display()} ({assignment.describe_scope()}) "
        f"of {user.get_username()}."
    )
    return 0


def list_roles(args: argparse.Namespace) -> int:
    """Print a table of the role assignments: user, role, scope, granted at."""
    setup_django()
    from django.utils import timezone

    from omov.core.selectors import role_assignments

    contest = contest_by_slug(args.contest) if args.contest else None
    rows = [
        [
            assignment.user.get_username(),
            assignment.get_role_display(),
            assignment.describe_scope(),
            f"{timezone.localtime(assignment.granted_at):%Y-%m-%d %H:%M}",
        ]
        for assignment in role_assignments(contest=contest)
    ]
    if not rows:
        where = f" valid in {contest.slug}" if contest is not None else ""
        print(f"No roles{where} are granted yet; grant one with `omov roles grant`.")
        return 0
    print(format_table(["User", "Role", "Scope", "Granted at"], rows))
    return 0
