/**
 * Graph facts for the rules: shapes and constants. (First version: value infos and
 * initializers only; shape inference and constant folding come next.)
 */
import type { Dim, Node, OnnxModel, Tensor } from "../../onnx/model";
import type { ConstantTensor, GraphFacts } from "./facts";

export function graphFacts(model: OnnxModel, order: readonly Node[]): GraphFacts {
  const graph = model.graph;
  const types = new Map([...graph.inputs, ...graph.outputs, ...graph.valueInfo.values()].map((info) => [info.name, info.type]));
  const producers = new Map<string, Node>();
  for (const node of order) for (const output of node.outputs) producers.set(output, node);
  const opset = model.opsetImports.find((o) => o.domain === "" || o.domain === "ai.onnx")?.version ?? 1;
  return {
    model,
    opset,
    shape(value) {
      const type = types.get(value);
      if (type?.kind === "tensor" && type.shape) return type.shape;
      const tensor = graph.initializers.get(value);
      return tensor ? tensor.dims.map((d): Dim => ({ kind: "static", value: d })) : undefined;
    },
    elementType(value) {
      const type = types.get(value);
      return type?.kind === "tensor" ? type.elementType : graph.initializers.get(value)?.elementType;
    },
    constant(value) {
      const tensor = graph.initializers.get(value);
      return tensor ? decode(tensor) : undefined;
    },
    producer: (value) => producers.get(value),
  };
}

function decode(tensor: Tensor): ConstantTensor | undefined {
  if (!tensor.raw) return undefined;
  const view = new DataView(tensor.raw.buffer, tensor.raw.byteOffset, tensor.raw.byteLength);
  const readers: Record<string, [number, (offset: number) => number]> = {
    float: [4, (o) => view.getFloat32(o, true)],
    double: [8, (o) => view.getFloat64(o, true)],
    int32: [4, (o) => view.getInt32(o, true)],
    int64: [8, (o) => Number(view.getBigInt64(o, true))],
  };
  const reader = readers[tensor.elementType];
  if (!reader) return undefined;
  const [size, read] = reader;
  const values = Array.from({ length: Math.floor(tensor.raw.byteLength / size) }, (_, i) => read(i * size));
  return { elementType: tensor.elementType, dims: tensor.dims, values };
}
