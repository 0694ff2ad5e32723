"""`omov contest create FILE`, `omov contest list` and `omov contest set`: create contests, see
which exist, change their fields."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

from omov.cli.actor import cli_actor_label
from omov.cli.contest_file import nomination_rules_from_file
from omov.cli.django_setup import setup_django
from omov.cli.errors import CommandError
from omov.cli.output import format_table
from omov.contests.categories import CATEGORIES

_DATE_FIELDS = frozenset({"freeze_date", "arrears_deadline"})
_RULE_KEYS = frozenset(
    {
        "freeze_date",
        "arrears_deadline",
        "minimum_age",
        "age_on",
        "eligible_categories",
        "affiliated_supporters_must_register",
    }
)


def register(subparsers: Any) -> None:
    """Add the `contest` command and its `create` sub-command."""
    parser = subparsers.add_parser("contest", help="Create and manage contests.")
    commands = parser.add_subparsers(dest="contest_command", metavar="COMMAND", required=True)
    create = commands.add_parser(
        "create",
        help="Create a contest from a TOML or JSON file (see examples/contest-2016.toml).",
    )
    create.add_argument(
        "file", type=Path, metavar="FILE", help="The contest file (.toml or .json)."
    )
    create.set_defaults(handler=create_contest)
    listing = commands.add_parser(
        "list", help="List the contests in this database: slug, status, method and title."
    )
    listing.set_defaults(handler=list_contests)
    change = commands.add_parser(
        "set",
        help="Change a contest's fields (refused, with the reason, once a step has fixed them).",
    )
    change.add_argument("--contest", required=True, metavar="SLUG", help="The contest's slug.")
    change.add_argument(
        "values",
        nargs="+",
        metavar="FIELD=VALUE",
        help="e.g. ballot_closes_at=2027-04-12T12:00:00+01:00 title='Deputy leader 2027'; dates "
        "as YYYY-MM-DD, times as ISO 8601 with their offset.",
    )
    change.add_argument("--reason", default="", help="Kept in the audit trail with the change.")
    change.set_defaults(handler=set_contest)


def set_contest(args: argparse.Namespace) -> int:
    """Change fields of a contest through ``contests.services.contest_update``."""
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db import models

    from omov.contests.models import Contest
    from omov.contests.services import CONTEST_FIELDS, contest_update
    from omov.core.errors import ServiceError

    contest = Contest.objects.filter(slug=args.contest).first()
    if contest is None:
        raise CommandError(f"There is no contest {args.contest!r}; `omov contest list` shows them.")
    changes: dict[str, Any] = {}
    for item in args.values:
        name, sep, text = item.partition("=")
        if not sep or name not in CONTEST_FIELDS:
            raise CommandError(
                f"{item!r}: write FIELD=VALUE with one of {', '.join(CONTEST_FIELDS)}."
            )
        field = Contest._meta.get_field(name)
        assert isinstance(field, models.Field)  # CONTEST_FIELDS are the contest's own columns
        try:
            changes[name] = field.to_python(text) if text != "" or not field.null else None
        except ValidationError as error:
            raise CommandError(f"{name}: {' '.join(error.messages)} (got {text!r}).") from error
    try:
        changed = contest_update(
            contest=contest, changes=changes, actor_label=cli_actor_label(), reason=args.reason
        )
    except ServiceError as error:
        raise CommandError(error.message) from error
    print(f"Changed {', '.join(changes)} of {changed.title}.")
    return 0


def list_contests(args: argparse.Namespace) -> int:
    """Print one line per contest, so a returning officer finds the slug other commands take."""
    setup_django()
    from omov.contests.selectors import contests_listed

    contests = list(contests_listed())
    if not contests:
        print("There are no contests yet; create one with `omov contest create FILE`.")
        return 0
    rows = [
        [
            contest.slug,
            contest.get_status_display(),
            contest.get_method_display(),
            f"{contest.title} ({getattr(contest, 'candidate_count', 0)} candidates, "  # annotated
            f"{contest.seats} seat{'s' if contest.seats != 1 else ''})",
        ]
        for contest in contests
    ]
    print(format_table(["Slug", "Status", "Method", "Title"], rows))
    return 0


def read_contest_file(path: Path) -> dict[str, Any]:
    """Read a contest description; refuse anything that is not a TOML or JSON object."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file.") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path}: the file is not UTF-8 text; save it as UTF-8.") from None
    except OSError as error:
        raise CommandError(f"{path}: cannot read it ({error.strerror}).") from None
    try:
        data: Any = tomllib.loads(text) if path.suffix != ".json" else json.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CommandError(f"{path}: not valid TOML: {error}.") from None
    except json.JSONDecodeError as error:
        raise CommandError(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    if not isinstance(data, dict):
        raise CommandError(f"{path}: the file must describe one contest (a table/object).")
    return data


def _date(value: Any, name: str, path: Path) -> dt.date | None:
    if value is None or (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise CommandError(f"{path}: {name} must be a date (YYYY-MM-DD), not {value!r}.")


def _datetime(value: Any, name: str, path: Path) -> Any:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"{path}: {name} must be a date and time (YYYY-MM-DDTHH:MM:SS+00:00), "
                f"not {value!r}."
            ) from None
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        from django.utils import timezone

        value = timezone.make_aware(value)
    return value


def create_contest(args: argparse.Namespace) -> int:
    """Create the contest (and its eligibility rules) and print its slug."""
    path: Path = args.file
    data = read_contest_file(path)
    setup_django()
    from omov.contests.services import contest_create
    from omov.core.errors import ServiceError
    from omov.electorate.services import RuleChange, rules_configure
    from omov.nominations.services import nomination_rules_set

    rules = data.pop("rules", None)
    if rules is not None and not isinstance(rules, dict):
        raise CommandError(f"{path}: [rules] must be a table of rule parameters.")
    nominations = data.pop("nominations", None)
    nomination_rules = (
        nomination_rules_from_file(path, nominations) if nominations is not None else None
    )
    for name in list(data):
        if name in _DATE_FIELDS:
            data[name] = _date(data[name], name, path)
        elif name.endswith("_at"):
            data[name] = _datetime(data[name], name, path)
    candidates = data.get("candidates", [])
    if not isinstance(candidates, list):
        raise CommandError(f"{path}: candidates must be a list.")
    label = cli_actor_label()
    try:
        from django.db import transaction

        with transaction.atomic():
            contest = contest_create(actor_label=label, **data)
            if rules is not None:
                unknown = set(rules) - _RULE_KEYS
                if unknown:
                    raise CommandError(
                        f"{path}: unknown rule parameter(s) {', '.join(sorted(unknown))}; "
                        f"known: {', '.join(sorted(_RULE_KEYS))}."
                    )
                categories = rules.get("eligible_categories", list(CATEGORIES))
                change = RuleChange(
                    freeze_date=_date(
                        rules.get("freeze_date", contest.freeze_date), "freeze_date", path
                    ),
                    arrears_deadline=_date(
                        rules.get("arrears_deadline", contest.arrears_deadline),
                        "arrears_deadline",
                        path,
                    ),
                    minimum_age=int(rules.get("minimum_age", 18)),
                    age_on=_date(rules.get("age_on"), "age_on", path),
                    eligible_categories=tuple(categories),
                    affiliated_supporters_must_register=bool(
                        rules.get("affiliated_supporters_must_register", True)
                    ),
                )
                rules_configure(contest=contest, change=change, actor_label=label)
            if nomination_rules is not None:
                nomination_rules_set(contest=contest, **nomination_rules)
    except ServiceError as error:
        raise CommandError(f"{path}: {error.message}") from None
    except (TypeError, ValueError) as error:
        raise CommandError(f"{path}: {error}") from None
    print(contest.slug)
    return 0
