/**
 * The abstract interpretation: for one symmetry, walks the graph in topological order from the
 * declared inputs and gives every value a State (see domain.ts), asking the rule of each op.
 */
import type { BoundSpec } from "../../binding/bound";
import type { Node, OnnxModel } from "../../onnx/model";
import { acted, firstFailure, firstMergedRole, INVARIANT, isInvariant, lostAtMerge, mergeEffects, unknown, type ActedState, type State } from "./domain";
import type { GraphFacts } from "./facts";
import { declaredExponent, declaredRoles, type AnalysisGroup } from "./groups";
import { RULES } from "./rules";

/** Ops whose outputs depend only on their inputs' shapes, which every group of the language preserves. */
const SHAPE_ONLY = new Set(["Shape", "Size"]);

/** Ops that draw random numbers: the same input gives different outputs, so nothing can be proved. */
const RANDOM = new Set(["RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Multinomial", "Bernoulli"]);

export interface Propagation {
  states: ReadonlyMap<string, State>;
  /** For each value computed from an acted input: the input value it came through, to retrace paths. */
  cameThrough: ReadonlyMap<string, string>;
}

export function propagate(model: OnnxModel, bound: BoundSpec, group: AnalysisGroup, facts: GraphFacts, order: readonly Node[]): Propagation {
  const states = new Map<string, State>();
  const cameThrough = new Map<string, string>();
  for (const tensor of bound.tensors) {
    if (tensor.direction === "input") states.set(tensor.name, acted(declaredRoles(group, tensor), declaredExponent(group, tensor.name)));
  }
  // Built once: looking names up in the graph's input list for every read made the walk quadratic.
  const heldFixed = new Set<string>(model.graph.initializers.keys());
  for (const input of model.graph.inputs) heldFixed.add(input.name);
  // Plain loops: this runs for every node of graphs of thousands, and closures per node add up.
  for (const node of order) {
    const inputs: State[] = [];
    let source: string | undefined;
    for (const name of node.inputs) {
      const state = name === "" ? INVARIANT : stateOf(name, states, heldFixed, node);
      inputs.push(state);
      if (source === undefined && name !== "" && !isInvariant(state)) source = name;
    }
    const outputs = transfer(node, inputs, group, facts);
    for (let i = 0; i < node.outputs.length; i++) {
      const name = node.outputs[i];
      if (name === "") continue;
      states.set(name, inGroup(group, outputs[i] ?? unknown(node, `gave no state for output ${i}`)));
      if (source) cameThrough.set(name, source);
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

/** Declared inputs carry their roles; everything else the graph reads (weights, undeclared inputs) is held fixed. */
function stateOf(name: string, states: Map<string, State>, heldFixed: ReadonlySet<string>, reader: Node): State {
  const state = states.get(name);
  if (state) return state;
  return heldFixed.has(name) ? INVARIANT : unknown(reader, `its input ${name} is produced by no node of the graph`);
}

function transfer(node: Node, inputs: readonly State[], group: AnalysisGroup, facts: GraphFacts): State[] {
  const count = node.outputs.length;
  const all = (state: State) => new Array<State>(count).fill(state);
  if (SHAPE_ONLY.has(node.opType) && node.domain === "") return all(INVARIANT);
  if (RANDOM.has(node.opType)) return all(unknown(node, "it draws random numbers, so two runs differ whatever the input"));
  if (hasSubgraph(node)) {
    return all(unknown(node, "its subgraphs (control flow) are not analysed"));
  }
  const failure = firstFailure(inputs);
  if (failure) return all(failure);
  if (node.domain !== "" && node.domain !== "ai.onnx") return all(unknown(node, `ops of the domain ${node.domain} are not understood by the static analysis`));
  // A deterministic op of inputs that the group leaves alone is left alone too, as exactly as they
  // are (an input invariant only up to zero padding gives an output invariant up to the same).
  if (inputs.every(isInvariant)) return all(acted([], 0, mergeEffects(inputs as ActedState[])));
  const rule = RULES.get(node.opType);
  if (!rule) return all(unknown(node, `the static analysis has no rule for ${node.opType}`));
  // A merged axis (domain.ts) is only safe with the rules written for it.
  const merged = firstMergedRole(inputs);
  if (merged && !rule.followsMergedAxes) return all(lostAtMerge(merged, node));
  try {
    return rule({ node, group, inputs: inputs as ActedState[], facts });
  } catch (error) {
    // A rule that fails on an odd graph must not take the analysis down: say what happened.
    return all(unknown(node, `the ${node.opType} rule failed (${error instanceof Error ? error.message : String(error)})`));
  }
}

function hasSubgraph(node: Node): boolean {
  for (const attribute of node.attributes.values()) if (attribute.type === "graph" || attribute.type === "graphs") return true;
  return false;
}

/**
 * The nodes in an order where each comes after the producers of its inputs (ONNX requires the
 * file's order to be one; some exporters break the rule). Nodes on a cycle are left out, and
 * their outputs then read as produced by no node.
 */
export function topologicalOrder(model: OnnxModel): Node[] {
  const nodes = model.graph.nodes;
  const producerIndex = new Map<string, number>();
  nodes.forEach((node, index) => node.outputs.forEach((name) => name !== "" && producerIndex.set(name, index)));
  // Counts, not sets: a node reading one producer twice is listed twice as its reader, so it
  // becomes ready at the same moment either way, without a Set per node.
  const waitingOn = new Array<number>(nodes.length).fill(0);
  const readers = nodes.map(() => [] as number[]);
  nodes.forEach((node, index) => {
    for (const name of node.inputs) {
      const producer = producerIndex.get(name);
      if (producer === undefined) continue;
      readers[producer].push(index);
      waitingOn[index]++;
    }
  });
  const ready: number[] = [];
  for (let index = 0; index < nodes.length; index++) if (waitingOn[index] === 0) ready.push(index);
  const order: Node[] = [];
  for (let i = 0; i < ready.length; i++) {
    const index = ready[i];
    order.push(nodes[index]);
    for (const reader of readers[index]) if (--waitingOn[reader] === 0) ready.push(reader);
  }
  return order;
}
