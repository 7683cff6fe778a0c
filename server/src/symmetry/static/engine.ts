/**
 * The abstract interpretation: for one symmetry, walks the graph in topological order from the
 * declared inputs and gives every value a State (see domain.ts), asking the rule of each op.
 */
import type { BoundSpec } from "../../binding/bound";
import type { Node } from "../../onnx/model";
import { acted, actedSharing, firstFailure, firstMergedRole, INVARIANT, isInvariant, lostAtMerge, mergeEffects, unknown, type ActedState, type State } from "./domain";
import type { GraphFacts } from "./facts";
import { NO_VALUE, type GraphIndex } from "./graph";
import { declaredExponent, declaredRoles, type AnalysisGroup } from "./groups";
import { RULES } from "./rules";

/** Ops whose outputs depend only on their inputs' shapes, which every group of the language preserves. */
const SHAPE_ONLY = new Set(["Shape", "Size"]);

/** Ops that draw random numbers: the same input gives different outputs, so nothing can be proved. */
const RANDOM = new Set(["RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli"]);

/** What the walk found, by value number (see GraphIndex). */
export interface Propagation {
  /** Each value's state: undefined for a value the walk did not reach (a graph input not declared, a weight). */
  readonly states: readonly (State | undefined)[];
  /** For each value computed from an acted input: the input value it came through (NO_VALUE for others), to retrace paths. */
  readonly cameThrough: Int32Array;
}

export function propagate(graph: GraphIndex, bound: BoundSpec, group: AnalysisGroup, facts: GraphFacts): Propagation {
  const { order, inputIds, inputStart, outputIds, outputStart, given, names } = graph;
  const states = new Array<State | undefined>(graph.valueCount).fill(undefined);
  const cameThrough = new Int32Array(graph.valueCount).fill(NO_VALUE);
  for (const tensor of bound.tensors) {
    const id = graph.ids.get(tensor.name);
    if (tensor.direction === "input" && id !== undefined) states[id] = acted(declaredRoles(group, tensor), declaredExponent(group, tensor.name));
  }
  // Plain loops: this runs for every node of graphs of thousands, and closures per node add up.
  for (let k = 0; k < order.length; k++) {
    const node = order[k];
    const inputs = new Array<State>(inputStart[k + 1] - inputStart[k]);
    let source = NO_VALUE;
    for (let slot = inputStart[k]; slot < inputStart[k + 1]; slot++) {
      const id = inputIds[slot];
      // Declared inputs carry their roles; everything else the graph gives (weights, undeclared inputs) is held fixed.
      const state = id === NO_VALUE ? INVARIANT : (states[id] ?? (given[id] ? INVARIANT : unknown(node, `its input ${names[id]} is produced by no node of the graph`)));
      inputs[slot - inputStart[k]] = state;
      if (source === NO_VALUE && id !== NO_VALUE && !isInvariant(state)) source = id;
    }
    const outputs = transfer(node, inputs, group, facts);
    for (let slot = outputStart[k]; slot < outputStart[k + 1]; slot++) {
      const id = outputIds[slot];
      if (id === NO_VALUE) continue;
      const i = slot - outputStart[k];
      states[id] = inGroup(group, outputs[i] ?? unknown(node, `gave no state for output ${i}`));
      if (source !== NO_VALUE) cameThrough[id] = source;
    }
  }
  return { states, cameThrough };
}

/**
 * Negation has order two: the sign (-1)^e depends only on e mod 2, so x*x of an odd x is even.
 * Normalizing here lets every rule compare exponents without knowing the group.
 */
function inGroup(group: AnalysisGroup, state: State): State {
  if (group.group.kind !== "negate" || state.kind !== "acted" || (state.exponent >= 0 && state.exponent < 2)) return state;
  return { ...state, exponent: ((state.exponent % 2) + 2) % 2 };
}

function transfer(node: Node, inputs: readonly State[], group: AnalysisGroup, facts: GraphFacts): State[] {
  if (SHAPE_ONLY.has(node.opType) && node.domain === "") return forEachOutput(node, INVARIANT);
  if (RANDOM.has(node.opType)) return forEachOutput(node, unknown(node, "it draws random numbers, so two runs differ whatever the input"));
  if (hasSubgraph(node)) {
    return forEachOutput(node, unknown(node, "its subgraphs (control flow) are not analysed"));
  }
  const failure = firstFailure(inputs);
  if (failure) return forEachOutput(node, failure);
  if (node.domain !== "" && node.domain !== "ai.onnx") return forEachOutput(node, unknown(node, `ops of the domain ${node.domain} are not understood by the static analysis`));
  // A deterministic op of inputs that the group leaves alone is left alone too, as exactly as they
  // are (an input invariant only up to zero padding gives an output invariant up to the same).
  if (inputs.every(isInvariant)) return forEachOutput(node, actedSharing(inputs, [], 0, mergeEffects(inputs as ActedState[])));
  const rule = RULES.get(node.opType);
  if (!rule) return forEachOutput(node, unknown(node, `the static analysis has no rule for ${node.opType}`));
  // A merged axis (domain.ts) is only safe with the rules written for it.
  const merged = firstMergedRole(inputs);
  if (merged && !rule.followsMergedAxes) return forEachOutput(node, lostAtMerge(merged, node));
  try {
    return rule({ node, group, inputs: inputs as ActedState[], facts });
  } catch (error) {
    // A rule that fails on an odd graph must not take the analysis down: say what happened.
    return forEachOutput(node, unknown(node, `the ${node.opType} rule failed (${error instanceof Error ? error.message : String(error)})`));
  }
}

/** The same state for each of the node's outputs. */
function forEachOutput(node: Node, state: State): State[] {
  return new Array<State>(node.outputs.length).fill(state);
}

function hasSubgraph(node: Node): boolean {
  if (node.attributes.size === 0) return false;
  for (const attribute of node.attributes.values()) if (attribute.type === "graph" || attribute.type === "graphs") return true;
  return false;
}
