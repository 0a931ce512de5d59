"""Text embeddings on onnxruntime + tokenizers + numpy only (never torch or transformers).

The seed's EmbeddingService: a lazily loaded singleton with `generate_embedding(text)` returning 384
L2-normalised floats, plus `embed_batch(texts)`. The model is the ONNX export of `make model`
(pooling and normalisation are inside the graph), found in EMBEDDING_MODEL_DIR, /opt/model (the
Lambda layer) or layers/embedding/model."""

import threading
from pathlib import Path
from typing import Any

import numpy as np

from shared.embedding.manifest import EmbeddingModelMissing, embedding_threads, model_dir, read_manifest

__all__ = ["EmbeddingModelMissing", "EmbeddingService", "embedding_service", "model_dir"]

INTERNAL_BATCH = 32


class EmbeddingModel:
    """One ONNX session and its tokenizer."""

    def __init__(
        self,
        model: Path,
        tokenizer_file: Path,
        max_length: int,
        input_names: list[str],
        *,
        optimized: bool = False,
    ) -> None:
        """`optimized`: the graph was saved already optimised by `make model`, so loading it does not
        optimise it again (a cold start's largest cost after the imports)."""
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = embedding_threads()
        options.inter_op_num_threads = 1
        levels = onnxruntime.GraphOptimizationLevel
        options.graph_optimization_level = levels.ORT_DISABLE_ALL if optimized else levels.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.enable_padding()
        self.input_names = input_names

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text, in the order given. Texts are batched by length, so a batch pads its
        texts to a similar length instead of to the longest of the whole call."""
        by_length = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        rows: np.ndarray | None = None
        for start in range(0, len(texts), INTERNAL_BATCH):
            indices = by_length[start : start + INTERNAL_BATCH]
            encodings = self.tokenizer.encode_batch([texts[index] for index in indices])
            arrays: dict[str, Any] = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            }
            feed = {name: arrays[name] for name in self.input_names}
            embedded = self.session.run(None, feed)[0]
            if rows is None:
                rows = np.empty((len(texts), embedded.shape[1]), dtype=np.float32)
            rows[indices] = embedded
        return rows if rows is not None else np.zeros((0, 0), dtype=np.float32)


class EmbeddingService:
    """Loads the model on first use (thread-safe) and embeds text."""

    def __init__(self) -> None:
        self._model: EmbeddingModel | None = None
        self._manifest: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def initialize(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            directory = model_dir()
            manifest = read_manifest(directory)
            self._model = EmbeddingModel(
                directory / "model.onnx",
                directory / "tokenizer.json",
                manifest["max_length"],
                manifest["inputs"],
                optimized=manifest.get("graph_optimization") == "extended",
            )
            self._manifest = manifest

    @property
    def manifest(self) -> dict[str, Any]:
        self.initialize()
        assert self._manifest is not None
        return self._manifest

    @property
    def model_name(self) -> str:
        return str(self.manifest["model_name"])

    @property
    def dimensions(self) -> int:
        return int(self.manifest["dimensions"])

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        """L2-normalised embeddings, one per text, truncated at the model's max length."""
        if not texts:
            return []
        self.initialize()
        assert self._model is not None
        return self._model.embed(list(texts)).astype(np.float32).tolist()

    def generate_embedding(self, text: str) -> list[float]:
        return self.embed_batch([text])[0]


embedding_service = EmbeddingService()
