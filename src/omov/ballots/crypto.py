"""The secrets of the ballot: credentials, their keyed hashes, sealed ballots and the count key.

Credentials: a ballot reference of 10 characters and a security code of 8 characters, both drawn
with ``secrets`` from Crockford's base32 alphabet (32 symbols, no I, L, O or U), so the reference
carries 50 bits and the code 40 bits: 90 bits together. Both are stored only as HMAC-SHA256 under
``settings.CREDENTIAL_KEY``; a credential is found by the hash of its reference.

Ballots: a small JSON payload, padded with spaces to the contest's fixed length, sealed with a
libsodium sealed box (X25519 + XSalsa20-Poly1305) to the contest's count key. The receipt is the
first 16 base32 characters of SHA-256 of the ciphertext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 10
CODE_LENGTH = 8
# Characters people confuse are read as the ones the alphabet keeps.
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
KEY_FILE_HEADER = "# omov count key"
CHANNELS = ("online", "paper")


@dataclass(frozen=True)
class IssuedCredential:
    """A credential's two secrets in plain text: exists only in memory, on its way to the voter."""

    reference: str
    code: str

    @property
    def reference_display(self) -> str:
        return f"{self.reference[:5]}-{self.reference[5:]}"

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


def _random_symbols(length: int) -> str:
    """Return ``length`` symbols of the alphabet, 5 uniformly random bits each, from one read."""
    number = int.from_bytes(secrets.token_bytes((5 * length + 7) // 8), "big")
    symbols = []
    for _ in range(length):
        symbols.append(ALPHABET[number & 31])
        number >>= 5
    return "".join(symbols)


def credential_generate() -> IssuedCredential:
    """Draw a fresh reference and security code (90 bits together)."""
    drawn = _random_symbols(REFERENCE_LENGTH + CODE_LENGTH)
    return IssuedCredential(drawn[:REFERENCE_LENGTH], drawn[REFERENCE_LENGTH:])


def normalise(text: str) -> str:
    """Read what a person typed: ignore case, spaces and dashes; map confusable letters."""
    cleaned = "".join(ch for ch in str(text).upper() if ch not in " -\t\n.")
    return cleaned.translate(_CONFUSABLE)


def is_well_formed_reference(reference: str) -> bool:
    return len(reference) == REFERENCE_LENGTH and all(ch in ALPHABET for ch in reference)


def is_well_formed_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in ALPHABET for ch in code)


def _keyed_hash(message: str) -> str:
    key = str(settings.CREDENTIAL_KEY).encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def reference_hash(reference: str) -> str:
    """Return the keyed hash under which a credential is stored and looked up."""
    return _keyed_hash(f"reference:{reference}")


def code_proof(reference: str, code: str) -> str:
    """Return the proof that someone knew this credential's security code (64 hex characters).

    The proof is HMAC(credential key, reference and code). The database stores only its SHA-256
    (:func:`code_hash`), so the proof cannot be read from the database, and it cannot be made
    without the plaintext code. The booth pass carries it (see ``booth_pass``): the site's
    secret key alone can sign a pass but cannot make the proof inside it.
    """
    return _keyed_hash(f"code:{reference}:{code}")


def code_hash_of_proof(proof: str) -> str:
    """Return what the database stores for a code: the SHA-256 of its proof."""
    return hashlib.sha256(f"omov-code-proof:{proof}".encode()).hexdigest()


def code_hash(reference: str, code: str) -> str:
    """Return the stored hash of a security code (bound to its reference)."""
    return code_hash_of_proof(code_proof(reference, code))


def code_matches(stored_hash: str, reference: str, code: str) -> bool:
    return hmac.compare_digest(stored_hash, code_hash(reference, code))


def code_hash_is_legacy(stored_hash: str, reference: str, code: str) -> bool:
    """Tell whether the stored hash is the older form (the proof itself) for this code."""
    return bool(stored_hash) and hmac.compare_digest(stored_hash, code_proof(reference, code))


def proof_matches(stored_hash: str, proof: str) -> bool:
    """Tell whether a booth pass's proof belongs to the code whose hash is stored."""
    if not stored_hash or len(proof) != 64:
        return False
    return hmac.compare_digest(stored_hash, code_hash_of_proof(proof))


def keying_secret_generate() -> bytes:
    """Return a fresh secret for one postal batch's keyings (destroyed when the batch settles)."""
    return secrets.token_bytes(32)


def keying_fingerprint(secret: bytes, paper_number: int, outcome: str, detail: str) -> str:
    """Return the fingerprint of one keying of a ballot paper, under its batch's own secret.

    Compares two blind keyings without storing either. Keyed by the batch's secret, never by the
    credential key: the paper carries no reference, and once the batch is settled the secret is
    gone, so a stored fingerprint can no longer be tested against any ranking.
    """
    message = f"paper:{paper_number}:{outcome}:{detail}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


# -- The count key and sealed ballots -------------------------------------------------------


def count_key_generate() -> tuple[bytes, bytes]:
    """Return a fresh (private key, public key) pair, 32 bytes each."""
    private = PrivateKey.generate()
    return bytes(private), bytes(private.public_key)


def count_key_text(private_key: bytes, contest_slug: str) -> str:
    """Return the key file's text: a comment line and the base64 private key."""
    encoded = base64.b64encode(private_key).decode()
    return (
        f"{KEY_FILE_HEADER} for contest {contest_slug}. Keep it secret and safe: without it the "
        f"ballots cannot be counted.\n{encoded}\n"
    )


def count_key_parse(data: bytes | str) -> bytes:
    """Read a private count key from raw bytes or a key file's text; ValueError when unreadable."""
    if isinstance(data, bytes) and len(data) == 32:
        return data
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    body = [line for line in lines if not line.startswith("#")]
    if len(body) != 1:
        raise ValueError("a count key file has one line of base64 after its comment")
    try:
        key = base64.b64decode(body[0], validate=True)
    except (ValueError, base64.binascii.Error) as error:  # type: ignore[attr-defined]
        raise ValueError("the key is not valid base64") from error
    if len(key) != 32:
        raise ValueError("the key is not 32 bytes long")
    return key


def public_key_of(private_key: bytes) -> bytes:
    return bytes(PrivateKey(private_key).public_key)


def payload_length_for(candidate_ids: Sequence[int]) -> int:
    """Return the fixed plaintext length for a ballot: the longest payload, rounded up to 64."""
    longest = payload_encode(
        list(candidate_ids), "affiliated_supporter", "online", pad_to=None
    ).__len__()
    return ((longest + 16) // 64 + 1) * 64


def payload_encode(
    ranking: Sequence[int], category: str, channel: str, *, pad_to: int | None
) -> bytes:
    """Encode a ballot's plaintext as compact JSON, padded with spaces to ``pad_to`` bytes."""
    raw = json.dumps(
        {"ranking": list(ranking), "category": category, "channel": channel},
        separators=(",", ":"),
    ).encode()
    if pad_to is None:
        return raw
    if len(raw) > pad_to:
        raise ValueError("the ballot is longer than the contest's fixed ballot length")
    return raw + b" " * (pad_to - len(raw))


def payload_decode(raw: bytes) -> dict[str, object]:
    data = json.loads(raw.decode())
    if not isinstance(data, dict):
        raise ValueError("a ballot payload is a JSON object")
    return data


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    return SealedBox(PublicKey(public_key)).encrypt(plaintext)


def opener(private_key: bytes) -> SealedBox[PrivateKey]:
    return SealedBox(PrivateKey(private_key))


def unseal(box: SealedBox[PrivateKey], ciphertext: bytes) -> bytes:
    """Open one sealed ballot; ValueError when the key does not open it."""
    try:
        return box.decrypt(ciphertext)
    except CryptoError as error:
        raise ValueError("this key does not open the ballot") from error


def unseal_many(private_key: bytes, ciphertexts: Sequence[bytes]) -> list[bytes]:
    """Open many sealed ballots using every core; ValueError when the key opens one not.

    libsodium releases the GIL while it works, so threads scale with the cores. The output
    order differs from the input order (chunks are interleaved); callers shuffle first anyway.
    """
    workers = max(1, min(os.cpu_count() or 1, 8, len(ciphertexts) // 2000 or 1))
    chunks = [ciphertexts[start::workers] for start in range(workers)]

    def open_chunk(chunk: Sequence[bytes]) -> list[bytes]:
        box = opener(private_key)
        return [unseal(box, ciphertext) for ciphertext in chunk]

    if workers == 1:
        return open_chunk(ciphertexts)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        opened = list(pool.map(open_chunk, chunks))
    return [plaintext for chunk in opened for plaintext in chunk]


def receipt_of(ciphertext: bytes) -> str:
    """Return the receipt: the first 16 base32 characters of SHA-256 of the sealed ballot."""
    return base64.b32encode(hashlib.sha256(ciphertext).digest()).decode()[:16]
