"""A trustee's secrets at rest: Argon2id from a passphrase, then XSalsa20-Poly1305 (libsodium).

The file is written once (refused if it exists) with mode 0600 and holds JSON. Nothing here ever
goes to the server or into the election record.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nacl import pwhash, secret, utils
from nacl.exceptions import CryptoError

_MAGIC = b"omov-trustee-secret/1\n"
OPERATIONS = pwhash.argon2id.OPSLIMIT_MODERATE
MEMORY = pwhash.argon2id.MEMLIMIT_MODERATE


class KeystoreError(ValueError):
    """Raised for a missing, damaged or wrongly unlocked secret file."""


def secret_write(
    path: Path,
    content: dict[str, Any],
    passphrase: str,
    *,
    operations: int = OPERATIONS,
    memory: int = MEMORY,
) -> None:
    """Encrypt ``content`` under ``passphrase`` into a new file (never overwrite one)."""
    if len(passphrase) < 8:
        raise KeystoreError("the passphrase must be at least 8 characters long")
    salt = utils.random(pwhash.argon2id.SALTBYTES)
    key = pwhash.argon2id.kdf(
        secret.SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=operations, memlimit=memory
    )
    box = secret.SecretBox(key).encrypt(json.dumps(content, sort_keys=True).encode())
    header = json.dumps({"operations": operations, "memory": memory}).encode() + b"\n"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise KeystoreError(f"{path} already exists; a secret file is written only once") from error
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(_MAGIC + header + salt + box)


def secret_read(path: Path, passphrase: str) -> dict[str, Any]:
    """Decrypt a secret file; a wrong passphrase or a changed file is refused."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise KeystoreError(f"cannot read {path}: {error.strerror}") from error
    if not data.startswith(_MAGIC):
        raise KeystoreError(f"{path} is not an omov trustee secret file")
    header_line, _, rest = data[len(_MAGIC) :].partition(b"\n")
    try:
        header = json.loads(header_line)
        operations, memory = int(header["operations"]), int(header["memory"])
    except (ValueError, KeyError, TypeError) as error:
        raise KeystoreError(f"{path} has a damaged header") from error
    salt, box = rest[: pwhash.argon2id.SALTBYTES], rest[pwhash.argon2id.SALTBYTES :]
    key = pwhash.argon2id.kdf(
        secret.SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=operations, memlimit=memory
    )
    try:
        plaintext = secret.SecretBox(key).decrypt(box)
    except CryptoError as error:
        raise KeystoreError(f"wrong passphrase for {path}, or the file was changed") from error
    content: dict[str, Any] = json.loads(plaintext)
    return content
