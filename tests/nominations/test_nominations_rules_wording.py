"""The nomination rules page reads as a sentence: no stray space before its full stop."""

from __future__ import annotations

import re
from typing import Any

import pytest

from omov.nominations.models import NominationRules

pytestmark = pytest.mark.django_db


def _now_sentence(client: Any, contest: Any) -> str:
    page = client.get(f"/nominations/{contest.slug}/rules/").content.decode()
    return re.sub(r"\s+", " ", re.search(r"<p>Now: (.*?)Gate:", page, re.S).group(1))


def test_no_parliamentary_nominations_needed_ends_without_a_stray_space(
    client: Any, contest: Any, returning_officer: Any
) -> None:
    NominationRules.objects.create(contest=contest, is_parliamentary_threshold_required=False)
    client.force_login(returning_officer)
    assert _now_sentence(client, contest) == "no parliamentary nominations are needed. "


def test_a_threshold_reads_with_its_figures(
    client: Any, contest: Any, returning_officer: Any
) -> None:
    NominationRules.objects.create(contest=contest, is_parliamentary_threshold_required=True)
    client.force_login(returning_officer)
    sentence = _now_sentence(client, contest)
    assert sentence.startswith("challengers need ")
    assert " ." not in sentence
