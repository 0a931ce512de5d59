"""Helpers of the connection tests, whose target is the `shop` fixture (tests/shop.py): an owner, a
connection of theirs to it, analysed by the worker's own function; embeddings made once per run."""

from typing import Any

import pytest

from tests.accounts import bearer, signup
from tests.shop import SHOP_TABLES, Shop

__all__ = ["SHOP_TABLES", "analysed", "create"]
_embeddings: dict[str, list[float]] = {}


@pytest.fixture(autouse=True)
def embeddings_made_once(monkeypatch):  # type: ignore[no-untyped-def]
    """Each distinct text is embedded by the real model once per run: every analysis of the shop embeds
    the same 17 documents, which would otherwise cost seconds per test on a busy machine."""
    from shared.embedding.service import EmbeddingService

    embed_batch = EmbeddingService.embed_batch

    def remembered(self: EmbeddingService, texts: list[str]) -> list[list[float]]:
        missing = [text for text in dict.fromkeys(texts) if text not in _embeddings]
        if missing:
            _embeddings.update(zip(missing, embed_batch(self, missing), strict=True))
        return [_embeddings[text] for text in texts]

    monkeypatch.setattr(EmbeddingService, "embed_batch", remembered)


@pytest.fixture
def owner(client, mailbox) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A signed-in user's tokens."""
    return signup(client)


def create(client, account, body: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = client.post("/v1/connections", headers=bearer(account), json=body)
    assert response.status_code == 201, response.text
    return response.json()


def analysed(client, db, account, shop: Shop, **overrides: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A connection of `account` to the shop, analysed by the worker's own function (the queue's
    message is left unread)."""
    from shared.connections import analysis

    connection = create(client, account, shop.fields(**overrides))
    assert analysis.run(db, connection["id"]) == "ready"
    return client.get(f"/v1/connections/{connection['id']}", headers=bearer(account)).json()


@pytest.fixture
def ready(client, db, owner, shop, aws) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The owner's analysed connection to the shop."""
    return analysed(client, db, owner, shop)
