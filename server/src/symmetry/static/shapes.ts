/**
 * Graph facts for the rules. Every value's shape and element type come from the model's value
 * infos where it has them and are otherwise inferred op by op, in topological order (see
 * inference/); shape computations (small tensors computed from constants) are folded on the
 * way. Weights stay as bytes until a rule asks for one: `constant()` decodes it then, computes
 * it through the ops between (a Transpose, a Cast...) if it has to, and caches the result.
 */
import type { Dim, Graph, Node, OnnxModel, Tensor, TensorType } from "../../onnx/model";
import { decodeTensor } from "./constants";
import type { ConstantTensor, GraphFacts } from "./facts";
import { CONSTANT_ENTRY_LIMIT, inferNode, NOTHING_KNOWN, SHAPE_ENTRY_LIMIT, tensorFacts, type Entry, type ValueFacts } from "./inference";
import { staticDim, staticDims } from "./inference/dims";

export function graphFacts(model: OnnxModel, order: readonly Node[]): GraphFacts {
  const opset = defaultOpset(model);
  const producers = new Map<string, Node>();
  for (const node of order) for (const output of node.outputs) if (output !== "") producers.set(output, node);
  const values = inferValues(model.graph, order, opset);
  const constant = constantResolver(model.graph, values, producers, opset);
  return {
    model,
    opset,
    shape: (value) => values.get(value)?.shape,
    elementType: (value) => values.get(value)?.elementType,
    constant,
    shapeVector: (value) => shapeVector(values.get(value)),
    producer: (value) => producers.get(value),
  };
}

function defaultOpset(model: OnnxModel): number {
  return model.opsetImports.find((o) => o.domain === "" || o.domain === "ai.onnx")?.version ?? 1;
}

/** Facts of every value: graph inputs and initializers first, then each node's outputs in order. */
function inferValues(graph: Graph, order: readonly Node[], opset: number): Map<string, ValueFacts> {
  const declared = declaredTypes(graph);
  const values = new Map<string, ValueFacts>();
  for (const input of graph.inputs) values.set(input.name, merged(declared.get(input.name), NOTHING_KNOWN));
  // Old exporters list weights as inputs too: the initializer says more (its values).
  for (const [name, tensor] of graph.initializers) values.set(name, initializerFacts(tensor));
  // Plain loops: this runs for every node of graphs of thousands.
  for (const node of order) {
    const inputs: ValueFacts[] = [];
    for (const name of node.inputs) inputs.push(name === "" ? NOTHING_KNOWN : (values.get(name) ?? NOTHING_KNOWN));
    const outputs = inferNode(node, inputs, opset, SHAPE_ENTRY_LIMIT);
    for (let i = 0; i < node.outputs.length; i++) {
      const name = node.outputs[i];
      if (name !== "") values.set(name, merged(declared.get(name), outputs[i]));
    }
  }
  // Outputs of nodes the walk left out (on a cycle) keep at least what the model declares.
  for (const [name, type] of declared) if (!values.has(name)) values.set(name, merged(type, NOTHING_KNOWN));
  return values;
}

/** The tensor types the model declares: graph inputs, outputs and intermediate value infos. */
function declaredTypes(graph: Graph): Map<string, TensorType> {
  const types = new Map<string, TensorType>();
  for (const info of [...graph.inputs, ...graph.outputs, ...graph.valueInfo.values()]) {
    if (info.type?.kind === "tensor") types.set(info.name, info.type);
  }
  return types;
}

/** An initializer's shape and type, with its entries decoded only if an inference function reads them (and only if few). */
function initializerFacts(tensor: Tensor): ValueFacts {
  let decoded: ValueFacts | undefined;
  return {
    shape: tensor.dims.map(staticDim),
    elementType: tensor.elementType,
    get entries() {
      decoded ??= tensorFacts(tensor, SHAPE_ENTRY_LIMIT);
      return decoded.entries;
    },
  };
}

/**
 * The declaration wins where it says something; inference fills in what it leaves unknown
 * (a dim, or the whole shape). Entries are kept only when they fit the resulting shape.
 */
function merged(declared: TensorType | undefined, inferred: ValueFacts): ValueFacts {
  // Most values of a graph declare nothing: their inferred facts stand as they are.
  if (!declared) return inferred;
  const shape = mergedShape(declared?.shape, inferred.shape);
  const declaredType = declared?.elementType === "undefined" ? undefined : declared?.elementType;
  const dims = staticDims(shape);
  const inferredDims = staticDims(inferred.shape);
  const fits = dims !== undefined && inferredDims !== undefined && dims.length === inferredDims.length && dims.every((size, i) => size === inferredDims[i]);
  return { shape, elementType: declaredType ?? inferred.elementType, entries: fits ? inferred.entries : undefined };
}

function mergedShape(declared: readonly Dim[] | undefined, inferred: readonly Dim[] | undefined): readonly Dim[] | undefined {
  if (!declared) return inferred;
  if (!inferred || inferred.length !== declared.length) return declared;
  return declared.map((dim, axis) => (dim.kind === "unknown" ? inferred[axis] : dim));
}

/** A 0-D or 1-D value's entries as far as they are known (see GraphFacts.shapeVector). */
function shapeVector(facts: ValueFacts | undefined): Entry[] | undefined {
  const shape = facts?.shape;
  if (!shape || shape.length > 1) return undefined;
  if (facts.entries) return Array.from(facts.entries);
  const length = shape.length === 0 ? 1 : shape[0].kind === "static" ? shape[0].value : undefined;
  return length === undefined || length > SHAPE_ENTRY_LIMIT ? undefined : new Array<Entry>(length).fill(undefined);
}

/**
 * constant(value), computed on demand and cached: an initializer decoded; a value whose
 * entries inference already folded; else the producing node evaluated on its inputs'
 * constants (recursively), with the limit for constants instead of the one for shapes.
 */
function constantResolver(graph: Graph, values: ReadonlyMap<string, ValueFacts>, producers: ReadonlyMap<string, Node>, opset: number): (value: string) => ConstantTensor | undefined {
  const cache = new Map<string, ConstantTensor | undefined>();
  const resolve = (value: string): ConstantTensor | undefined => {
    if (cache.has(value)) return cache.get(value);
    // Marked first, so that a value on a cycle reads as not constant instead of recursing forever.
    cache.set(value, undefined);
    const result = compute(value);
    cache.set(value, result);
    return result;
  };
  const compute = (value: string): ConstantTensor | undefined => {
    const tensor = graph.initializers.get(value);
    if (tensor) return decodeTensor(tensor);
    const folded = asConstant(values.get(value));
    if (folded) return folded;
    const node = producers.get(value);
    if (!node) return undefined;
    const inputs: ValueFacts[] = [];
    for (const name of node.inputs) {
      const input = name === "" ? undefined : resolve(name);
      if (name !== "" && !input) return undefined;
      inputs.push(input ? { shape: input.dims.map(staticDim), elementType: input.elementType, entries: input.values } : NOTHING_KNOWN);
    }
    return asConstant(inferNode(node, inputs, opset, CONSTANT_ENTRY_LIMIT)[node.outputs.indexOf(value)]);
  };
  return (value) => {
    try {
      return resolve(value);
    } catch {
      // A chain of constant ops deeper than the stack: not known to be constant.
      return undefined;
    }
  };
}

/** The facts as a constant tensor, when the shape is static and every entry a number. */
function asConstant(facts: ValueFacts | undefined): ConstantTensor | undefined {
  const dims = staticDims(facts?.shape);
  const entries = facts?.entries;
  if (!dims || !entries || !facts.elementType || !allNumbers(entries)) return undefined;
  return { elementType: facts.elementType, dims, values: entries };
}

function allNumbers(entries: ArrayLike<Entry>): entries is ArrayLike<number> {
  if (ArrayBuffer.isView(entries)) return true;
  for (let i = 0; i < entries.length; i++) if (typeof entries[i] !== "number") return false;
  return true;
}
