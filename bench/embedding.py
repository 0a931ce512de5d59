"""Our ONNX embedding service against the sentence-transformers reference, in the same run.

(a) whole-process cold start, interpreter start to first embedding; (b) latency per query at batch 1;
(c) throughput at batch 32; (d) parity; (e) the embedding layer's unzipped size. Every measure runs
`--runs` times; (b) and (c) alternate ours and the reference round by round and report the medians.

    .venv/bin/python -m bench.embedding [--runs 5]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

OURS_COLD = (
    "from shared.embedding.service import embedding_service\n"
    "embedding_service.generate_embedding('How do I reset my password?')\n"
)
REFERENCE_COLD = (
    "import json, os\n"
    "os.environ['HF_HUB_OFFLINE'] = '1'\n"
    "from sentence_transformers import SentenceTransformer\n"
    "source = json.load(open('layers/embedding/model/manifest.json'))['source']\n"
    "model = SentenceTransformer(source, device='cpu')\n"
    "model.encode('How do I reset my password?', normalize_embeddings=True)\n"
)


def cold_start_seconds(code: str, runs: int) -> float:
    samples = []
    environment = {**os.environ, "PYTHONWARNINGS": "ignore", "TOKENIZERS_PARALLELISM": "false"}
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", code], cwd=REPO_ROOT, env=environment, check=True, capture_output=True
        )
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def package_bytes(*names: str) -> int:
    import importlib.util

    total = 0
    for name in names:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None
        root = Path(spec.origin).parent
        total += sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
        libs = root.parent / f"{name}.libs"
        if libs.exists():
            total += sum(f.stat().st_size for f in libs.rglob("*") if f.is_file())
    return total


def spread(ratios: list[float]) -> str:
    return f"{min(ratios):.1f}–{max(ratios):.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import warnings

    warnings.filterwarnings("ignore")
    import numpy as np

    from infra.model.corpus import corpus
    from infra.model.parity import (
        GATE_MIN_COSINE,
        GATE_MIN_TOP10_OVERLAP,
        min_cosine,
        passes_gate,
        top_k_overlap,
    )
    from shared.embedding.service import embedding_service, model_dir

    print("measuring cold starts ...", file=sys.stderr, flush=True)
    ours_cold = cold_start_seconds(OURS_COLD, args.runs)
    reference_cold = cold_start_seconds(REFERENCE_COLD, args.runs)

    from sentence_transformers import SentenceTransformer

    manifest = json.loads((model_dir() / "manifest.json").read_text())
    reference = SentenceTransformer(manifest["source"], device="cpu")
    texts = corpus()
    queries = [t for t in texts if 0 < len(t) < 300][:100]

    def latency_ms(embed) -> float:  # type: ignore[no-untyped-def]
        for query in queries:  # a warm-up pass: caches, thread pools and CPU clocks settle
            embed(query)
        samples = []
        for query in queries:
            started = time.perf_counter()
            embed(query)
            samples.append((time.perf_counter() - started) * 1000)
        return statistics.median(samples)

    def alternating(measure, ours, theirs) -> tuple[float, float, list[float]]:  # type: ignore[no-untyped-def]
        """`--runs` rounds, ours then the reference in each, so a slow moment of this machine falls on
        both sides: the medians and each round's ratio (ours over theirs)."""
        rounds = [(measure(ours), measure(theirs)) for _ in range(args.runs)]
        ratios = [mine / reference for mine, reference in rounds]
        return statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds), ratios

    print("measuring batch-1 latency ...", file=sys.stderr, flush=True)
    ours_latency, reference_latency, latency_rounds = alternating(
        latency_ms,
        embedding_service.generate_embedding,
        lambda q: reference.encode(q, normalize_embeddings=True),
    )

    batch = (queries * 6)[:512]

    def throughput(embed) -> float:  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        for start in range(0, len(batch), 32):
            embed(batch[start : start + 32])
        return len(batch) / (time.perf_counter() - started)

    print("measuring batch-32 throughput ...", file=sys.stderr, flush=True)
    ours_throughput, reference_throughput, throughput_rounds = alternating(
        throughput,
        embedding_service.embed_batch,
        lambda b: reference.encode(b, batch_size=32, normalize_embeddings=True),
    )

    expected = reference.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    ours = np.array(embedding_service.embed_batch(texts), dtype=np.float32)
    parity_cosine, parity_overlap = min_cosine(expected, ours), top_k_overlap(expected, ours, k=10)

    built_layer = REPO_ROOT / "layers" / "embedding" / "build"
    if built_layer.exists():  # what `make layers` built for Lambda (arm64, pruned)
        layer_source = "as `make layers` built it"
        layer_mb = sum(f.stat().st_size for f in built_layer.rglob("*") if f.is_file()) / 1e6
    else:  # an estimate from this machine's packages: run `make layers` for the real figure
        layer_source = "estimated, no `make layers` build"
        model_bytes = sum(f.stat().st_size for f in model_dir().iterdir() if f.is_file())
        layer_mb = (package_bytes("onnxruntime", "tokenizers", "numpy") + model_bytes) / 1e6

    rows = [
        (
            "(a) cold start, interpreter to first embedding",
            f"{ours_cold:.2f} s",
            f"{reference_cold:.2f} s",
            f"{reference_cold / ours_cold:.1f}x",
            "<= 0.5 s and >= 10x",
            ours_cold <= 0.5 and reference_cold / ours_cold >= 10,
        ),
        (
            "(b) latency per query, batch 1 (median)",
            f"{ours_latency:.1f} ms",
            f"{reference_latency:.1f} ms",
            f"{reference_latency / ours_latency:.1f}x (rounds {spread([1 / r for r in latency_rounds])})",
            ">= 3x",
            reference_latency / ours_latency >= 3,
        ),
        (
            "(c) throughput, batch 32",
            f"{ours_throughput:.0f} texts/s",
            f"{reference_throughput:.0f} texts/s",
            f"{ours_throughput / reference_throughput:.1f}x (rounds {spread(throughput_rounds)})",
            ">= 2x",
            ours_throughput / reference_throughput >= 2,
        ),
        (
            f"(d) parity over {len(texts)} texts ({manifest['quantization']})",
            f"min cos {parity_cosine:.4f}",
            "reference",
            f"top-10 overlap {parity_overlap:.3f}",
            f">= {GATE_MIN_COSINE} and >= {GATE_MIN_TOP10_OVERLAP}",
            passes_gate(parity_cosine, parity_overlap),
        ),
        (
            f"(e) embedding layer, unzipped ({layer_source})",
            f"{layer_mb:.0f} MB",
            "",
            "",
            "<= 120 MB",
            layer_mb <= 120,
        ),
    ]
    print("| measure | ours (onnxruntime) | reference (sentence-transformers) | ratio | target | met |")
    print("|---|---|---|---|---|---|")
    for name, ours_value, reference_value, ratio, target, met in rows:
        print(
            f"| {name} | {ours_value} | {reference_value} | {ratio} | {target} | {'yes' if met else 'no'} |"
        )


if __name__ == "__main__":
    main()
