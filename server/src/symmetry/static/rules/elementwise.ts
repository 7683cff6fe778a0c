/**
 * Elementwise unary ops. Groups that move entries (shifts, flips, turns, permutations) commute
 * with any function applied to each entry. Rotations of vector axes commute only with linear
 * ones. Value groups depend on the function: odd functions keep a tensor odd, even ones (Abs,
 * Cos) make it invariant, positively homogeneous ones (Relu, Abs) keep a degree of scaling.
 */
import { acted, isInvariant, lost, unknown, withEffect, type State } from "../domain";
import { floatAttribute } from "../../../onnx/attributes";
import type { Node } from "../../../onnx/model";
import { followingMergedAxes, type Rule, type RuleInput } from "../rule";

interface UnaryFacts {
  /** f(-x) = -f(x). */
  odd?: boolean;
  /** f(-x) = f(x). */
  even?: boolean;
  /** f(s x) = s^degree f(x) for s > 0, as a multiple of the input's degree (1: Relu; 0.5: Sqrt; -1: Reciprocal; 0: Sign). */
  homogeneous?: number;
  /** f(a + b) = f(a) + f(b) and f(s a) = s f(a): commutes with rotations of vector axes. */
  linear?: boolean;
  /** f(p + t) = f(p) + t as well: keeps a position a position under translations (only the identity). */
  keepsPositions?: boolean;
}

const ODD_LINEAR: UnaryFacts = { odd: true, homogeneous: 1, linear: true };

/** What is known of each op as a function of one number. Ops not listed here have no rule. */
export const UNARY: Readonly<Record<string, UnaryFacts>> = {
  Identity: { ...ODD_LINEAR, keepsPositions: true },
  Neg: ODD_LINEAR,
  Relu: { homogeneous: 1 },
  LeakyRelu: { homogeneous: 1 },
  Abs: { even: true, homogeneous: 1 },
  Sign: { odd: true, homogeneous: 0 },
  Sqrt: { homogeneous: 0.5 },
  Reciprocal: { odd: true, homogeneous: -1 },
  Tanh: { odd: true },
  Sin: { odd: true },
  Tan: { odd: true },
  Asin: { odd: true },
  Atan: { odd: true },
  Sinh: { odd: true },
  Asinh: { odd: true },
  Atanh: { odd: true },
  Erf: { odd: true },
  Softsign: { odd: true },
  Round: { odd: true },
  Shrink: { odd: true },
  Cos: { even: true },
  Cosh: { even: true },
  Sigmoid: {},
  HardSigmoid: {},
  HardSwish: {},
  Gelu: {},
  Elu: {},
  Selu: {},
  Celu: {},
  Softplus: {},
  Mish: {},
  ThresholdedRelu: {},
  Exp: {},
  Log: {},
  Acos: {},
  Acosh: {},
  Floor: {},
  Ceil: {},
  Erfinv: {},
  Not: {},
  IsNaN: {},
  IsInf: {},
};

function unaryRule(facts: UnaryFacts): Rule {
  return ({ node, group, inputs }) => {
    const output = transform(inputs[0], facts, group.group.kind, node);
    // Plain loops, no closures: this runs for every activation of a network.
    const outputs = [output];
    for (let i = 1; i < node.outputs.length; i++) outputs.push(acted([]));
    return outputs;
  };
}

function transform(x: RuleInput["inputs"][number], facts: UnaryFacts, groupKind: string, node: Node): State {
  const opType = node.opType;
  for (const role of x.roles) {
    if (role?.kind !== "geometric") continue;
    if (!facts.linear) return lost(node, `${opType} acts on each component of a vector separately, which rotations do not commute with`);
    // Linear is not enough for positions: -(R p + t) = R (-p) - t, so negated points move the wrong way.
    if (role.as === "point" && !facts.keepsPositions) {
      return lost(node, `${opType} of the positions along ${role.groupAxis} is no position: translating the points by t moves it by -t`);
    }
  }
  if (x.exponent === 0) return x;
  if (groupKind === "negate") {
    if (facts.odd) return x;
    if (facts.even) return acted(x.roles, 0, x.approx);
    return lost(node, `${opType} is neither odd nor even, so negating its input changes its output in no fixed way`);
  }
  if (facts.homogeneous === undefined) return lost(node, `${opType} is not positively homogeneous: scaling its input does not scale its output`);
  return acted(x.roles, x.exponent * facts.homogeneous, x.approx);
}

/** Clip keeps oddness only with symmetric bounds; its bounds must not move with the group. */
const clip: Rule = (input) => {
  const { node, inputs, facts } = input;
  const bounds = inputs.slice(1);
  if (!bounds.every(isInvariant)) return [lost(node, "its bounds change with the input")];
  // Opset 11 moved the bounds from attributes to inputs.
  const low = node.inputs[1] ? facts.constant(node.inputs[1])?.values[0] : floatAttribute(node, "min");
  const high = node.inputs[2] ? facts.constant(node.inputs[2])?.values[0] : floatAttribute(node, "max");
  const symmetric = low !== undefined && high !== undefined && low === -high;
  return unaryRule({ odd: symmetric })({ ...input, inputs: inputs.slice(0, 1) });
};

/** Dropout at inference is the identity; its optional mask output is all ones. */
const dropout: Rule = ({ node, inputs }) => node.outputs.map((_, i) => (i === 0 ? inputs[0] : acted([])));

const FLOAT_TYPES = ["double", "float", "float16", "bfloat16"];

/**
 * Cast changes the number type. Moving entries commutes with it whatever the type; rotations and
 * value groups survive a cast between float types (a narrower one rounds: approximate), and
 * nothing is claimed through a cast to integers or booleans.
 */
const cast: Rule = ({ node, inputs, facts }) => {
  const [x] = inputs;
  const from = facts.elementType(node.inputs[0]);
  const to = facts.elementType(node.outputs[0]);
  const sensitive = x.exponent !== 0 || x.roles.some((role) => role?.kind === "geometric");
  if (!sensitive) return [x];
  if (!from || !to || !FLOAT_TYPES.includes(to) || !FLOAT_TYPES.includes(from)) return [unknown(node, `a cast from ${from ?? "?"} to ${to ?? "?"} rounds values in ways the static analysis does not follow`)];
  const narrows = FLOAT_TYPES.indexOf(to) > FLOAT_TYPES.indexOf(from);
  return [narrows ? withEffect(x, { node: node.name, reason: `rounding to ${to}` }) : x];
};

/** Each rule here applies a function to each entry, so it commutes with a merged axis' moves of entries too. */
export const elementwiseRules: ReadonlyMap<string, Rule> = new Map<string, Rule>(
  [
    ...Object.entries(UNARY).map(([op, facts]) => [op, unaryRule(facts)] as const),
    ["Clip", clip] as const,
    ["Dropout", dropout] as const,
    ["Cast", cast] as const,
    ["CastLike", cast] as const,
  ].map(([op, rule]) => [op, followingMergedAxes(rule)]),
);
