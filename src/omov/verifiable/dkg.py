"""The trustees' key ceremony: Pedersen's joint-Feldman distributed key generation, with proofs.

Trustees are numbered 1…n. Each *dealer* ``i`` draws a polynomial ``f_i`` of degree ``t − 1``,
publishes Feldman commitments ``C_ik = a_ik·G`` and a Schnorr proof for ``a_i0``, and seals
``f_i(j)`` to each trustee ``j``'s communication key. A recipient checks its share against the
commitments and complains if it fails; the dealer answers by revealing that share, which anyone
checks. The qualified dealers' ``C_i0`` sum to the joint key; nobody ever holds its secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from omov.verifiable.group import IDENTITY, ORDER, Point, base_mult, random_scalar
from omov.verifiable.proofs import SchnorrProof, schnorr_prove, schnorr_verify


class CeremonyError(ValueError):
    """Raised for a share that cannot be opened or does not match its dealer's commitments."""


@dataclass(frozen=True, slots=True)
class Dealing:
    """What dealer ``dealer`` publishes: commitments, a proof for ``a_0``, sealed shares."""

    dealer: int
    commitments: tuple[Point, ...]
    proof: SchnorrProof
    sealed_shares: Mapping[int, bytes]


def trustee_label(index: int) -> str:
    """The name a trustee's proofs are bound to."""
    return f"trustee-{index}"


def polynomial_value(coefficients: Iterable[int], at: int) -> int:
    """Evaluate ``Σ a_k·at^k`` mod ℓ (Horner)."""
    value = 0
    for coefficient in reversed(list(coefficients)):
        value = (value * at + coefficient) % ORDER
    return value


def commitment_value(commitments: Iterable[Point], at: int) -> Point:
    """Evaluate ``Σ at^k·C_k``: the public image ``f(at)·G`` of a committed polynomial."""
    total = IDENTITY
    power = 1
    for commitment in commitments:
        total = total + commitment * power
        power = power * at % ORDER
    return total


def _share_plaintext(dealer: int, recipient: int, share: int) -> bytes:
    return f"omov-share:{dealer}:{recipient}:".encode() + share.to_bytes(32, "little")


def deal(
    *,
    context: bytes,
    dealer: int,
    threshold: int,
    recipients: Mapping[int, bytes],
) -> tuple[Dealing, list[int]]:
    """Deal a fresh polynomial; return the public dealing and its coefficients (kept secret by
    the dealer, to answer a complaint).

    ``recipients`` maps every trustee's number (the dealer's own included) to its X25519
    communication public key.
    """
    if not 1 <= threshold <= len(recipients):
        raise CeremonyError(f"the threshold must be between 1 and {len(recipients)}")
    coefficients = [random_scalar() for _ in range(threshold)]
    commitments = tuple(base_mult(coefficient) for coefficient in coefficients)
    proof = schnorr_prove(context=context, secret=coefficients[0], label=trustee_label(dealer))
    sealed: dict[int, bytes] = {}
    for recipient, public_key in sorted(recipients.items()):
        share = polynomial_value(coefficients, recipient)
        box = SealedBox(PublicKey(public_key))
        sealed[recipient] = box.encrypt(_share_plaintext(dealer, recipient, share))
    return Dealing(dealer, commitments, proof, sealed), coefficients


def dealing_is_well_formed(*, context: bytes, dealing: Dealing, threshold: int) -> bool:
    """Check a dealing's public part: ``t`` commitments and a valid proof for ``C_0``."""
    return len(dealing.commitments) == threshold and schnorr_verify(
        context=context,
        statement=dealing.commitments[0],
        proof=dealing.proof,
        label=trustee_label(dealing.dealer),
    )


def share_open(*, private_key: bytes, dealing: Dealing, recipient: int) -> int:
    """Open the share sealed to ``recipient`` in ``dealing`` (raises if it is missing or bad)."""
    sealed = dealing.sealed_shares.get(recipient)
    if sealed is None:
        raise CeremonyError(f"trustee {dealing.dealer} sent no share to trustee {recipient}")
    try:
        plaintext = SealedBox(PrivateKey(private_key)).decrypt(sealed)
    except CryptoError as error:
        raise CeremonyError(
            f"the share from trustee {dealing.dealer} to trustee {recipient} cannot be opened"
        ) from error
    prefix = f"omov-share:{dealing.dealer}:{recipient}:".encode()
    if not plaintext.startswith(prefix) or len(plaintext) != len(prefix) + 32:
        raise CeremonyError(
            f"the share from trustee {dealing.dealer} is not addressed to trustee {recipient}"
        )
    share = int.from_bytes(plaintext[len(prefix) :], "little")
    if share >= ORDER:
        raise CeremonyError(f"the share from trustee {dealing.dealer} is not a reduced scalar")
    return share


def share_matches(*, dealing: Dealing, recipient: int, share: int) -> bool:
    """Feldman's check: ``share·G = Σ recipient^k·C_k``."""
    return base_mult(share) == commitment_value(dealing.commitments, recipient)


def qualified_dealers(
    *,
    dealings: Mapping[int, Dealing],
    complaints: Iterable[tuple[int, int]],
    answers: Mapping[tuple[int, int], int],
) -> set[int]:
    """Return the dealers still qualified after complaints.

    ``complaints`` are ``(dealer, recipient)`` pairs; ``answers`` maps a pair to the share the
    dealer revealed. A complaint without an answer, or answered with a share that fails the
    Feldman check, disqualifies the dealer.
    """
    qualified = set(dealings)
    for dealer, recipient in complaints:
        if dealer not in dealings:
            continue
        answer = answers.get((dealer, recipient))
        if answer is None or not share_matches(
            dealing=dealings[dealer], recipient=recipient, share=answer
        ):
            qualified.discard(dealer)
    return qualified


def joint_public_key(dealings: Mapping[int, Dealing], qualified: Iterable[int]) -> Point:
    """The election key: the sum of the qualified dealers' ``C_0``."""
    total = IDENTITY
    for dealer in sorted(qualified):
        total = total + dealings[dealer].commitments[0]
    return total


def verification_key(
    dealings: Mapping[int, Dealing], qualified: Iterable[int], trustee: int
) -> Point:
    """Trustee ``trustee``'s public share ``x_j·G``, computed from public commitments only."""
    total = IDENTITY
    for dealer in sorted(qualified):
        total = total + commitment_value(dealings[dealer].commitments, trustee)
    return total


def secret_share(received: Mapping[int, int], qualified: Iterable[int]) -> int:
    """A trustee's secret share: the sum of the shares received from qualified dealers."""
    return sum(received[dealer] for dealer in qualified) % ORDER
