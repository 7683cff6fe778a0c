/**
 * From the output states to a verdict per (claim, symmetry): `proved` when each output carries
 * exactly the action the claim asks for, `approximate` when it does but only approximately,
 * `violated` when a node breaks it (or the output provably moves in another way), `unknown`
 * when an op on the way is not understood.
 */
import type { BoundClaim, BoundSpec, BoundTensor } from "../../binding/bound";
import { firstMergedRole, mergedPartsInWords, sameRole, type AxisRole, type Effect, type State, MAX_EFFECTS, INVARIANT } from "./domain";
import type { Propagation } from "./engine";
import { NO_VALUE, type GraphIndex } from "./graph";
import { declaredExponent, declaredRoles, type AnalysisGroup } from "./groups";

export type Verdict = "proved" | "approximate" | "violated" | "unknown";

export interface StaticCheck {
  claim: BoundClaim;
  symmetry: string;
  /** The output the verdict is about: for a claim on several outputs, the one that fares worst. */
  output: string;
  verdict: Verdict;
  /** One sentence: why. */
  reason: string;
  /** The node that breaks the claim or is not understood (null when proved, or when the output itself is off). */
  node: string | null;
  opType: string | null;
  /** The values and nodes from an input to that node (or to the output): `image -> conv1 -> flatten -> fc`. */
  path: string[];
  /** For `approximate`: the effects, each at a node. */
  effects: Effect[];
}

const SEVERITY: Record<Verdict, number> = { proved: 0, approximate: 1, unknown: 2, violated: 3 };

export function judgeClaim(claim: BoundClaim, group: AnalysisGroup, bound: BoundSpec, propagation: Propagation, graph: GraphIndex): StaticCheck {
  const checks = claim.outputs.map((output) => judgeOutput(claim, output, group, bound, propagation, graph));
  return checks.reduce((worst, check) => (SEVERITY[check.verdict] > SEVERITY[worst.verdict] ? check : worst));
}

function judgeOutput(claim: BoundClaim, output: string, group: AnalysisGroup, bound: BoundSpec, propagation: Propagation, graph: GraphIndex): StaticCheck {
  // Each field spelled out, no object spread: V8 copies spread objects slowly, and this runs for
  // every (claim, symmetry) pair at each pause in typing (a 200-line spec: 4x faster).
  const check = (verdict: Verdict, reason: string, node: string | null, opType: string | null, path: string[], effects: Effect[] = []): StaticCheck => ({
    claim,
    symmetry: group.name,
    output,
    verdict,
    reason,
    node,
    opType,
    path,
    effects,
  });
  const id = graph.ids.get(output);
  const state = (id === undefined ? undefined : propagation.states[id]) ?? (bound.model?.graph.initializers.has(output) ? INVARIANT : undefined);
  if (!state) return check("unknown", `no node of the graph computes ${output}`, null, null, [output]);
  if (state.kind !== "acted") {
    const path = pathTo(state.cause.node, output, propagation, graph);
    const verdict = state.kind === "lost" ? "violated" : "unknown";
    return check(verdict, `${state.cause.node} (${state.cause.opType}): ${state.cause.reason}`, state.cause.node, state.cause.opType, path);
  }
  const tensor = bound.tensors.find((t) => t.direction === "output" && t.name === output);
  const mismatch = tensor ? describeMismatch(claim, group, tensor, state) : `${output} is not declared`;
  const path = pathTo(undefined, output, propagation, graph);
  if (mismatch) {
    // No claim asks for a merged axis: the node that merged it is the one to look at.
    const merged = firstMergedRole([state]);
    const last = merged ? { name: merged.via.node, opType: merged.via.opType } : graph.producer(output);
    return check("violated", mismatch, last?.name ?? null, last?.opType ?? null, path);
  }
  if (state.approx.length > 0) {
    const more = state.approx.length >= MAX_EFFECTS ? "; and maybe more further on" : "";
    const reasons = state.approx.map((effect) => `${effect.reason} at ${effect.node}`).join("; ") + more;
    return check("approximate", `holds up to ${reasons}`, state.approx[0].node, producerOp(state.approx[0].node, graph), path, [...state.approx]);
  }
  return check("proved", `the graph's structure guarantees it for ${output}`, null, null, path);
}

/** What differs between the action the output carries and the one the claim asks for, in words; undefined when they agree. */
function describeMismatch(claim: BoundClaim, group: AnalysisGroup, tensor: BoundTensor, state: Extract<State, { kind: "acted" }>): string | undefined {
  const expectedRoles = claim.kind === "invariant" ? tensor.axes.map(() => undefined) : declaredRoles(group, tensor);
  const expectedExponent = claim.kind === "invariant" ? 0 : declaredExponent(group, tensor.name);
  const roles = state.roles.length === 0 ? tensor.axes.map(() => undefined) : state.roles;
  for (let axis = 0; axis < tensor.axes.length; axis++) {
    if (sameRole(roles[axis], expectedRoles[axis])) continue;
    const name = tensor.axes[axis].name;
    return `${tensor.name}'s axis ${axis} (${name}) ${roleInWords(roles[axis])}, where the claim needs it to be one that ${roleInWords(expectedRoles[axis])}`;
  }
  const parity = group.group.kind === "negate";
  const same = parity ? (state.exponent - expectedExponent) % 2 === 0 : state.exponent === expectedExponent;
  if (same) return undefined;
  return `${tensor.name} ${exponentInWords(group, state.exponent)}, where the claim needs it to ${exponentInWords(group, expectedExponent).replace(/^is /, "be ").replace(/^scales /, "scale ")}`;
}

function roleInWords(role: AxisRole | undefined): string {
  if (!role) return "is not moved by the group";
  if (role.kind === "grid") {
    const scale = role.scale.num === 1 && role.scale.den === 1 ? "" : ` at ${role.scale.num}/${role.scale.den} of its resolution`;
    const halo = role.halo ? ` with ${role.halo.before}+${role.halo.after} cells of circular padding` : "";
    return `moves as ${role.groupAxis}${scale}${halo}`;
  }
  if (role.kind === "geometric") {
    return role.as === "product" ? `holds component-wise products of ${role.groupAxis} vectors (only their sum over it is invariant)` : `is rotated as a ${role.as} of ${role.groupAxis}`;
  }
  if (role.kind === "merged") return `merges ${mergedPartsInWords(role)} (by ${role.via.node})`;
  return `is permuted (${role.perms.map((perm) => `(${perm.join(" ")})`).join(", ")})`;
}

function exponentInWords(group: AnalysisGroup, exponent: number): string {
  if (group.group.kind === "negate") return exponent % 2 === 0 ? "is even (unchanged when negated)" : "is odd (changes sign)";
  if (exponent === 0) return "is unchanged by scaling";
  return `scales with degree ${exponent}`;
}

function producerOp(nodeName: string, graph: GraphIndex): string | null {
  for (const node of graph.order) if (node.name === nodeName) return node.opType;
  return null;
}

/** `image -> conv1 -> flatten -> fc`: from the declared input, through the nodes, to `stopAt` (or the output's producer). */
function pathTo(stopAt: string | undefined, output: string, propagation: Propagation, graph: GraphIndex): string[] {
  let value = graph.ids.get(output);
  if (value === undefined) return [output];
  const reversed: string[] = [];
  let reachedStop = stopAt === undefined;
  // By value number, not name: on a deep network the path runs through thousands of values.
  const seen = new Uint8Array(graph.valueCount);
  while (value !== NO_VALUE && !seen[value]) {
    seen[value] = 1;
    const node = graph.producers[value];
    if (!node) {
      reversed.push(graph.names[value]);
      break;
    }
    if (reachedStop || node.name === stopAt) {
      reachedStop = true;
      reversed.push(node.name);
    }
    value = propagation.cameThrough[value];
  }
  return reversed.reverse();
}
