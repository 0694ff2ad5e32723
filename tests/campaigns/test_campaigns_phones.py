"""Phone numbers are normalised with `phonenumbers`; the default dialler is a tel: link."""

from __future__ import annotations

import pytest

from omov.campaigns.phones import TelLinkDialler, phone_display, phone_normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0115 496 0001", "+441154960001"),
        ("+44 (0)115 496 0001", "+441154960001"),
        ("07700 900123", "+447700900123"),
        ("+33 1 23 45 67 89", "+33123456789"),
        ("", None),
        ("12", None),
        ("not a number", None),
    ],
)
def test_numbers_are_normalised_to_e164(text: str, expected: str | None) -> None:
    assert phone_normalise(text) == expected


def test_the_tel_link_dials_the_normalised_number_and_shows_it_nationally() -> None:
    action = TelLinkDialler().dial_action("+441154960001")
    assert action.href == "tel:+441154960001"
    assert action.label == "Call 0115 496 0001"
    assert phone_display("+33123456789") == "+33 1 23 45 67 89"
