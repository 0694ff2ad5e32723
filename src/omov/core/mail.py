"""Mail backends omov adds to Django's: a console backend that never logs a usable credential.

In development mail goes to the console, and the console is a log. Django's own console backend
would print every credential email whole, so anyone reading the log (or its copies) could vote as
those voters. This one prints the message with every ballot reference and security code masked
(the last few symbols stay, enough to tell messages apart), and with the query and fragment of
booth links removed.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.mail.backends.console import EmailBackend

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
