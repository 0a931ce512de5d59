"""The smaller models `make model` weighs against the fp32 export, and the offline graph optimisation.

Each builder takes the fp32 ONNX file and writes one candidate:

- `int8-dynamic`: onnxruntime's dynamic quantisation of every MatMul (int8 weights, activations
  quantised per call). Small and fast, but it quantises the activations too, which costs precision.
- `int8-weights`: the MatMul weights as 8-bit blocks of 32 (`MatMulNBits`, computed on int8 with
  accuracy level 4) and the word-embedding table as int8 rows with one scale each; the activations of
  the MatMuls are quantised per block of 32 values, so precision holds where per-tensor scales lose it.

`optimize` saves onnxruntime's extended graph optimisations (fused attention, layer norm and GELU) so
that a cold start loads a ready graph instead of optimising it again. It stops at the extended level:
the level above it rewrites layouts for the CPU it runs on, and the layer must run on any CPU."""

from collections.abc import Callable
from pathlib import Path

import numpy as np

WEIGHT_BITS = 8
WEIGHT_BLOCK = 32
INT8_COMPUTE = 4  # MatMulNBits accuracy level 4: int8 products of the blocks, fp32 sums
EMBEDDING_TABLE_MIN_ROWS = 1000  # the vocabulary table, not the position or token-type tables


def int8_dynamic(fp32: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fp32),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )


def int8_weights(fp32: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import (
        DefaultWeightOnlyQuantConfig,
        MatMulNBitsQuantizer,
    )

    config = DefaultWeightOnlyQuantConfig(
        block_size=WEIGHT_BLOCK,
        is_symmetric=True,
        accuracy_level=INT8_COMPUTE,
        bits=WEIGHT_BITS,
        op_types_to_quantize=("MatMul",),
    )
    quantizer = MatMulNBitsQuantizer(
        onnx.load(str(fp32)),
        bits=WEIGHT_BITS,
        block_size=WEIGHT_BLOCK,
        is_symmetric=True,
        accuracy_level=INT8_COMPUTE,
        algo_config=config,
        op_types_to_quantize=("MatMul",),
    )
    quantizer.process()
    model = quantize_embedding_tables(quantizer.model.model)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))


def quantize_embedding_tables(model):  # type: ignore[no-untyped-def]
    """Every Gather from a large fp32 table becomes Gather(int8 rows) · Gather(row scales): a quarter
    of the bytes, and only the rows a text uses are turned back into floats."""
    from onnx import TensorProto, helper, numpy_helper

    initializers = {initializer.name: initializer for initializer in model.graph.initializer}
    replacements = []
    for node in model.graph.node:
        if node.op_type != "Gather" or node.input[0] not in initializers:
            continue
        table = numpy_helper.to_array(initializers[node.input[0]])
        if table.ndim != 2 or table.shape[0] < EMBEDDING_TABLE_MIN_ROWS or table.dtype != np.float32:
            continue
        scales = np.abs(table).max(axis=1, keepdims=True) / 127.0
        scales[scales == 0] = 1.0
        rows = np.clip(np.round(table / scales), -127, 127).astype(np.int8)
        name, ids, output = node.input[0], node.input[1], node.output[0]
        model.graph.initializer.remove(initializers[name])
        model.graph.initializer.extend(
            [
                numpy_helper.from_array(rows, f"{name}_int8"),
                numpy_helper.from_array(scales.astype(np.float32), f"{name}_scale"),
            ]
        )
        replacements.append(
            (
                node,
                [
                    helper.make_node("Gather", [f"{name}_int8", ids], [f"{output}_int8"], axis=0),
                    helper.make_node("Gather", [f"{name}_scale", ids], [f"{output}_scale"], axis=0),
                    helper.make_node("Cast", [f"{output}_int8"], [f"{output}_float"], to=TensorProto.FLOAT),
                    helper.make_node("Mul", [f"{output}_float", f"{output}_scale"], [output]),
                ],
            )
        )
    for node, new_nodes in replacements:
        index = list(model.graph.node).index(node)
        model.graph.node.remove(node)
        for offset, new_node in enumerate(new_nodes):
            model.graph.node.insert(index + offset, new_node)
    return model


def fp32(source: Path, target: Path) -> None:
    import shutil

    shutil.copy(source, target)


BUILDERS: dict[str, Callable[[Path, Path], None]] = {
    "fp32": fp32,
    "int8-dynamic": int8_dynamic,
    "int8-weights": int8_weights,
}


def optimize(model: Path, target: Path) -> None:
    """Save the graph as onnxruntime optimises it at the extended level (portable across CPUs)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(target)
    onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
