"""Start Django for the sub-commands that need the database."""

from __future__ import annotations

import os


def setup_django() -> None:
    """Configure Django from the environment (``DATABASE_URL`` etc.) and load the apps."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omov.config.settings")
    import django

    django.setup()
