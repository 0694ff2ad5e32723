"""WSGI entry point for production servers (gunicorn via `omov serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omov.config.settings")
application = get_wsgi_application()
