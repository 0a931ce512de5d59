"""The parity gate, run by the tests too: the shipped ONNX model against the PyTorch reference, 200+
texts (min cosine ≥ 0.99, mean top-10 neighbour overlap ≥ 0.95).

Skipped only where the export toolchain is absent (a machine that never ran `make model`)."""

import json

import numpy as np
import pytest

from infra.model.corpus import corpus
from infra.model.parity import min_cosine, passes_gate, top_k_overlap
from shared.embedding.service import embedding_service, model_dir

sentence_transformers = pytest.importorskip("sentence_transformers")


def test_min_cosine_against_the_pytorch_reference():
    manifest = json.loads((model_dir() / "manifest.json").read_text())
    reference = sentence_transformers.SentenceTransformer(manifest["source"], device="cpu")
    texts = corpus()
    expected = reference.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    actual = np.array(embedding_service.embed_batch(texts), dtype=np.float32)
    assert passes_gate(min_cosine(expected, actual), top_k_overlap(expected, actual, k=10))


def test_overlap_of_identical_sets_is_one():
    vectors = np.eye(12, dtype=np.float32)
    assert top_k_overlap(vectors, vectors, k=10) == 1.0
