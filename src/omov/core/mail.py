"""Bulk email and the mail backends omov adds to Django's.

``paced_send`` is the one loop every bulk email of omov runs through (credentials, reminders,
event invitations and reminders): batches on one open connection, no faster than
``OMOV_EMAIL_RATE`` messages a second, until a batch sends nothing.

The console backend never logs a usable credential.

In development mail goes to the console, and the console is a log. Django's own console backend
would print every credential email whole, so anyone reading the log (or its copies) could vote as
those voters. This one prints the message with every ballot reference and security code masked
(the last few symbols stay, enough to tell messages apart), and with the query and fragment of
booth links removed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.console import EmailBackend


def email_rate() -> float:
    """The bulk-email rate limit, messages a second (``OMOV_EMAIL_RATE``; 0 for no limit)."""
    return float(getattr(settings, "OMOV_EMAIL_RATE", 50))


def paced_send(
    send_batch: Callable[[Any, int], int],
    *,
    batch_size: int,
    rate: float | None = None,
    limit: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Send batches until one sends nothing (or ``limit`` are sent); return how many were sent.

    ``send_batch(connection, size)`` sends at most ``size`` messages on the open mail
    ``connection``, records them in its own transaction, and returns how many it sent. Between
    batches the loop sleeps as long as it takes to stay at ``rate`` messages a second (the
    setting when None; 0: no pause). The connection is closed however the loop ends.
    """
    rate = email_rate() if rate is None else rate
    started = time.monotonic()
    total = 0
    mail = get_connection(fail_silently=False)
    mail.open()
    try:
        while limit is None or total < limit:
            size = batch_size if limit is None else min(batch_size, limit - total)
            sent = send_batch(mail, size)
            if not sent:
                break
            total += sent
            if progress is not None:
                progress(sent)
            if rate > 0:
                ahead = total / rate - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
    finally:
        mail.close()
    return total


# Crockford base32 as omov writes credentials: references ABCDE-12345, codes WXYZ-1234; the link
# carries the reference after "#ref=" (or "?ref=" in old messages).
_SYMBOL = "[0-9A-HJKMNP-TV-Z]"
_DISPLAYED = re.compile(rf"\b({_SYMBOL}{{4,5}})-({_SYMBOL}{{4,5}})\b")
_IN_LINK = re.compile(r"([#?&]ref=)[^\s&#\"'<]+")


def credential_text_redact(text: str) -> str:
    """Return ``text`` with every displayed credential and booth-link reference masked."""
    text = _IN_LINK.sub(r"\1[hidden]", text)
    return _DISPLAYED.sub(lambda m: "*" * len(m.group(1)) + "-" + "*" * len(m.group(2)), text)


class RedactingConsoleBackend(EmailBackend):
    """Print messages to the console like Django's backend, with credentials masked."""

    def write_message(self, message: Any) -> None:
        """Write the headers that matter and the plain-text body, masked (never the raw MIME,
        whose encodings could split a credential where the mask would not see it)."""
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            str(message.body),
        ]
        alternatives = getattr(message, "alternatives", None) or []
        if alternatives:
            lines.append(f"({len(alternatives)} alternative part(s), such as HTML, not shown)")
        text = credential_text_redact("\n".join(lines))
        self.stream.write(text + "\n" + "-" * 79 + "\n")
