"""Filters for the log: a refused permission is one line, never a traceback.

Django's ``django.request`` logger writes every 403 with the exception attached, so each refusal
printed a full traceback to the server's log (issue 15, item 7), burying real errors. A refusal
is an expected answer (the page tells the person why and whom to ask), so its record keeps its
one line, "Forbidden (Permission denied): /path", and drops the traceback. The path is written as
the access log writes it: without a ballot reference (omov.config.access_log).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied

from omov.config.access_log import path_for_log


class RefusalWithoutTraceback(logging.Filter):
    """Keep a refused permission's log line; drop its traceback and any reference in its path."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc_info = record.exc_info
        if exc_info and isinstance(exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
            if isinstance(record.args, tuple):
                record.args = tuple(
                    path_for_log(arg) if isinstance(arg, str) else arg for arg in record.args
                )
        return True
