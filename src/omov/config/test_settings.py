"""Settings for the test suite: development mode with the public development keys.

These keys are published in this file, so anything signed or hashed with them is forgeable by
anyone; that is why only the test suite may use them (and ``omov serve`` never does: it runs in
production mode and refuses to start without real keys). The values go into the environment
before the settings are read, so commands the tests start in a subprocess use them too.
"""

from __future__ import annotations

import os

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-not-for-production-use-ever"
DEVELOPMENT_CREDENTIAL_KEY = "development-only-credential-key-not-for-production-use"

os.environ.setdefault("OMOV_ENV", "development")
os.environ.setdefault("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
os.environ.setdefault("OMOV_CREDENTIAL_KEY", DEVELOPMENT_CREDENTIAL_KEY)
os.environ.setdefault("OMOV_TESTING", "1")

from omov.config.settings import *  # noqa: E402, F403
