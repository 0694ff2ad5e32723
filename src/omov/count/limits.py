"""The most a ballot file may claim, checked before anything is allocated for it.

A ballot file is untrusted input: a 30-byte BLT header can claim a billion candidates, and a
count cell can hold a number with a million digits. Every reader checks what a file claims
against these bounds *before* it allocates or converts, and says which file, line and field went
past which bound. The bounds sit far above any real election (the largest real ranked ballots
list a few hundred candidates), so they only ever stop a broken or hostile file; they are
documented in docs/decisions/0008-count-input-limits.md.
"""

from __future__ import annotations

from omov.count.errors import CountInputError

__all__ = [
    "MAX_BALLOTS",
    "MAX_CANDIDATES",
    "MAX_NUMBER_DIGITS",
    "MAX_PROFILE_CELLS",
    "MAX_RANKS",
    "whole_number",
]

#: Candidates in one contest (standing and withdrawn together).
MAX_CANDIDATES = 1_000

#: Marks (ranks, including skipped ones) on one ballot.
MAX_RANKS = 1_000

#: Digits in any whole number a file gives (a weight, a count, a seat or candidate number):
#: 15 digits is under a quadrillion, and Python refuses to convert past 4,300 digits anyway.
MAX_NUMBER_DIGITS = 15

#: Ballots (voters) in one count, so every total stays exact in 64-bit integers.
MAX_BALLOTS = 10**15

#: Cells of the distinct-rankings table the methods count (rows x widest ranking): 400 MB.
MAX_PROFILE_CELLS = 50_000_000


def whole_number(
    text: str,
    *,
    what: str,
    source: str | None = None,
    line: int | None = None,
    field: str | None = None,
    minimum: int = 0,
    maximum: int | None = None,
) -> int:
    """Convert ``text`` (ASCII digits) to an int between ``minimum`` and ``maximum``.

    The length is checked before converting, so a number of a million digits costs nothing and
    never reaches ``int()``'s own limit. Raises :class:`CountInputError` naming ``what``.
    """
    digits = text.strip()
    if not digits.isascii() or not digits.isdigit():
        raise CountInputError(
            f"Expected the {what} as a whole number, found {digits[:40]!r}.",
            source=source,
            line=line,
            field=field,
        )
    if len(digits.lstrip("0")) > MAX_NUMBER_DIGITS:
        raise CountInputError(
            f"The {what} has {len(digits.lstrip('0')):,} digits; omov reads whole numbers of at "
            f"most {MAX_NUMBER_DIGITS} digits.",
            source=source,
            line=line,
            field=field,
        )
    value = int(digits)
    if value < minimum or (maximum is not None and value > maximum):
        bound = (
            f"from {minimum:,} to {maximum:,}" if maximum is not None else f"{minimum:,} or more"
        )
        raise CountInputError(
            f"The {what} must be {bound}, not {value:,}.",
            source=source,
            line=line,
            field=field,
        )
    return value
