"""Every booth page of a contest has the same size, whatever the voter ranked (issue 8, item 3).

The size of a response is visible to anyone on the network (TLS hides the bytes, not how many)
and is written in the access log beside the voter's address and time. Unpadded, the review page
named which candidates a voter ranked in two cases out of three. So each booth page is padded
with an HTML comment to one length per contest, :func:`booth_length`: the ballot page, the
review, the receipt and every error page alike, and the sign-in page to one fixed length.

The length is an upper bound computed from the contest alone: the ballot page rendered with an
error on every candidate (longer than any real error page) and the review with every candidate
ranked, plus one block of headroom (messages, a staff user's name in the header), rounded up to
a whole block. It depends only on the candidates' names and statements, so every app server
computes the same figure. A page that still came out longer would be padded to the next block
and logged as a warning; the tests render every ranking of 2- and 5-candidate contests to show
that it does not happen.

Compression would undo this (a compressed size depends on the content): omov never compresses
the booth, and a reverse proxy must not either (docs/deployment.md).
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

BLOCK = 4096
#: The sign-in page's length: it names no contest, and its errors are short sentences.
START_LENGTH = 4 * BLOCK
_OPENING = b"\n<!-- padding: every booth page of a contest has one size "
_CLOSING = b" -->\n"
_lengths: dict[tuple[Any, ...], int] = {}


def _round_up(length: int) -> int:
    return (length // BLOCK + 1) * BLOCK


def booth_length(request: HttpRequest, contest: Any, candidates: list[Any]) -> int:
    """Return the one length of every booth page of this contest (see the module's docstring)."""
    shape = (
        contest.pk,
        contest.title,
        tuple((c.pk, c.name, len(c.statement or "")) for c in candidates),
    )
    cached = _lengths.get(shape)
    if cached is not None:
        return cached
    longest_name = max((len(c.name) for c in candidates), default=0)
    message = "x" * (2 * longest_name + 240)  # longer than any message of parse_ranking
    rows = [
        {"candidate": c, "name": f"pref_{c.pk}", "value": str(len(candidates)), "error": message}
        for c in candidates
    ]
    ballot = render_to_string(
        "ballots/booth_ballot.html",
        {
            "contest": contest,
            "rows": rows,
            "numbers": range(1, len(candidates) + 1),
            "errors": [(row["name"], message) for row in rows] * 2,
        },
        request=request,
    )
    values = {f"pref_{c.pk}": str(len(candidates)) for c in candidates}
    review = render_to_string(
        "ballots/booth_review.html",
        {"contest": contest, "ranked": candidates, "values": values},
        request=request,
    )
    bound = max(len(ballot.encode()), len(review.encode())) + BLOCK
    length = _round_up(bound)
    _lengths[shape] = length
    return length


def pad(response: HttpResponse, length: int) -> HttpResponse:
    """Pad the response's body with an HTML comment to exactly ``length`` bytes (see above)."""
    body = response.content
    room = length - len(body) - len(_OPENING) - len(_CLOSING)
    if room < 0:
        logger.warning(
            "A booth page of %s bytes is longer than its padded length %s; padded to the next "
            "block instead.",
            len(body),
            length,
        )
        room = (
            _round_up(len(body) + len(_OPENING) + len(_CLOSING))
            - len(body)
            - len(_OPENING)
            - len(_CLOSING)
        )
    response.content = body + _OPENING + b"." * room + _CLOSING
    return response
