/**
 * Static checks: every (claim, symmetry) pair of a bound spec judged from the ONNX graph alone.
 */
import type { BoundSpec } from "../../binding/bound";
import type { Node } from "../../onnx/model";
import { propagate, topologicalOrder } from "./engine";
import { graphFacts } from "./shapes";
import { analysisGroup } from "./groups";
import { judgeClaim, type StaticCheck } from "./verdict";

export type { StaticCheck, Verdict } from "./verdict";

export function checkStatically(bound: BoundSpec): StaticCheck[] {
  const model = bound.model;
  if (!model || bound.claims.length === 0) return [];
  const order = topologicalOrder(model);
  const facts = graphFacts(model, order);
  const producers = new Map<string, Node>();
  for (const node of order) for (const output of node.outputs) producers.set(output, node);
  const checks: StaticCheck[] = [];
  const propagations = new Map<string, ReturnType<typeof propagate>>();
  for (const claim of bound.claims) {
    for (const name of claim.symmetries) {
      const symmetry = bound.symmetries.get(name);
      if (!symmetry) continue;
      const group = analysisGroup(symmetry);
      let propagation = propagations.get(name);
      if (!propagation) {
        propagation = propagate(model, bound, group, facts, order);
        propagations.set(name, propagation);
      }
      checks.push(judgeClaim(claim, group, bound, propagation, producers));
    }
  }
  return checks;
}
