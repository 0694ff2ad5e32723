"""`omov volunteers import` and `omov events list|attendance|remind`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from campaigns_support import Campaigns, event_details
from omov.campaigns import events
from omov.campaigns.models import Volunteer
from omov.cli.main import main
from omov.core.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD = "Ann Andrews,ann@example.org,0115 496 0001,Nottingham,evenings"
FILE = "\n".join(
    [
        "name,email,phone,area,availability",
        GOOD,
        "Bob Brown,bob-at-example.org,0115 496 0002,Leeds,",
        ",cat@example.org,12,Hull,",
        "Ann Again,ANN@example.org,0115 496 0003,Derby,",
        "Dan Dyer,dan@example.org,+44 115 496 0004,Derby,weekends",
    ]
)


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_file_with_bad_rows_is_reported_line_by_line_and_imports_nothing(
    capsys: Any, campaigns: Campaigns, tmp_path: Path
) -> None:
    path = tmp_path / "volunteers.csv"
    path.write_text(FILE, encoding="utf-8")
    code, _out, err = run(
        capsys, "volunteers", "import", str(path), "--campaign", str(campaigns.corbyn.pk)
    )
    assert code == 2
    assert err.splitlines() == [
        f"{path}, line 3: email: give an email address such as name@example.org",
        f"{path}, line 4: name: give your name; phone: give a phone number with its area code, "
        "such as 0115 496 0123",
        f"{path}, line 5: email: ann@example.org is on line 2 already",
        "omov: Nothing imported: 3 row(s) have problems (listed above). Fix them, or run again "
        "with --accept-valid to import the 2 valid row(s).",
    ]
    assert not Volunteer.objects.exists()


def test_accept_valid_imports_the_good_rows_for_review(
    capsys: Any, campaigns: Campaigns, tmp_path: Path
) -> None:
    path = tmp_path / "volunteers.csv"
    path.write_text(FILE, encoding="utf-8")
    argv = ["volunteers", "import", str(path), "--campaign", str(campaigns.corbyn.pk)]
    code, out, err = run(capsys, *argv, "--accept-valid")
    assert code == 0
    assert "Imported 2 volunteer(s) into Jeremy Corbyn's campaign; 3 bad row(s) left out" in out
    phones = dict(Volunteer.objects.values_list("email", "phone"))
    assert phones == {"ann@example.org": "+441154960001", "dan@example.org": "+441154960004"}
    assert set(Volunteer.objects.values_list("status", flat=True)) == {"pending"}
    assert AuditEvent.objects.filter(action="campaign.volunteers_import").count() == 1
    path.write_text("name,email,phone,area,availability\n" + GOOD, encoding="utf-8")
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "ann@example.org is a volunteer of this campaign already" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,email\nAnn,ann@example.org", "Line 1: the file has no column phone, area."),
        (b"name,email,phone,area\nAnn \xff", "is not UTF-8"),
    ],
)
def test_a_file_of_the_wrong_shape_is_refused_with_where(
    capsys: Any, campaigns: Campaigns, tmp_path: Path, content: Any, message: str
) -> None:
    path = tmp_path / "volunteers.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    code, _out, err = run(
        capsys, "volunteers", "import", str(path), "--campaign", str(campaigns.corbyn.pk)
    )
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_an_unknown_campaign_is_named(capsys: Any, campaigns: Campaigns, tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text("name,email,phone,area\n", encoding="utf-8")
    code, _out, err = run(capsys, "events", "list", "--campaign", "999")
    assert (code, err) == (2, "omov: There is no campaign 999; see `omov campaign list`.\n")


def test_events_list_attendance_and_remind(capsys: Any, campaigns: Campaigns, evening: Any) -> None:
    main_event = events.event_create(campaign=campaigns.corbyn, details=event_details(capacity=2))
    leeds = events.event_create(
        campaign=campaigns.corbyn,
        details=event_details(venue="Leeds Town Hall", capacity=1),
        main_event=main_event,
    )
    for name in ("Ann", "Bob", "Cat"):
        events.rsvp_create(event=main_event, name=name, email=f"{name}@example.org", client_ip="a")
    events.rsvp_create(event=leeds, name="Dan", email="dan@example.org", client_ip="a")
    campaign = str(campaigns.corbyn.pk)
    code, out, _err = run(capsys, "events", "list", "--campaign", campaign)
    assert code == 0
    assert f"satellite of {main_event.pk}" in out and "Leeds Town Hall" in out
    code, out, _err = run(capsys, "events", "attendance", "--campaign", campaign)
    total = next(line for line in out.splitlines() if "all 2 venues" in line)
    assert total.split()[-5:] == ["3", "3", "1", "0", "0"]
    mail.outbox.clear()
    code, out, _err = run(capsys, "events", "remind", "--campaign", campaign)
    assert (code, out) == (0, "No reminder is due.\n")
    evening.move_to(main_event.starts_at - dt.timedelta(hours=3))
    code, out, _err = run(capsys, "events", "remind")
    assert (code, out) == (0, "Emailed 3 reminder(s).\n")
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ann@example.org",
        "bob@example.org",
        "dan@example.org",
    ]
    assert run(capsys, "events", "remind")[1] == "No reminder is due.\n"
