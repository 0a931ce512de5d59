"""Parity measures between embedding sets (rows are L2-normalised), and the gate a shipped model
passes against the PyTorch reference on the parity corpus."""

from pathlib import Path

import numpy as np

GATE_MIN_COSINE = 0.99
GATE_MIN_TOP10_OVERLAP = 0.95


def passes_gate(min_cosine: float, top10_overlap: float) -> bool:
    return min_cosine >= GATE_MIN_COSINE and top10_overlap >= GATE_MIN_TOP10_OVERLAP


def embed_with_onnx(
    model: Path,
    tokenizer_file: Path,
    texts: list[str],
    max_length: int,
    input_names: list[str],
    *,
    optimized: bool = False,
) -> np.ndarray:
    """Embed with onnxruntime + tokenizers exactly as shared.embedding does."""
    from shared.embedding.service import EmbeddingModel

    return EmbeddingModel(model, tokenizer_file, max_length, input_names, optimized=optimized).embed(texts)


def min_cosine(expected: np.ndarray, actual: np.ndarray) -> float:
    return float(np.min(np.sum(expected * actual, axis=1)))


def top_k_overlap(reference: np.ndarray, candidate: np.ndarray, k: int = 10) -> float:
    """Mean share of each text's k nearest neighbours (itself excluded) that both sets agree on."""

    def neighbours(vectors: np.ndarray) -> np.ndarray:
        similarity = vectors @ vectors.T
        np.fill_diagonal(similarity, -np.inf)
        return np.argsort(-similarity, axis=1)[:, :k]

    ours, theirs = neighbours(reference), neighbours(candidate)
    return float(np.mean([len(set(a) & set(b)) / k for a, b in zip(ours, theirs, strict=True)]))
