"""The access log of `omov serve`: the booth's URLs are written without their query strings.

An access log line holds the client's address and the time. If it also held a ballot reference
or a receipt (``/vote/?ref=…``, ``?receipt=…``), joining the log with a copy of the database and
the count key would name a vote. omov no longer puts voter secrets in URLs (the emailed link
carries the reference in the fragment, which browsers never send; receipts are checked by POST),
but old links and hand-typed URLs still arrive, so the log drops every query string on ``/vote/``
and the query and fragment of any referrer that points into ``/vote/``. A reverse proxy in front
of omov must do the same with its own log (docs/deployment.md shows nginx and Caddy).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gunicorn.glogging import Logger

BOOTH_PREFIX = "/vote/"
#: Paths that carry a ballot reference in a segment (a supervisor resolving a paper): the
#: segment is replaced before the line is written.
_REFERENCE_IN_PATH = re.compile(r"^(/vote/paper/[^/]+/supervisor/)[^/]+")


def path_for_log(path: str) -> str:
    """Return the path as the log may keep it: no ballot reference in it."""
    return _REFERENCE_IN_PATH.sub(r"\1[reference]", path)


def url_without_query(url: str) -> str:
    """Return ``url`` without its query string and fragment."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def referrer_for_log(referrer: str) -> str:
    """Return the referrer as the log may keep it: booth referrers lose query and fragment."""
    if BOOTH_PREFIX in referrer:
        parts = urlsplit(referrer)
        return urlunsplit((parts.scheme, parts.netloc, path_for_log(parts.path), "", ""))
    return referrer


class QuietVoteLogger(Logger):  # type: ignore[misc]
    """Gunicorn's logger, minus the booth's query strings and booth referrers' queries.

    The request is cleaned before any atom is formatted, so no log format (``%(r)s``,
    ``%(q)s``, ``{raw_uri}e``, ``{referer}i`` …) can bring them back.
    """

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        cleaned = dict(environ)
        path = str(environ.get("PATH_INFO") or "")
        if path.startswith(BOOTH_PREFIX):
            cleaned["PATH_INFO"] = path_for_log(path)
            cleaned["RAW_URI"] = cleaned["PATH_INFO"]
            cleaned["QUERY_STRING"] = ""
        if "HTTP_REFERER" in cleaned:
            cleaned["HTTP_REFERER"] = referrer_for_log(str(cleaned["HTTP_REFERER"]))
        headers = getattr(req, "headers", None) or []
        if hasattr(headers, "items"):
            headers = list(headers.items())
        safe_headers = [
            (name, referrer_for_log(str(value)) if str(name).lower() == "referer" else value)
            for name, value in headers
        ]
        return super().atoms(resp, SimpleNamespace(headers=safe_headers), cleaned, request_time)
