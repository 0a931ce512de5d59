"""Password hashes: argon2id made, legacy bcrypt accepted and replaced."""

import bcrypt
import pytest
from argon2 import PasswordHasher

from shared.users.passwords import hash_password, password_needs_rehash, verify_password


def test_passwords_verify_only_against_their_own_hash():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert verify_password("correct horse battery", hashed)
    assert not verify_password("wrong horse battery", hashed)


def test_a_missing_or_broken_hash_never_verifies():
    assert not verify_password("anything", None)
    assert not verify_password("anything", "not-a-hash")


# bcrypt hashes of "correct horse battery" as the seed systems stored them (cost 4 to keep tests quick)
BCRYPT_2B = "$2b$04$ce9sCHN9hNeALTcmqMiP5.Rha5A.L.C9B5dag2D5oxJOAJDtDswVW"
BCRYPT_2A = "$2a$04$QbgLs9EFE7DCwmQk2Pv86uLwNTFXzyOlxIRwp6ziYi6k0tKZtBcM."
BCRYPT_2Y = "$2y$" + BCRYPT_2B.removeprefix("$2b$")


@pytest.mark.parametrize("hashed", [BCRYPT_2A, BCRYPT_2B, BCRYPT_2Y])
def test_legacy_bcrypt_hashes_verify_and_always_need_a_rehash(hashed):
    assert verify_password("correct horse battery", hashed)
    assert not verify_password("wrong horse battery", hashed)
    assert password_needs_rehash(hashed)


def test_a_current_argon2_hash_needs_no_rehash_but_one_with_other_parameters_does():
    assert not password_needs_rehash(hash_password("correct horse battery"))
    weaker = PasswordHasher(time_cost=1, memory_cost=512).hash("correct horse battery")
    assert verify_password("correct horse battery", weaker)
    assert password_needs_rehash(weaker)


def test_bcrypt_compares_the_first_72_bytes_as_passlib_did():
    # GIVEN a hash passlib made of a long password (it silently kept 72 bytes)
    long_password = "é" * 40  # 80 bytes in UTF-8
    hashed = bcrypt.hashpw(long_password.encode()[:72], bcrypt.gensalt(rounds=4)).decode()
    # THEN that password still signs in, and one differing only past byte 72 does too, as it did there
    assert verify_password(long_password, hashed)
    assert verify_password(long_password[:36] + "x", hashed)
    assert not verify_password(long_password[:35], hashed)


@pytest.mark.parametrize("hashed", ["$2b$04$garbage", "$2b$04$" + "é" * 53, "$2y$"])
def test_a_malformed_bcrypt_hash_never_verifies(hashed):
    assert not verify_password("correct horse battery", hashed)
