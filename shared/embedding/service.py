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

MAX_BATCH = 32  # texts per run: attention holds batch x heads x length^2 floats
RUN_COST_TOKENS = 48  # what one more run costs, in padded tokens (measured: 32-64 are best)


def batches_by_length(lengths: list[int]) -> list[tuple[int, int]]:
    """Split texts sorted by token count into runs `[start, end)` of at most MAX_BATCH, each padded to
    its longest text, so that padded tokens plus RUN_COST_TOKENS per run are fewest: a run of short
    texts no longer pads them to a long one, and short texts are not run one by one either. `lengths`
    is ascending, so a run's padded size is its count times its last length (dynamic programming over
    the split points)."""
    cost = [0] * (len(lengths) + 1)
    start_of = [0] * (len(lengths) + 1)
    for end in range(1, len(lengths) + 1):
        cost[end], start_of[end] = min(
            (cost[start] + RUN_COST_TOKENS + (end - start) * lengths[end - 1], start)
            for start in range(max(0, end - MAX_BATCH), end)
        )
    runs, end = [], len(lengths)
    while end > 0:
        runs.append((start_of[end], end))
        end = start_of[end]
    return runs[::-1]


def session_options(*, optimized: bool) -> Any:
    """onnxruntime's options for the model. `optimized`: the graph was saved already optimised by
    `make model`, so loading it does not optimise it again (a cold start's largest cost after the
    imports). It loads at the basic level only, whose constant folding turns int8-stored weights (a
    `DequantizeLinear` of an int8 initializer) into fp32 once; `session.disable_quant_qdq` lets it
    fold them instead of keeping them for quantised kernels."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = embedding_threads()
    options.inter_op_num_threads = 1
    levels = onnxruntime.GraphOptimizationLevel
    options.graph_optimization_level = levels.ORT_ENABLE_BASIC if optimized else levels.ORT_ENABLE_ALL
    options.add_session_config_entry("session.disable_quant_qdq", "1")
    return options


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
        import onnxruntime
        from tokenizers import Tokenizer

        self.session = onnxruntime.InferenceSession(
            str(model), session_options(optimized=optimized), providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.no_padding()
        self.input_names = input_names

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text, in the order given. Texts run in batches of similar token counts
        (`batches_by_length`), each padded to its own longest text."""
        encodings = self.tokenizer.encode_batch(texts)
        by_length = sorted(range(len(texts)), key=lambda index: len(encodings[index].ids))
        lengths = [len(encodings[index].ids) for index in by_length]
        rows: np.ndarray | None = None
        for start, end in batches_by_length(lengths):
            indices = by_length[start:end]
            inputs = self.padded_inputs([encodings[index] for index in indices], width=lengths[end - 1])
            embedded = self.session.run(None, inputs)[0]
            if rows is None:
                rows = np.empty((len(texts), embedded.shape[1]), dtype=np.float32)
            rows[indices] = embedded
        return rows if rows is not None else np.zeros((0, 0), dtype=np.float32)

    def padded_inputs(self, encodings: list[Any], width: int) -> dict[str, np.ndarray]:
        """The model's inputs for one run: ids, mask and token types, zero-padded to `width`."""
        arrays = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in self.input_names}
        for row, encoding in enumerate(encodings):
            length = len(encoding.ids)
            arrays["input_ids"][row, :length] = encoding.ids
            arrays["attention_mask"][row, :length] = 1
            if "token_type_ids" in arrays:
                arrays["token_type_ids"][row, :length] = encoding.type_ids
        return arrays


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
        return self._model.embed(list(texts)).tolist()  # float32 rows already

    def generate_embedding(self, text: str) -> list[float]:
        return self.embed_batch([text])[0]


embedding_service = EmbeddingService()
