"""Journey: the returning officer closes the ballot, counts with the key file, and declares.

Then the public declaration page shows the figures, and an automated accessibility check (axe)
finds no serious or critical violation on it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "results"))

from results_fixtures import closed_contest

from factories import UserFactory, grant
from omov.contests.models import ContestStatus
from omov.core.models import Role

VOTES = {
    "member": {"Jeremy Corbyn": 6, "Owen Smith": 4},
    "registered_supporter": {"Jeremy Corbyn": 3, "Owen Smith": 1},
    "affiliated_supporter": {"Jeremy Corbyn": 2, "Owen Smith": 2},
}


def _serious(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{item['id']}: {item['help']} ({len(item['nodes'])} nodes)"
        for item in violations
        if item.get("impact") in ("serious", "critical")
    ]


def test_close_count_declare_and_read_the_declaration(
    page: Any, browser: Any, sign_in: Any, tmp_path: Path, transactional_db: Any
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    opened = closed_contest(
        votes_by_category=VOTES,
        spoilt_by_category={"member": 1},
        abstaining_by_category={"member": 1, "affiliated_supporter": 1},
        slug="leader-2016",
        close=False,
    )
    contest = opened.contest
    key_file = tmp_path / "leader-2016.key"
    key_file.write_text(opened.key_text)
    officer = UserFactory(username="returning-officer", is_staff=True)
    grant(officer, Role.RETURNING_OFFICER)

    sign_in(page, "returning-officer")
    page.goto(f"/contests/{contest.slug}/")
    page.get_by_role("button", name="Close the ballot").click()
    page.get_by_text("Done: close the ballot").wait_for()

    page.goto(f"/results/{contest.slug}/count/")
    page.get_by_label("Ballot key file").set_input_files(str(key_file))
    page.get_by_role("button", name="Count the votes").click()
    page.get_by_role("heading", name="Preview: not yet declared").wait_for()
    assert "61.1%" in page.content()

    anonymous = browser.new_context(base_url=page.base_url)
    public = anonymous.new_page()
    response = public.goto(f"/results/{contest.slug}/")
    assert response is not None and response.status == 403

    page.get_by_role("button", name="Declare the result").click()
    page.get_by_text("The result is declared and now public.").wait_for()
    contest.refresh_from_db()
    assert contest.status == ContestStatus.DECLARED

    response = public.goto(f"/results/{contest.slug}/")
    assert response is not None and response.status == 200
    assert public.get_by_role("heading", level=1).inner_text() == "Result: Leadership election 2016"
    text = public.locator("main").inner_text()
    for figure in ("Jeremy Corbyn", "61.1%", "38.9%", "90.5%", "Members", "60.0%"):
        assert figure in text, figure
    charts = public.get_by_role("img")
    assert charts.count() >= 4
    assert public.get_by_role("img", name="Votes in round 1", exact=True).count() == 1
    assert public.get_by_role("table", name="Votes in round 1").count() == 1
    results = Axe().run(public)
    assert _serious(results.response["violations"]) == []
    anonymous.close()
