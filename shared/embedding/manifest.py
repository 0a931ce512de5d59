"""Where the exported embedding model is and what its manifest says, without importing numpy or
onnxruntime (the detailed health check reads it in a function that never embeds)."""

import json
from pathlib import Path
from typing import Any

from shared.config import settings

LAMBDA_LAYER_MODEL_DIR = Path("/opt/model")
REPOSITORY_MODEL_DIR = Path(__file__).resolve().parents[2] / "layers" / "embedding" / "model"
MODEL_FILES = ("model.onnx", "tokenizer.json")


class EmbeddingModelMissing(RuntimeError):
    """No exported model was found; `make model` builds one."""


def model_dir() -> Path:
    candidates = [Path(settings.EMBEDDING_MODEL_DIR)] if settings.EMBEDDING_MODEL_DIR else []
    candidates += [LAMBDA_LAYER_MODEL_DIR, REPOSITORY_MODEL_DIR]
    for candidate in candidates:
        if (candidate / "manifest.json").exists():
            return candidate
    raise EmbeddingModelMissing(f"no embedding model in {', '.join(map(str, candidates))}; run `make model`")


def read_manifest(directory: Path | None = None) -> dict[str, Any]:
    """The manifest of the model in `directory` (else the one found), checking its files are there."""
    directory = directory or model_dir()
    missing = [name for name in MODEL_FILES if not (directory / name).exists()]
    if missing:
        raise EmbeddingModelMissing(f"the model in {directory} lacks {', '.join(missing)}")
    return dict(json.loads((directory / "manifest.json").read_text(encoding="utf-8")))
