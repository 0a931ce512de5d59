"""Where the exported embedding model is and what its manifest says, without importing numpy or
onnxruntime (the detailed health check reads it in a function that never embeds).

The embedding path reads its two settings, EMBEDDING_MODEL_DIR and EMBEDDING_THREADS, from the
environment itself: importing `shared.config` (pydantic-settings and the Settings class) would be
the largest part of an embedding's cold start. `shared.config` declares both for the docs."""

import json
import os
from pathlib import Path
from typing import Any

LAMBDA_LAYER_MODEL_DIR = Path("/opt/model")
REPOSITORY_MODEL_DIR = Path(__file__).resolve().parents[2] / "layers" / "embedding" / "model"
MODEL_FILES = ("model.onnx", "tokenizer.json")


class EmbeddingModelMissing(RuntimeError):
    """No exported model was found; `make model` builds one."""


def model_dir() -> Path:
    configured = os.environ.get("EMBEDDING_MODEL_DIR")
    candidates = [Path(configured)] if configured else []
    candidates += [LAMBDA_LAYER_MODEL_DIR, REPOSITORY_MODEL_DIR]
    for candidate in candidates:
        if (candidate / "manifest.json").exists():
            return candidate
    raise EmbeddingModelMissing(f"no embedding model in {', '.join(map(str, candidates))}; run `make model`")


def embedding_threads() -> int:
    """onnxruntime's intra-op threads: EMBEDDING_THREADS, else min(2, CPUs). Lambda gives a function
    ~1 vCPU per 1.8 GB: more threads than cores only adds contention."""
    configured = os.environ.get("EMBEDDING_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return min(2, os.cpu_count() or 1)


def read_manifest(directory: Path | None = None) -> dict[str, Any]:
    """The manifest of the model in `directory` (else the one found), checking its files are there."""
    directory = directory or model_dir()
    missing = [name for name in MODEL_FILES if not (directory / name).exists()]
    if missing:
        raise EmbeddingModelMissing(f"the model in {directory} lacks {', '.join(missing)}")
    return dict(json.loads((directory / "manifest.json").read_text(encoding="utf-8")))
