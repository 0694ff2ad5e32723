"""Start Django for the sub-commands that need the database, with the database ready to use."""

from __future__ import annotations

import os
import sys

from omov.cli.errors import CommandError
from omov.config.env import ConfigurationError


def setup_django(*, migrate: bool = True) -> None:
    """Configure Django from the environment (``DATABASE_URL`` etc.), load the apps, migrate.

    Every command that reads or writes the database calls this first, so a fresh data folder (or
    a database an upgrade left behind) is brought up to date before the command runs, saying so
    in one line, instead of failing with "no such table". ``migrate=False`` is for commands that
    apply migrations themselves (`omov serve --no-migrate`, `omov manage`). A missing or
    malformed setting (production's secrets above all) stops the command with the settings'
    one-line message, never a traceback.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omov.config.settings")
    import django

    try:
        django.setup()
    except ConfigurationError as error:
        raise CommandError(str(error)) from None
    if migrate:
        database_migrate()


def database_migrate() -> None:
    """Apply the migrations the database lacks, saying so once on stderr when there are any."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not pending:
        return
    where = connection.settings_dict.get("NAME")
    print(
        f"omov: preparing the database {where} ({len(pending)} migrations to apply)…",
        file=sys.stderr,
        flush=True,
    )
    call_command("migrate", interactive=False, verbosity=0)
