"""What a declared contest published, for apps that may not read the results app itself.

The campaigns never reach ballots or results (decision 0014, an import-linter contract), yet a
campaign's forecast is shown beside the declared result (decision 0018). The results app
registers a reader of its published figures here, from its ``AppConfig.ready()``; the
campaigns ask through :func:`declared_figures`, which returns only what the public declaration
shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeclaredFigures:
    """A declared contest's public figures: first-round votes, and by category of voter."""

    first_round: dict[str, float]
    elected: tuple[str, ...]
    #: Votes per candidate by category, and what they count ("first preferences" or the final
    #: round); empty when the declaration has no breakdown.
    categories: dict[str, dict[str, int]]
    category_basis: str


_readers: list[Callable[[Any], DeclaredFigures | None]] = []


def register_declared_figures(reader: Callable[[Any], DeclaredFigures | None]) -> None:
    """Register the function that reads a contest's declared figures (the results app's)."""
    if reader not in _readers:
        _readers.append(reader)


def declared_figures(contest: Any) -> DeclaredFigures | None:
    """Return the contest's declared figures, or None while it is not declared."""
    for reader in _readers:
        figures = reader(contest)
        if figures is not None:
            return figures
    return None
