"""The embedding service: the exported model, on onnxruntime + tokenizers + numpy only."""

import json
import math
import os
import subprocess
import sys

from infra.local.options import REPO_ROOT
from infra.model.corpus import corpus
from infra.model.parity import passes_gate
from shared.embedding.service import MAX_BATCH, batches_by_length, embedding_service, model_dir


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_embeddings_are_384_normalised_floats():
    vector = embedding_service.generate_embedding("How do I reset my password?")
    assert len(vector) == 384
    assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, rel_tol=1e-4)


def test_a_batch_matches_single_embeddings():
    texts = ["短文本", "a somewhat longer English sentence about vector search", ""]
    batch = embedding_service.embed_batch(texts)
    for text, vector in zip(texts, batch, strict=True):
        assert cosine(vector, embedding_service.generate_embedding(text)) > 0.9999


def test_paraphrases_are_closer_than_unrelated_text():
    question = embedding_service.generate_embedding("How can I change my password?")
    paraphrase = embedding_service.generate_embedding("Steps to reset a forgotten password")
    unrelated = embedding_service.generate_embedding("The best pizza toppings in Naples")
    assert cosine(question, paraphrase) > cosine(question, unrelated) + 0.3


def test_text_past_the_max_length_is_truncated_not_refused():
    long_text = "vector search " * 2000
    assert len(embedding_service.generate_embedding(long_text)) == 384


def test_the_manifest_records_the_model_and_its_parity_gate():
    manifest = json.loads((model_dir() / "manifest.json").read_text())
    assert manifest["dimensions"] == 384 and manifest["pooling"] in ("mean", "cls")
    assert manifest["parity"]["texts"] >= 200
    shipped = manifest["candidates"][manifest["quantization"]]
    assert shipped["passes_gate"] and passes_gate(shipped["min_cosine"], shipped["top10_overlap"])
    assert manifest["candidates"]["fp32"]["min_cosine"] >= 0.999
    smaller_passing = [
        name
        for name, figures in manifest["candidates"].items()
        if figures["passes_gate"] and figures["bytes"] < shipped["bytes"]
    ]
    assert smaller_passing == []
    assert manifest["files"]["model.onnx"]["bytes"] == shipped["bytes"]
    assert set(manifest["files"]) == {"model.onnx", "tokenizer.json"}


def test_texts_batched_by_length_come_back_in_the_order_given():
    texts = [("long text " * 40).strip(), "short", "medium length text here", "", "x " * 90]
    batch = embedding_service.embed_batch(texts)
    for text, vector in zip(texts, batch, strict=True):
        assert cosine(vector, embedding_service.generate_embedding(text)) > 0.9999


def test_the_parity_corpus_is_varied_and_large_enough():
    texts = corpus()
    assert len(texts) >= 200
    assert any(len(t) > 2000 for t in texts) and "" in texts
    assert any("\u4e00" <= ch <= "\u9fff" for t in texts for ch in t)


def embed_in_a_fresh_interpreter(probe: str, **environment: str) -> str:
    """The last line `probe` prints, run after embedding 'hello' in a new interpreter."""
    code = (
        "import sys\n"
        "from shared.embedding.service import embedding_service\n"
        "assert len(embedding_service.generate_embedding('hello')) == 384\n" + probe
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return completed.stdout.strip().splitlines()[-1]


def test_using_it_loads_neither_torch_nor_transformers():
    probe = "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))"
    assert embed_in_a_fresh_interpreter(probe) == "[]"


def test_embedding_does_not_load_the_settings_or_pydantic():
    probe = "print(sorted(m for m in ('shared.config', 'pydantic', 'pydantic_settings') if m in sys.modules))"
    assert embed_in_a_fresh_interpreter(probe) == "[]"


def test_the_thread_count_and_model_folder_come_from_the_environment(tmp_path):
    probe = "print(embedding_service._model.session.get_session_options().intra_op_num_threads)"
    assert embed_in_a_fresh_interpreter(probe, EMBEDDING_THREADS="1") == "1"
    (tmp_path / "manifest.json").write_text("{}")
    folder = subprocess.run(
        [sys.executable, "-c", "from shared.embedding.manifest import model_dir; print(model_dir())"],
        cwd=REPO_ROOT,
        env={**os.environ, "EMBEDDING_MODEL_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert folder.stdout.strip() == str(tmp_path)


def test_a_bad_thread_count_falls_back_to_the_default(monkeypatch):
    from shared.embedding.manifest import embedding_threads

    monkeypatch.setenv("EMBEDDING_THREADS", "many")
    assert 1 <= embedding_threads() <= 2
    monkeypatch.setenv("EMBEDDING_THREADS", "3")
    assert embedding_threads() == 3


def test_runs_hold_texts_of_similar_length_so_short_ones_are_not_padded_to_long_ones():
    lengths = [6] * 20 + [200] * 2
    runs = batches_by_length(lengths)
    assert runs == [(0, 20), (20, 22)]


def test_runs_cover_every_text_once_in_order_and_hold_at_most_max_batch():
    lengths = sorted([3, 9, 9, 12, 40, 41, 41, 77, 128, 256] * 9)
    runs = batches_by_length(lengths)
    assert [i for start, end in runs for i in range(start, end)] == list(range(len(lengths)))
    assert all(0 < end - start <= MAX_BATCH for start, end in runs)


def test_texts_of_one_length_run_in_full_batches():
    runs = batches_by_length([19] * 100)
    assert len(runs) == 4 and sum(end - start for start, end in runs) == 100
    assert batches_by_length([]) == []
