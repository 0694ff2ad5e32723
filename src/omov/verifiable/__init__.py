"""The verifiable ballot's protocols as a pure library (decision 0004).

ElGamal over edwards25519's prime-order subgroup (libsodium through PyNaCl), a threshold key made by
the trustees, a Terelius–Wikström proof of a correct shuffle, Chaum–Pedersen proofs of decryption,
and the election record with its verifier. Imports neither Django nor any other omov package, so
anyone can verify a published record offline.
"""
