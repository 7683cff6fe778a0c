/** The table of inference functions by op type (default ONNX domain), and the one call that applies it. */
import type { Node } from "../../../onnx/model";
import { contractionInference } from "./contraction";
import { elementwiseInference } from "./elementwise";
import { generatorInference } from "./generators";
import { layoutInference } from "./layout";
import { spatialInference } from "./spatial";
import { NOTHING_KNOWN, type Infer, type ValueFacts } from "./types";

export { CONSTANT_ENTRY_LIMIT, NOTHING_KNOWN, SHAPE_ENTRY_LIMIT, type Entry, type ValueFacts } from "./types";
export { tensorFacts } from "./generators";

const INFERENCE: ReadonlyMap<string, Infer> = new Map<string, Infer>([
  ...elementwiseInference,
  ...layoutInference,
  ...contractionInference,
  ...spatialInference,
  ...generatorInference,
]);

/**
 * What is known of each of the node's outputs. Ops of other domains, ops without an inference
 * function, and nodes too malformed for theirs give NOTHING_KNOWN: never an exception.
 */
export function inferNode(node: Node, inputs: readonly ValueFacts[], opset: number, entryLimit: number): ValueFacts[] {
  const infer = node.domain === "" || node.domain === "ai.onnx" ? INFERENCE.get(node.opType) : undefined;
  let outputs: ValueFacts[] = [];
  try {
    outputs = infer?.({ node, inputs, opset, entryLimit }) ?? [];
  } catch {
    // A model can hold anything (a Relu without inputs, a perm of strings): such a node gets no facts.
  }
  // Most functions give one facts object per output: their list is then the answer as it is.
  if (outputs.length === node.outputs.length && outputs.every(Boolean)) return outputs;
  return node.outputs.map((_, i) => outputs[i] ?? NOTHING_KNOWN);
}
