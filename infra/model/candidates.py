"""The smaller models `make model` weighs against the fp32 export, and the offline graph optimisation.

Each builder takes the fp32 ONNX file and writes one candidate, saved already optimised (`optimize`):

- `int8-dynamic`: onnxruntime's dynamic quantisation of every MatMul (int8 weights, activations
  quantised per call). Small and fast, but it quantises the activations too, which costs precision.
- `int8-weights`: the MatMul weights as 8-bit blocks of 32 (`MatMulNBits`, computed on int8 with
  accuracy level 4) and the word-embedding table as int8 rows with one scale each; the activations of
  the MatMuls are quantised per block of 32 values, so precision holds where per-tensor scales lose it.
- `int8-stored`: fp32 compute, int8 storage. The fp32 graph, already optimised, keeps every MatMul
  weight as int8 with one scale per output column (the position table: one per row) behind a
  `DequantizeLinear`; `shared.embedding` loads it with `session.disable_quant_qdq`, so onnxruntime's
  constant folding turns those weights back into fp32 once, when the session loads. The vocabulary
  table stays int8 rows in memory, as in `int8-weights` (half the values: folding it too would double
  the load). A quarter of the bytes on disk, fp32's speed in use; only weights are rounded, never an
  activation. The weights are stored after the optimisation: before it, the optimiser would fuse each
  `DequantizeLinear` and its MatMul into a `MatMulNBits`.

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
STORED_MIN_VALUES = 4096  # int8-stored: smaller tensors (biases, layer norms, token types) stay fp32


def int8_dynamic(fp32: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantized = unoptimised(target)
    quantize_dynamic(
        str(fp32),
        str(quantized),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
    )
    optimize(quantized, target)


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
    quantized = unoptimised(target)
    onnx.save(model, str(quantized))
    optimize(quantized, target)


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


SCALE_AXIS = {
    frozenset({"MatMul weight"}): 1,  # [K, N]: one scale per output column
    frozenset({"Gather table"}): 0,  # [rows, width]: one scale per row
}


def weight_roles(model) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """What each tensor is to the nodes that read it: a MatMul's weight (its second input), a
    Gather's table (its first) or anything else."""
    roles: dict[str, set[str]] = {}
    for node in model.graph.node:
        for position, name in enumerate(node.input):
            if node.op_type == "MatMul" and position == 1:
                role = "MatMul weight"
            elif node.op_type == "Gather" and position == 0:
                role = "Gather table"
            else:
                role = "other"
            roles.setdefault(name, set()).add(role)
    return roles


def int8_stored(fp32: Path, target: Path) -> None:
    import onnx
    from onnx import helper, numpy_helper

    optimize(fp32, target)
    model = quantize_embedding_tables(onnx.load(str(target)))
    roles = weight_roles(model)
    dequantize = []
    for initializer in list(model.graph.initializer):
        weight = numpy_helper.to_array(initializer)
        axis = SCALE_AXIS.get(frozenset(roles.get(initializer.name, ())))
        if axis is None or weight.dtype != np.float32 or weight.ndim != 2 or weight.size < STORED_MIN_VALUES:
            continue
        scales = np.abs(weight).max(axis=1 - axis) / 127.0
        scales[scales == 0] = 1.0
        stored = np.clip(np.round(weight / np.expand_dims(scales, 1 - axis)), -127, 127).astype(np.int8)
        name = initializer.name
        model.graph.initializer.remove(initializer)
        model.graph.initializer.extend(
            [
                numpy_helper.from_array(stored, f"{name}_int8"),
                numpy_helper.from_array(scales.astype(np.float32), f"{name}_scale"),
            ]
        )
        dequantize.append(
            helper.make_node("DequantizeLinear", [f"{name}_int8", f"{name}_scale"], [name], axis=axis)
        )
    for index, node in enumerate(dequantize):
        model.graph.node.insert(index, node)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))


def fp32(source: Path, target: Path) -> None:
    optimize(source, target)


def unoptimised(target: Path) -> Path:
    """Where a builder writes its graph before `optimize` saves it at `target`."""
    return target.with_name(f"{target.stem}.unoptimised.onnx")


BUILDERS: dict[str, Callable[[Path, Path], None]] = {
    "fp32": fp32,
    "int8-dynamic": int8_dynamic,
    "int8-weights": int8_weights,
    "int8-stored": int8_stored,
}


def optimize(model: Path, target: Path) -> None:
    """Save the graph as onnxruntime optimises it at the extended level (portable across CPUs)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(target)
    onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
