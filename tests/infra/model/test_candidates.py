"""The int8-stored candidate: int8 weights on disk, fp32 weights once shared.embedding loads them.

Runs where the export toolchain (onnx) is installed, as `make test` installs it."""

import numpy as np
import pytest

from infra.model import candidates
from shared.embedding.service import session_options

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


@pytest.fixture()
def fp32_graph(tmp_path):
    """ids -> Gather(a 2,000-row table) and x -> MatMul(a 64 x 128 weight), as the export has them."""
    rng = np.random.default_rng(3)
    table = rng.normal(size=(2000, 8)).astype(np.float32)
    weight = rng.normal(size=(64, 128)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("Gather", ["table", "ids"], ["rows"], axis=0),
            helper.make_node("MatMul", ["x", "weight"], ["y"]),
        ],
        "tiny",
        [
            helper.make_tensor_value_info("ids", TensorProto.INT64, ["n"]),
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["b", 64]),
        ],
        [
            helper.make_tensor_value_info("rows", TensorProto.FLOAT, ["n", 8]),
            helper.make_tensor_value_info("y", TensorProto.FLOAT, ["b", 128]),
        ],
        initializer=[numpy_helper.from_array(table, "table"), numpy_helper.from_array(weight, "weight")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = tmp_path / "fp32.onnx"
    onnx.save(model, str(path))
    feed = {"ids": np.array([0, 7, 1999], dtype=np.int64), "x": rng.normal(size=(3, 64)).astype(np.float32)}
    return path, feed, {"rows": table[feed["ids"]], "y": feed["x"] @ weight}


def run(path, feed, options):
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return dict(zip(["rows", "y"], session.run(["rows", "y"], feed), strict=True))


def test_the_weights_are_stored_as_int8_with_one_scale_per_column_or_row(fp32_graph, tmp_path):
    fp32, _, _ = fp32_graph
    stored = tmp_path / "int8-stored.onnx"
    candidates.int8_stored(fp32, stored)
    model = onnx.load(str(stored))
    types = {i.name: i.data_type for i in model.graph.initializer}
    assert types["weight_int8"] == TensorProto.INT8 and types["table_int8"] == TensorProto.INT8
    assert "weight" not in types and "table" not in types
    assert [n.op_type for n in model.graph.node].count("DequantizeLinear") == 1  # the MatMul's weight
    assert "MatMulNBits" not in {n.op_type for n in model.graph.node}
    assert stored.stat().st_size < fp32.stat().st_size * 0.4  # int8, plus a float per row or column


def test_loading_turns_the_matmul_weight_back_into_fp32_once(fp32_graph, tmp_path):
    fp32, feed, expected = fp32_graph
    stored = tmp_path / "int8-stored.onnx"
    candidates.int8_stored(fp32, stored)
    # WHEN shared.embedding's options load it (and the loaded graph is saved to look at)
    options = session_options(optimized=True)
    options.optimized_model_filepath = str(tmp_path / "as-loaded.onnx")
    outputs = run(stored, feed, options)
    # THEN the MatMul runs on an fp32 weight: the DequantizeLinear was folded when the session loaded
    loaded = onnx.load(str(tmp_path / "as-loaded.onnx"))
    assert "DequantizeLinear" not in {n.op_type for n in loaded.graph.node}
    matmul = next(n for n in loaded.graph.node if n.op_type == "MatMul")
    weight = next(i for i in loaded.graph.initializer if i.name == matmul.input[1])
    assert weight.data_type == TensorProto.FLOAT
    # AND the outputs differ from fp32 only by the weights' rounding (one scale per column or row)
    for name in ("rows", "y"):
        error = np.abs(outputs[name] - expected[name]).max() / np.abs(expected[name]).max()
        assert error < 0.02
