"""The protocols of decision 0004: honest proofs verify; each tampered proof or input fails."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from nacl.public import PrivateKey

from omov.verifiable import dkg
from omov.verifiable.decryption import (
    combine,
    decryption_share_make,
    decryption_share_verify,
    lagrange_at_zero,
)
from omov.verifiable.elgamal import decode_table, decrypt, encrypt, reencrypt
from omov.verifiable.group import (
    GENERATOR,
    IDENTITY,
    ORDER,
    GroupError,
    Point,
    base_mult,
    random_scalar,
    scalar_from_hex,
    scalar_hex,
)
from omov.verifiable.proofs import (
    chaum_pedersen_prove,
    chaum_pedersen_verify,
    schnorr_prove,
    schnorr_verify,
)
from omov.verifiable.shuffle import rows_of, shuffle, shuffle_verify

CONTEXT = b"test election"


def test_points_outside_the_prime_order_subgroup_are_refused() -> None:
    small_order = bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa")
    not_on_curve = bytes.fromhex("02" + "00" * 31)
    torsioned = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
    for data in (small_order, not_on_curve, torsioned, b"\x00" * 31):
        with pytest.raises(GroupError):
            Point.from_bytes(data)
    assert Point.from_bytes(GENERATOR.data) == GENERATOR
    assert Point.from_bytes(IDENTITY.data) is IDENTITY


@given(st.integers(min_value=0, max_value=ORDER - 1), st.integers(min_value=0, max_value=ORDER - 1))
@example(0, 0)
@example(1, ORDER - 1)
@settings(max_examples=25, deadline=None)
def test_group_arithmetic_agrees_with_scalars(a: int, b: int) -> None:
    assert base_mult(a) + base_mult(b) == base_mult(a + b)
    assert base_mult(a) - base_mult(b) == base_mult(a - b)
    assert GENERATOR * a * b == base_mult(a * b)
    assert scalar_from_hex(scalar_hex(a)) == a


def test_a_scalar_not_reduced_is_refused() -> None:
    with pytest.raises(GroupError):
        scalar_from_hex(ORDER.to_bytes(32, "little").hex())


def test_encryption_round_trips_and_reencryption_keeps_the_content() -> None:
    secret = random_scalar()
    public_key = base_mult(secret)
    table = decode_table(5)
    for index in range(5):
        ciphertext = encrypt(public_key, index)
        again = reencrypt(public_key, ciphertext, random_scalar())
        assert again != ciphertext
        assert table[decrypt(secret, again).data] == index


def test_schnorr_honest_verifies_and_every_change_fails() -> None:
    secret = random_scalar()
    proof = schnorr_prove(context=CONTEXT, secret=secret, label="trustee-1")
    statement = base_mult(secret)
    assert schnorr_verify(context=CONTEXT, statement=statement, proof=proof, label="trustee-1")
    assert not schnorr_verify(context=b"other", statement=statement, proof=proof, label="trustee-1")
    assert not schnorr_verify(context=CONTEXT, statement=statement, proof=proof, label="trustee-2")
    assert not schnorr_verify(
        context=CONTEXT, statement=statement + GENERATOR, proof=proof, label="trustee-1"
    )
    for field in ("challenge", "response"):
        changed = dataclasses.replace(proof, **{field: (getattr(proof, field) + 1) % ORDER})
        assert not schnorr_verify(
            context=CONTEXT, statement=statement, proof=changed, label="trustee-1"
        )


def test_chaum_pedersen_honest_verifies_and_every_change_fails() -> None:
    secret = random_scalar()
    key = base_mult(secret)
    base = base_mult(random_scalar())
    result = base * secret
    proof = chaum_pedersen_prove(context=CONTEXT, secret=secret, base=base)
    assert chaum_pedersen_verify(context=CONTEXT, key=key, base=base, result=result, proof=proof)
    assert not chaum_pedersen_verify(
        context=b"other", key=key, base=base, result=result, proof=proof
    )
    assert not chaum_pedersen_verify(
        context=CONTEXT, key=key, base=base, result=result + GENERATOR, proof=proof
    )
    assert not chaum_pedersen_verify(
        context=CONTEXT, key=key + GENERATOR, base=base, result=result, proof=proof
    )
    assert not chaum_pedersen_verify(
        context=CONTEXT, key=key, base=base + GENERATOR, result=result, proof=proof
    )
    for field in ("challenge", "response"):
        changed = dataclasses.replace(proof, **{field: (getattr(proof, field) + 1) % ORDER})
        assert not chaum_pedersen_verify(
            context=CONTEXT, key=key, base=base, result=result, proof=changed
        )


def _ceremony(
    count: int, threshold: int, *, cheat: int | None = None
) -> tuple[dict[int, dkg.Dealing], dict[int, dict[int, int]]]:
    private = {j: PrivateKey.generate() for j in range(1, count + 1)}
    recipients = {j: bytes(key.public_key) for j, key in private.items()}
    dealings = {}
    for dealer in recipients:
        dealing, _ = dkg.deal(
            context=CONTEXT, dealer=dealer, threshold=threshold, recipients=recipients
        )
        dealings[dealer] = dealing
    if cheat is not None:
        honest = dealings[cheat]
        forged, _ = dkg.deal(
            context=CONTEXT, dealer=cheat, threshold=threshold, recipients=recipients
        )
        sealed = dict(honest.sealed_shares)
        sealed[1] = forged.sealed_shares[1]  # trustee 1 gets a share of another polynomial
        dealings[cheat] = dataclasses.replace(honest, sealed_shares=sealed)
    received = {
        j: {
            dealer: dkg.share_open(
                private_key=bytes(private[j]), dealing=dealings[dealer], recipient=j
            )
            for dealer in dealings
        }
        for j in recipients
    }
    return dealings, received


def test_key_ceremony_then_any_threshold_of_trustees_decrypts_with_proofs() -> None:
    dealings, received = _ceremony(3, 2)
    assert all(
        dkg.dealing_is_well_formed(context=CONTEXT, dealing=d, threshold=2)
        for d in dealings.values()
    )
    for j, shares in received.items():
        for dealer, share in shares.items():
            assert dkg.share_matches(dealing=dealings[dealer], recipient=j, share=share)
    qualified = dkg.qualified_dealers(dealings=dealings, complaints=[], answers={})
    public_key = dkg.joint_public_key(dealings, qualified)
    secrets = {j: dkg.secret_share(received[j], qualified) for j in received}
    for j, secret in secrets.items():
        assert base_mult(secret) == dkg.verification_key(dealings, qualified, j)
    ciphertext = encrypt(public_key, 3)
    table = decode_table(5)
    for subset in ([1, 2], [1, 3], [2, 3], [1, 2, 3]):
        shares = {}
        for j in subset:
            share = decryption_share_make(context=CONTEXT, secret=secrets[j], ciphertext=ciphertext)
            assert decryption_share_verify(
                context=CONTEXT,
                verification_key=dkg.verification_key(dealings, qualified, j),
                ciphertext=ciphertext,
                share=share,
            )
            shares[j] = share.share
        assert table[combine(ciphertext, shares).data] == 3
    # One share alone decrypts nothing.
    one = decryption_share_make(context=CONTEXT, secret=secrets[1], ciphertext=ciphertext)
    assert combine(ciphertext, {1: one.share}).data not in table


def test_a_wrong_decryption_share_fails_its_proof() -> None:
    dealings, received = _ceremony(3, 2)
    qualified = set(dealings)
    secret = dkg.secret_share(received[2], qualified)
    ciphertext = encrypt(dkg.joint_public_key(dealings, qualified), 1)
    honest = decryption_share_make(context=CONTEXT, secret=secret, ciphertext=ciphertext)
    wrong = dataclasses.replace(honest, share=honest.share + GENERATOR)
    key = dkg.verification_key(dealings, qualified, 2)
    assert not decryption_share_verify(
        context=CONTEXT, verification_key=key, ciphertext=ciphertext, share=wrong
    )
    other_key = dkg.verification_key(dealings, qualified, 3)
    assert not decryption_share_verify(
        context=CONTEXT, verification_key=other_key, ciphertext=ciphertext, share=honest
    )


def test_a_bad_share_is_caught_and_the_complaint_disqualifies_or_clears_the_dealer() -> None:
    dealings, received = _ceremony(3, 2, cheat=2)
    assert not dkg.share_matches(dealing=dealings[2], recipient=1, share=received[1][2])
    assert dkg.qualified_dealers(dealings=dealings, complaints=[(2, 1)], answers={}) == {1, 3}
    bad_answer = {(2, 1): received[1][2]}
    assert dkg.qualified_dealers(dealings=dealings, complaints=[(2, 1)], answers=bad_answer) == {
        1,
        3,
    }
    # A false complaint against an honest dealer is answered with a share that checks.
    good = {(3, 1): received[1][3]}
    assert dkg.qualified_dealers(dealings=dealings, complaints=[(3, 1)], answers=good) == {1, 2, 3}


def test_a_share_sealed_to_someone_else_cannot_be_opened() -> None:
    private = {j: PrivateKey.generate() for j in (1, 2)}
    recipients = {j: bytes(key.public_key) for j, key in private.items()}
    dealing, _ = dkg.deal(context=CONTEXT, dealer=1, threshold=2, recipients=recipients)
    moved = dataclasses.replace(dealing, sealed_shares={2: dealing.sealed_shares[1]})
    with pytest.raises(dkg.CeremonyError, match="cannot be opened"):
        dkg.share_open(private_key=bytes(private[2]), dealing=moved, recipient=2)


def test_lagrange_coefficients_reconstruct_a_polynomial_at_zero() -> None:
    coefficients = [random_scalar() for _ in range(3)]
    values = {j: dkg.polynomial_value(coefficients, j) for j in (2, 4, 5)}
    lagrange = lagrange_at_zero(list(values))
    assert sum(lagrange[j] * values[j] for j in values) % ORDER == coefficients[0]


@pytest.fixture(scope="module")
def mixed():  # type: ignore[no-untyped-def]
    secret = random_scalar()
    public_key = base_mult(secret)
    inputs = rows_of([encrypt(public_key, k % 5) for k in range(40)])
    outputs, proof = shuffle(context=CONTEXT, public_key=public_key, inputs=inputs)
    return secret, public_key, inputs, outputs, proof


class TestShuffle:
    def test_honest_shuffle_verifies_and_keeps_every_ballot(self, mixed) -> None:  # type: ignore[no-untyped-def]
        secret, public_key, inputs, outputs, proof = mixed
        assert shuffle_verify(
            context=CONTEXT, public_key=public_key, inputs=inputs, outputs=outputs, proof=proof
        )
        table = decode_table(5)
        before = sorted(table[decrypt(secret, row[0]).data] for row in inputs)
        after = sorted(table[decrypt(secret, row[0]).data] for row in outputs)
        assert before == after
        assert {row[0] for row in inputs}.isdisjoint({row[0] for row in outputs})

    def test_changed_inputs_or_outputs_fail(self, mixed) -> None:  # type: ignore[no-untyped-def]
        _, public_key, inputs, outputs, proof = mixed
        changed_output = list(outputs)
        changed_output[5] = (reencrypt(public_key, outputs[5][0], 1),)
        swapped = list(outputs)
        swapped[0], swapped[1] = swapped[1], swapped[0]
        replaced = list(inputs)
        replaced[7] = (encrypt(public_key, 0),)
        for ins, outs, key, context in (
            (inputs, changed_output, public_key, CONTEXT),
            (inputs, swapped, public_key, CONTEXT),
            (replaced, outputs, public_key, CONTEXT),
            (inputs[:-1], outputs[:-1], public_key, CONTEXT),
            (inputs, outputs, public_key + GENERATOR, CONTEXT),
            (inputs, outputs, public_key, b"another election"),
        ):
            assert not shuffle_verify(
                context=context, public_key=key, inputs=ins, outputs=outs, proof=proof
            )

    @pytest.mark.parametrize(
        "field",
        ["challenge", "response_bar", "response_hat", "response_tilde"],
    )
    def test_a_changed_scalar_fails(self, mixed, field) -> None:  # type: ignore[no-untyped-def]
        _, public_key, inputs, outputs, proof = mixed
        changed = dataclasses.replace(proof, **{field: (getattr(proof, field) + 1) % ORDER})
        assert not shuffle_verify(
            context=CONTEXT, public_key=public_key, inputs=inputs, outputs=outputs, proof=changed
        )

    @pytest.mark.parametrize(
        "field",
        [
            "permutation_commitments",
            "chain_commitments",
            "response_prime_rows",
            "responses_hat",
            "responses_prime",
        ],
    )
    def test_a_changed_list_entry_fails(self, mixed, field) -> None:  # type: ignore[no-untyped-def]
        _, public_key, inputs, outputs, proof = mixed
        values = list(getattr(proof, field))
        first = values[0]
        values[0] = first + GENERATOR if isinstance(first, Point) else (first + 1) % ORDER
        changed = dataclasses.replace(proof, **{field: tuple(values)})
        assert not shuffle_verify(
            context=CONTEXT, public_key=public_key, inputs=inputs, outputs=outputs, proof=changed
        )

    def test_a_proof_for_another_permutation_fails(self, mixed) -> None:  # type: ignore[no-untyped-def]
        _, public_key, inputs, _, _ = mixed
        outputs_a, _ = shuffle(context=CONTEXT, public_key=public_key, inputs=inputs)
        _, proof_b = shuffle(context=CONTEXT, public_key=public_key, inputs=inputs)
        assert not shuffle_verify(
            context=CONTEXT, public_key=public_key, inputs=inputs, outputs=outputs_a, proof=proof_b
        )


def test_rows_of_several_ciphertexts_shuffle_as_one() -> None:
    secret = random_scalar()
    public_key = base_mult(secret)
    inputs = [(encrypt(public_key, k), encrypt(public_key, k + 1)) for k in range(6)]
    outputs, proof = shuffle(context=CONTEXT, public_key=public_key, inputs=inputs)
    assert shuffle_verify(
        context=CONTEXT, public_key=public_key, inputs=inputs, outputs=outputs, proof=proof
    )
    table = decode_table(10)
    pairs = sorted(tuple(table[decrypt(secret, c).data] for c in row) for row in outputs)
    assert pairs == [(k, k + 1) for k in range(6)]
    broken = list(outputs)
    broken[0] = (outputs[0][0], outputs[1][1])
    assert not shuffle_verify(
        context=CONTEXT, public_key=public_key, inputs=inputs, outputs=broken, proof=proof
    )
