"""RSVP codes and cancel links: derived from a stored nonce with a server key (decision 0015).

The database keeps, per RSVP, a random nonce and the keyed hashes of its code and of its cancel
token. Whoever holds only the database can neither read a code nor forge a cancel link (both
need the server key); the server can re-derive them to put the same code in a reminder. The code
is 8 symbols of Crockford base32 (40 bits) written ``ABCD-1234``, short enough to read out at a
door; it is only ever checked by a signed-in organiser of the event's campaign, so guessing it
online is not an attack anyone can mount.
"""

from __future__ import annotations

import io
import secrets

import segno
from django.utils.crypto import salted_hmac

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
CODE_LENGTH = 8


def nonce_new() -> str:
    """Return a fresh random nonce for one RSVP."""
    return secrets.token_hex(16)


def _derive(nonce: str, purpose: str, length: int) -> str:
    digest = salted_hmac(f"omov.campaigns.rsvp.{purpose}", nonce, algorithm="sha256").digest()
    number = int.from_bytes(digest, "big")
    symbols = []
    for _ in range(length):
        number, index = divmod(number, 32)
        symbols.append(_ALPHABET[index])
    return "".join(symbols)


def code_of(nonce: str) -> str:
    """Return the RSVP code of ``nonce`` as shown to people: ``ABCD-1234``."""
    code = _derive(nonce, "code", CODE_LENGTH)
    return f"{code[:4]}-{code[4:]}"


def cancel_token_of(nonce: str) -> str:
    """Return the token of the RSVP's cancel link (130 bits)."""
    return _derive(nonce, "cancel", 26)


def code_normalise(text: str) -> str:
    """Return a typed or scanned code in its stored form: upper case, no separators.

    Accepts what door staff type: lower case, spaces, dashes, and O/I/L for 0/1/1.
    """
    return "".join(ch for ch in text.upper() if ch.isalnum()).translate(_CONFUSABLE)


def lookup_hash(purpose: str, value: str) -> str:
    """Return the keyed hash under which a code (normalised) or a cancel token is stored."""
    return salted_hmac(
        f"omov.campaigns.rsvp.lookup.{purpose}", value, algorithm="sha256"
    ).hexdigest()


def code_hash_of(nonce: str) -> str:
    return lookup_hash("code", code_normalise(code_of(nonce)))


def cancel_hash_of(nonce: str) -> str:
    return lookup_hash("cancel", cancel_token_of(nonce))


def code_qr_png(text: str) -> bytes:
    """Return a QR code of ``text`` as a PNG image (for the confirmation email)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()
