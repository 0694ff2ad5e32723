"""Start Django for the sub-commands that need the database."""

from __future__ import annotations

import os

from omov.cli.errors import CommandError
from omov.config.env import ConfigurationError


def setup_django() -> None:
    """Configure Django from the environment (``DATABASE_URL`` etc.) and load the apps.

    A missing or malformed setting (production's secrets above all) stops the command with the
    settings' one-line message, never a traceback.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omov.config.settings")
    import django

    try:
        django.setup()
    except ConfigurationError as error:
        raise CommandError(str(error)) from None
