"""Password hashes: argon2id made, legacy bcrypt accepted and replaced."""

from shared.users.passwords import hash_password, verify_password


def test_passwords_verify_only_against_their_own_hash():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password("correct horse battery", hashed)
    assert not verify_password("wrong horse battery", hashed)


def test_a_missing_or_broken_hash_never_verifies():
    assert not verify_password("anything", None)
    assert not verify_password("anything", "not-a-hash")
