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
import { NO_VALUE, type GraphIndex } from "./graph";
import { CONSTANT_ENTRY_LIMIT, inferNode, NOTHING_KNOWN, SHAPE_ENTRY_LIMIT, tensorFacts, type Entry, type ValueFacts } from "./inference";
import { staticDim, staticDims } from "./inference/dims";

export function graphFacts(graph: GraphIndex): GraphFacts {
  const model = graph.model;
  const opset = defaultOpset(model);
  const values = inferValues(graph, opset);
  const factsOf = (value: string): ValueFacts | undefined => {
    const id = graph.ids.get(value);
    return id === undefined ? undefined : values[id];
  };
  const constant = constantResolver(model.graph, factsOf, graph.producer, opset);
  return {
    model,
    opset,
    shape: (value) => factsOf(value)?.shape,
    elementType: (value) => factsOf(value)?.elementType,
    constant,
    shapeVector: (value) => shapeVector(factsOf(value)),
    producer: graph.producer,
  };
}

function defaultOpset(model: OnnxModel): number {
  return model.opsetImports.find((o) => o.domain === "" || o.domain === "ai.onnx")?.version ?? 1;
}

/**
 * Facts of every value, by number: graph inputs and initializers first, then each node's
 * outputs in order; undefined for values nothing is known of.
 */
function inferValues(graph: GraphIndex, opset: number): (ValueFacts | undefined)[] {
  const { model, order, inputIds, inputStart, outputIds, outputStart } = graph;
  const declared = declaredTypes(graph);
  const values = new Array<ValueFacts | undefined>(graph.valueCount).fill(undefined);
  for (const input of model.graph.inputs) {
    const id = graph.ids.get(input.name)!;
    values[id] = merged(declared[id], NOTHING_KNOWN);
  }
  // Old exporters list weights as inputs too: the initializer says more (its values).
  model.graph.initializers.forEach((tensor, name) => (values[graph.ids.get(name)!] = new InitializerFacts(tensor)));
  // Plain loops: this runs for every node of graphs of thousands.
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    const inputs = new Array<ValueFacts>(inputStart[k + 1] - inputStart[k]);
    for (let slot = inputStart[k]; slot < inputStart[k + 1]; slot++) inputs[slot - inputStart[k]] = inputIds[slot] === NO_VALUE ? NOTHING_KNOWN : (values[inputIds[slot]] ?? NOTHING_KNOWN);
    const outputs = inferNode(node, inputs, opset, SHAPE_ENTRY_LIMIT);
    for (let slot = outputStart[k]; slot < outputStart[k + 1]; slot++) {
      const id = outputIds[slot];
      if (id !== NO_VALUE) values[id] = merged(declared[id], outputs[slot - outputStart[k]]);
    }
  }
  // Outputs of nodes the walk left out (on a cycle) keep at least what the model declares.
  for (let id = 0; id < graph.valueCount; id++) if (declared[id]) values[id] ??= merged(declared[id], NOTHING_KNOWN);
  return values;
}

/** The tensor types the model declares, by value number: graph inputs, outputs and intermediate value infos. */
function declaredTypes(graph: GraphIndex): (TensorType | undefined)[] {
  const types = new Array<TensorType | undefined>(graph.valueCount).fill(undefined);
  const { inputs, outputs, valueInfo } = graph.model.graph;
  for (const info of [...inputs, ...outputs, ...valueInfo.values()]) {
    if (info.type?.kind === "tensor") types[graph.ids.get(info.name)!] = info.type;
  }
  return types;
}

/**
 * An initializer's shape and type, with its shape made and its entries decoded only if something
 * reads them (entries only if few). A class rather than an object with getters: a network has
 * thousands of weights, and most are only ever read by the rules of their node, if at all.
 */
class InitializerFacts implements ValueFacts {
  readonly elementType: string;
  private dims: readonly Dim[] | undefined;
  private decoded: ValueFacts | undefined;

  constructor(private readonly tensor: Tensor) {
    this.elementType = tensor.elementType;
  }

  get shape(): readonly Dim[] {
    this.dims ??= this.tensor.dims.map(staticDim);
    return this.dims;
  }

  get entries(): ArrayLike<Entry> | undefined {
    this.decoded ??= tensorFacts(this.tensor, SHAPE_ENTRY_LIMIT);
    return this.decoded.entries;
  }
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
function constantResolver(graph: Graph, factsOf: (value: string) => ValueFacts | undefined, producer: (value: string) => Node | undefined, opset: number): (value: string) => ConstantTensor | undefined {
  const cache = new Map<string, ConstantTensor | undefined>();
  const resolve = (value: string): ConstantTensor | undefined => {
    const known = cache.get(value);
    if (known || cache.has(value)) return known;
    // Marked first, so that a value on a cycle reads as not constant instead of recursing forever.
    cache.set(value, undefined);
    const result = compute(value);
    cache.set(value, result);
    return result;
  };
  const compute = (value: string): ConstantTensor | undefined => {
    const tensor = graph.initializers.get(value);
    if (tensor) return decodeTensor(tensor);
    const folded = asConstant(factsOf(value));
    if (folded) return folded;
    const node = producer(value);
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
