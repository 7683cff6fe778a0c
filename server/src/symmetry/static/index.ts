/**
 * Static checks: every (claim, symmetry) pair of a bound spec judged from the ONNX graph alone.
 */
import type { BoundSpec } from "../../binding/bound";
import { dataTypeInfo } from "../../onnx/dataTypes";
import type { OnnxModel } from "../../onnx/model";
import { propagate, type Propagation } from "./engine";
import type { GraphFacts } from "./facts";
import { indexGraph, type GraphIndex } from "./graph";
import { graphFacts } from "./shapes";
import { analysisGroup, type AnalysisGroup } from "./groups";
import { judgeClaim, type StaticCheck } from "./verdict";

export type { StaticCheck, Verdict } from "./verdict";

export function checkStatically(bound: BoundSpec): StaticCheck[] {
  const model = bound.model;
  if (!model || bound.claims.length === 0) return [];
  const derived = derivedFrom(model);
  const inputs = inputsKey(bound);
  const bySymmetry = new Map<string, { group: AnalysisGroup; propagation: Propagation }>();
  const checks: StaticCheck[] = [];
  for (const claim of bound.claims) {
    for (const name of claim.symmetries) {
      const symmetry = bound.symmetries.get(name);
      if (!symmetry) continue;
      let walked = bySymmetry.get(name);
      if (!walked) {
        const group = analysisGroup(symmetry);
        walked = { group, propagation: propagation(derived, bound, inputs, group) };
        bySymmetry.set(name, walked);
      }
      checks.push(judgeClaim(claim, walked.group, bound, walked.propagation, derived.graph));
    }
  }
  return checks;
}

/**
 * The bytes per batch row of the model's largest value that grows with the batch: of the values
 * whose shape the analysis knows, static but for a dynamic leading axis. Undefined when there is
 * none. The numeric check stacks fewer rows into a run where this is large (a model with small
 * inputs can hold a 4096 x 4096 matrix per row).
 */
export function largestValueBytesPerRow(model: OnnxModel): number | undefined {
  const { graph, facts } = derivedFrom(model);
  let largest: number | undefined;
  for (const name of graph.names) {
    const shape = facts.shape(name);
    const bits = dataTypeInfo(facts.elementType(name) ?? "")?.bits;
    if (!shape || shape.length === 0 || shape[0].kind === "static" || bits === undefined) continue;
    let entries = 1;
    for (const dim of shape.slice(1)) entries *= dim.kind === "static" ? dim.value : NaN;
    if (entries >= 0) largest = Math.max(largest ?? 0, (entries * bits) / 8);
  }
  return largest;
}

/**
 * What the analysis derives from a model, kept per model object. The editor re-checks a spec at
 * every pause in typing, and the ModelCache hands out the same OnnxModel until the file changes:
 * so the graph's index (topological order, value numbers, producers), the graph facts (shape
 * inference, folded constants) and each symmetry's propagation are computed once per model, not
 * per keystroke, which matters for graphs of thousands of nodes. A WeakMap, so that a model
 * nobody holds any more (its file changed, the spec was closed) takes what was derived from it along.
 */
interface DerivedFacts {
  graph: GraphIndex;
  facts: GraphFacts;
  /** By propagationKey; the oldest entries go first once there are MAX_PROPAGATIONS. */
  propagations: Map<string, Propagation>;
}

/** Enough for every symmetry of a large spec, while typing replaces some of them with new variants. */
const MAX_PROPAGATIONS = 64;

const derivedByModel = new WeakMap<OnnxModel, DerivedFacts>();

function derivedFrom(model: OnnxModel): DerivedFacts {
  let derived = derivedByModel.get(model);
  if (!derived) {
    const graph = indexGraph(model);
    derived = { graph, facts: graphFacts(graph), propagations: new Map() };
    derivedByModel.set(model, derived);
  }
  return derived;
}

function propagation(derived: DerivedFacts, bound: BoundSpec, inputs: string, group: AnalysisGroup): Propagation {
  const key = propagationKey(inputs, group);
  const known = derived.propagations.get(key);
  if (known) return known;
  const computed = propagate(derived.graph, bound, group, derived.facts);
  if (derived.propagations.size >= MAX_PROPAGATIONS) derived.propagations.delete(derived.propagations.keys().next().value!);
  derived.propagations.set(key, computed);
  return computed;
}

/**
 * Everything of the spec that a propagation depends on: the symmetry (its name appears in
 * reasons, and regular axes name it) and the declared inputs, where the walk starts, with what
 * their starting roles and exponents are made of (see declaredRoles and declaredExponent in
 * groups.ts: the tensor's name and each axis' name, kind and group). Two specs, or two
 * versions of one spec, with the same key share the walk.
 */
function propagationKey(inputs: string, group: AnalysisGroup): string {
  return `${JSON.stringify([group.name, group.group])} ${inputs}`;
}

/** The declared inputs as propagationKey needs them, once per spec rather than once per symmetry. */
function inputsKey(bound: BoundSpec): string {
  const inputs = bound.tensors.filter((tensor) => tensor.direction === "input");
  return JSON.stringify(inputs.map((tensor) => [tensor.name, tensor.axes.map((axis) => [axis.name, axis.kind, axis.regularOf ?? null])]));
}
