"""The published 2016 figures the demo reproduces, at full size or scaled down.

Published (omov/demo/data/labour-contests.json, entry ``labour-leader-2016``): 654,006 ballots
issued, 506,438 valid, 1,042 spoilt, Jeremy Corbyn 313,209 and Owen Smith 193,229, and the votes of
each category of voter. Not published, so chosen here and said so wherever it is shown: how the
spoilt papers and the voters who did not vote divide between the categories.

Scaling divides every published figure by the same number and rounds half up, figure by figure:
the votes of each candidate in each category, the spoilt papers and the ballots issued. Totals
are then the sums of the rounded figures (so 1/100 of 313,209 is 1,682 + 849 + 601 = 3,132).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

PUBLISHED_ID = "labour-leader-2016"
DATA_FILE = "labour-contests.json"
#: The roll's category names for the published ones.
CATEGORIES: dict[str, str] = {
    "members": "member",
    "registered_supporters": "registered_supporter",
    "affiliated_supporters": "affiliated_supporter",
}
#: How the voters who did not vote divide between the categories (not published; chosen so
#: turnout is highest among registered supporters, who had just paid to vote, and lowest among
#: affiliated supporters, as reported at the time).
NON_VOTER_SHARES: dict[str, int] = {
    "member": 40,
    "registered_supporter": 6,
    "affiliated_supporter": 54,
}
MAX_DIVISOR = 1000


class FiguresError(Exception):
    """The published figures cannot be found or read; the message says where and what."""


def published_figures_path() -> Path:
    """Return the published figures shipped inside the package (``omov/demo/data``).

    The file travels with omov so that a fresh clone or an installed wheel needs nothing beside it;
    its sources are listed in ``omov/demo/data/README.md``.
    """
    return Path(__file__).resolve().parent / "data" / DATA_FILE


def load_contest(contest_id: str, path: Path | None = None) -> dict[str, Any]:
    """Return one contest entry of labour-contests.json (from ``path`` or the packaged file)."""
    path = path or published_figures_path()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FiguresError(f"Cannot read {path}: {error.strerror}.") from error
    except json.JSONDecodeError as error:
        raise FiguresError(f"{path}, line {error.lineno}: not valid JSON ({error.msg}).") from error
    for contest in document.get("contests", []):
        if contest.get("id") == contest_id:
            return dict(contest)
    raise FiguresError(f"{path} has no contest with the id {contest_id!r}.")


def load_published(path: Path | None = None) -> dict[str, Any]:
    """Return the 2016 entry of labour-contests.json, checked (``path`` or the packaged file)."""
    path = path or published_figures_path()
    contest = load_contest(PUBLISHED_ID, path)
    _check(contest, path)
    return contest


def _check(contest: Mapping[str, Any], path: Path) -> None:
    for field in ("ballots_issued", "spoilt", "by_category", "freeze_date", "ballot_closes"):
        if field not in contest:
            raise FiguresError(f"{path}, contest {PUBLISHED_ID}: the field {field!r} is missing.")
    unknown = set(contest["by_category"]) - set(CATEGORIES)
    if unknown:
        raise FiguresError(
            f"{path}, contest {PUBLISHED_ID}, field by_category: unknown categories "
            f"{', '.join(sorted(unknown))}."
        )


def scaled(number: int, divisor: int) -> int:
    """Return ``number / divisor`` rounded half up."""
    return int((Decimal(number) / divisor).to_integral_value(ROUND_HALF_UP))


def _largest_remainder(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainders get the rest)."""
    whole = sum(weights.values())
    shares = {key: total * weight // whole for key, weight in weights.items()}
    left = total - sum(shares.values())
    by_remainder = sorted(weights, key=lambda key: (-(total * weights[key] % whole), key))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares


@dataclass(frozen=True)
class DemoFigures:
    """What the demo's leadership contest must declare: votes, spoilt papers, credentials."""

    divisor: int
    candidates: tuple[str, ...]
    votes: dict[str, dict[str, int]]
    spoilt: dict[str, int]
    issued: dict[str, int]

    @property
    def is_full_size(self) -> bool:
        return self.divisor == 1

    @property
    def valid(self) -> int:
        return sum(sum(votes.values()) for votes in self.votes.values())

    @property
    def spoilt_total(self) -> int:
        return sum(self.spoilt.values())

    @property
    def issued_total(self) -> int:
        return sum(self.issued.values())

    @property
    def votes_by_candidate(self) -> dict[str, int]:
        totals = dict.fromkeys(self.candidates, 0)
        for votes in self.votes.values():
            for name, number in votes.items():
                totals[name] += number
        return totals

    def voted(self, category: str) -> int:
        """Return how many of the category returned a ballot (valid or spoilt)."""
        return sum(self.votes[category].values()) + self.spoilt[category]

    def non_voters(self, category: str) -> int:
        return self.issued[category] - self.voted(category)

    def describe_scale(self) -> str:
        """Say in one sentence what was scaled and how."""
        if self.is_full_size:
            return "Full size: the published 2016 figures exactly."
        return (
            f"Scaled to 1/{self.divisor} of 2016: each candidate's votes in each category, the "
            f"spoilt papers ({self.spoilt_total}) and the credentials issued "
            f"({self.issued_total:,}) are the published figures divided by {self.divisor} and "
            "rounded half up; totals are sums of the rounded figures."
        )


def demo_figures(published: Mapping[str, Any], *, divisor: int) -> DemoFigures:
    """Return the figures the demo reproduces at 1/``divisor`` of the published size."""
    if not 1 <= divisor <= MAX_DIVISOR:
        raise FiguresError(f"The scale must be between 1 (full size) and 1/{MAX_DIVISOR}.")
    candidates: list[str] = []
    votes: dict[str, dict[str, int]] = {}
    for published_category, by_candidate in published["by_category"].items():
        category = CATEGORIES[published_category]
        votes[category] = {}
        for name, number in by_candidate.items():
            if name not in candidates:
                candidates.append(name)
            votes[category][name] = scaled(int(number), divisor)
    valid = {category: sum(numbers.values()) for category, numbers in votes.items()}
    spoilt = _largest_remainder(scaled(int(published["spoilt"]), divisor), valid)
    issued_total = scaled(int(published["ballots_issued"]), divisor)
    non_voters_total = issued_total - sum(valid.values()) - sum(spoilt.values())
    if non_voters_total < 0:
        raise FiguresError("At this scale more ballots come back than credentials are issued.")
    non_voters = _largest_remainder(
        non_voters_total, {category: NON_VOTER_SHARES.get(category, 1) for category in votes}
    )
    issued = {
        category: valid[category] + spoilt[category] + non_voters[category] for category in votes
    }
    return DemoFigures(
        divisor=divisor,
        candidates=tuple(candidates),
        votes=votes,
        spoilt=spoilt,
        issued=issued,
    )
