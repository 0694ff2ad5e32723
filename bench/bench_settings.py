"""Settings for the benchmarks: production settings plus the project-wide static folder.

``src/omov/static`` belongs to no app, so the main settings need ``STATICFILES_DIRS`` for
``collectstatic`` to find ``omov/omov.css`` (without it production pages fail on the manifest).
"""

from omov.config.settings import *  # noqa: F403
from omov.config.settings import PACKAGE_DIR

STATICFILES_DIRS = [PACKAGE_DIR / "static"]
