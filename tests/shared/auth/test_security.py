import uuid

import pytest

from shared.auth.security import (
    create_access_token,
    decode_access_token,
    hash_token,
    new_api_key,
    new_token,
)
from shared.errors import AuthenticationError


def test_tokens_are_unguessable_and_stored_as_sha256():
    first, second = new_token(), new_token()
    assert first != second and len(first) >= 43
    assert len(hash_token(first)) == 64 and hash_token(first) != first


def test_api_keys_have_the_sk_prefix_and_32_plus_random_characters():
    key = new_api_key()
    assert key.startswith("sk_") and len(key) - 3 >= 32


def test_access_tokens_round_trip():
    user_id, family_id = uuid.uuid4(), uuid.uuid4()
    token, lifetime = create_access_token(user_id, family_id)
    claims = decode_access_token(token)
    assert (claims.user_id, claims.session_family_id, lifetime) == (user_id, family_id, 3600)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x"])
def test_garbage_is_not_a_token(garbage):
    with pytest.raises(AuthenticationError):
        decode_access_token(garbage)
