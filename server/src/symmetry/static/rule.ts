/**
 * The shape of a transfer rule: one small function per op family, registered in
 * `rules/index.ts` by op type. The engine calls a rule only when every input state is `acted`
 * (a lost or unknown input makes every output lost or unknown without asking the rule), so a
 * rule reasons only about how the group moves its inputs, and says how it moves the outputs.
 */
import type { Node } from "../../onnx/model";
import type { ActedState, State } from "./domain";
import type { GraphFacts } from "./facts";
import type { AnalysisGroup } from "./groups";

export interface RuleInput {
  node: Node;
  group: AnalysisGroup;
  /** One per node input, in order; an omitted optional input (`""`) is invariant. */
  inputs: readonly ActedState[];
  facts: GraphFacts;
}

/**
 * Returns one state per node output. A rule that handles `merged` axes (domain.ts) soundly says
 * so with `followsMergedAxes` (see `followingMergedAxes`); the engine never shows one to the others.
 */
export interface Rule {
  (input: RuleInput): State[];
  readonly followsMergedAxes?: boolean;
}

/** The rule, marked as one that handles merged axes: it keeps them only where it knows that is exact. */
export function followingMergedAxes(rule: (input: RuleInput) => State[]): Rule {
  return Object.assign((input: RuleInput) => rule(input), { followsMergedAxes: true });
}
