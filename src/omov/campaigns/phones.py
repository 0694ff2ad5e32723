"""Phone numbers and how a call is placed: normalised with `phonenumbers`, dialled by a ``Dialler``.

omov needs no telephony provider: the default dialler is the caller's own phone, through a
``tel:`` link. A provider (click-to-call, a browser softphone) can be added later as another
``Dialler`` chosen in settings, without touching the caller flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import phonenumbers

DEFAULT_REGION = "GB"


def phone_normalise(text: str, *, region: str = DEFAULT_REGION) -> str | None:
    """Return the number in E.164 form ("+447700900123"), or None when it cannot be a number.

    "Possible" (the right length for its country), not "valid" (in an allocated range): the
    allocation tables go stale between releases, and Ofcom's ranges for drama (07700 900xxx,
    0115 496 0xxx), which the demo and the tests use so that no real person is rung, are
    unallocated by design.
    """
    if not text or not text.strip():
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """Return a normalised number as a person reads it: national form for UK numbers."""
    parsed = phonenumbers.parse(e164, None)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == phonenumbers.country_code_for_region(DEFAULT_REGION)
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


@dataclass(frozen=True)
class DialAction:
    """What the caller's screen offers to place the call: a link and its words."""

    href: str
    label: str


class Dialler(Protocol):
    """Place a call to a normalised number; return what the caller's screen shows for it."""

    def dial_action(self, e164: str) -> DialAction: ...


class TelLinkDialler:
    """The caller's own phone dials: a ``tel:`` link (RFC 3966) to the normalised number."""

    def dial_action(self, e164: str) -> DialAction:
        return DialAction(href=f"tel:{e164}", label=f"Call {phone_display(e164)}")


def dialler() -> Dialler:
    """Return the dialler in use (the ``tel:`` link until a provider is configured)."""
    return TelLinkDialler()
