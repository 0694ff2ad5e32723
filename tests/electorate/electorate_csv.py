"""Helpers of the electorate tests that build roll files (a module name unique to this area)."""

from __future__ import annotations

HEADER = (
    "external_id,category,first_name,last_name,email,phone,postcode,branch,joined_on,status,"
    "arrears_paid_on,date_of_birth,affiliate,consent_email,consent_phone"
)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    """Return a roll file's bytes: the header and the given rows, one per line."""
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def lines_of(data: bytes) -> list[bytes]:
    """Split file bytes into lines as a file object would yield them."""
    return data.splitlines(keepends=True)
