/**
 * Shapes of elementwise ops: unary ones keep their input's shape, broadcasting ones take the
 * numpy broadcast of their inputs (opsets before 7 broadcast the second input onto the first
 * instead), and folded arithmetic on shape vectors.
 */
import { intAttribute } from "../../../onnx/attributes";
import { elementTypeName } from "../../../onnx/dataTypes";
import type { Dim } from "../../../onnx/model";
import { convertNumber } from "../constants";
import { binaryEntryOp, isFoldableBinary, UNARY_ARITHMETIC } from "./arithmetic";
import { broadcastShapes } from "./dims";
import { dimsWithEntries, outputFacts } from "./entries";
import { broadcastEntries } from "./kernels";
import type { Entry, Infer, InferenceInput, ValueFacts } from "./types";

/** Ops whose first output has their first input's shape and type (activations, normalizations, softmax...). */
const SAME_SHAPE = [
  "Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Softplus", "Softsign", "Elu", "Selu",
  "Celu", "Gelu", "Mish", "ThresholdedRelu", "Shrink", "Exp", "Log", "Erf", "Sin", "Cos", "Tan", "Asin", "Acos",
  "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Round", "Sign", "Clip", "Softmax", "LogSoftmax", "Hardmax",
  "LRN", "BatchNormalization", "InstanceNormalization", "LayerNormalization", "GroupNormalization",
  "LpNormalization", "MeanVarianceNormalization", "Trilu", "CumSum", "BitwiseNot", "Dropout",
  ...Object.keys(UNARY_ARITHMETIC),
];

/** Ops with a bool output of their input's shape. */
const PREDICATES = ["IsNaN", "IsInf"];

/** Broadcasting ops whose output has their first input's type. */
const BROADCASTING = ["Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor"];

/** Broadcasting ops with a bool output. */
const BROADCASTING_PREDICATES = ["Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "And", "Or", "Xor"];

/** The first output keeps the first input's shape and type; Dropout's mask is a bool of that shape; some fold entry-wise. */
const sameShape: Infer = ({ node, inputs, entryLimit }) => {
  const [x] = inputs;
  const apply = UNARY_ARITHMETIC[node.opType];
  const { entries, elementType } = x;
  const first = outputFacts(x.shape, elementType, entryLimit, apply && entries && elementType ? () => mapNumbers(entries, apply, elementType) : undefined);
  return node.opType === "Dropout" ? [first, { shape: x.shape, elementType: "bool" }] : [first];
};

function mapNumbers(entries: ArrayLike<Entry>, apply: (value: number) => number, elementType: string): Entry[] {
  return Array.from(entries, (entry) => (typeof entry === "number" ? convertNumber(apply(entry), elementType) : undefined));
}

const predicate: Infer = ({ inputs }) => [{ shape: inputs[0].shape, elementType: "bool" }];

const identity: Infer = ({ inputs }) => [inputs[0]];

/** Cast converts entries; a symbol stays itself (a dim is the same number in any numeric type) except as a bool. */
const cast: Infer = ({ node, inputs, entryLimit }) => {
  const to = node.opType === "CastLike" ? inputs[1]?.elementType : elementTypeName(intAttribute(node, "to", 0));
  const [x] = inputs;
  if (to === undefined || to === "undefined") return [{ shape: x.shape }];
  const convert = (entry: Entry): Entry => (typeof entry === "number" ? convertNumber(entry, to) : to === "bool" ? undefined : entry);
  return [outputFacts(x.shape, to, entryLimit, x.entries && (() => Array.from(x.entries!, convert)))];
};

/** The output shape of a broadcasting op; before opset 7 the other inputs broadcast onto the first, whose shape the output keeps. */
function broadcastShape(input: InferenceInput): readonly Dim[] | undefined {
  const present = input.node.inputs.includes("") ? input.inputs.filter((_, i) => input.node.inputs[i] !== "") : input.inputs;
  const shapes = present.map((facts) => facts.shape);
  const legacy = input.opset < 7 || (input.opset < 8 && LEGACY_UNTIL_8.has(input.node.opType));
  if (legacy) return shapes[0];
  return allKnown(shapes) ? broadcastShapes(shapes) : undefined;
}

/** The variadic ops that kept the legacy broadcast until opset 8. */
const LEGACY_UNTIL_8 = new Set(["Max", "Min", "Sum", "Mean"]);

function allKnown(shapes: readonly (readonly Dim[] | undefined)[]): shapes is readonly (readonly Dim[])[] {
  for (const shape of shapes) if (shape === undefined) return false;
  return true;
}

/**
 * Broadcasting ops. Folding needs every input's entries; the legacy broadcast with an `axis`
 * does not align inputs at their last axes, so it is not folded.
 */
function broadcasting(boolOutput: boolean): Infer {
  return (input) => {
    const { node, inputs, entryLimit } = input;
    const shape = broadcastShape(input);
    const elementType = boolOutput ? "bool" : inputs[0].elementType;
    const foldable = isFoldableBinary(node.opType) && inputs.length >= 2 && !node.attributes.has("axis");
    // The entry-wise function is looked up only for outputs small enough to fold (shape computations).
    const fold = (dims: number[]) => {
      const combine = binaryEntryOp(node.opType, elementType);
      return combine && foldBroadcast(inputs, dims, combine);
    };
    return [outputFacts(shape, elementType, entryLimit, foldable ? fold : undefined)];
  };
}

/** Folds an n-ary op pairwise over its inputs, each broadcast to the output's dims. */
function foldBroadcast(inputs: readonly ValueFacts[], dims: number[], combine: (a: Entry, b: Entry) => Entry): Entry[] | undefined {
  const broadcast = inputs.map((facts) => {
    const own = dimsWithEntries(facts);
    return own && broadcastEntries(facts.entries!, own, dims);
  });
  if (broadcast.some((entries) => entries === undefined)) return undefined;
  const [first, ...rest] = broadcast as Entry[][];
  return first.map((entry, i) => rest.reduce((result, entries) => combine(result, entries[i]), entry));
}

/** Where(condition, x, y): the broadcast of the three; entries where the condition's are known. */
const where: Infer = (input) => {
  const { inputs, entryLimit } = input;
  const shape = broadcastShape(input);
  const elementType = inputs[1]?.elementType;
  return [
    outputFacts(shape, elementType, entryLimit, (dims) => {
      const broadcast = inputs.map((facts) => {
        const own = dimsWithEntries(facts);
        return own && broadcastEntries(facts.entries!, own, dims);
      });
      const [condition, x, y] = broadcast;
      if (!condition || !x || !y) return undefined;
      return condition.map((entry, i) => (typeof entry === "number" ? (entry !== 0 ? x[i] : y[i]) : undefined));
    }),
  ];
};

export const elementwiseInference: ReadonlyMap<string, Infer> = new Map<string, Infer>([
  ...SAME_SHAPE.map((op) => [op, sameShape] as const),
  ...PREDICATES.map((op) => [op, predicate] as const),
  ...BROADCASTING.map((op) => [op, broadcasting(false)] as const),
  ...BROADCASTING_PREDICATES.map((op) => [op, broadcasting(true)] as const),
  ["Identity", identity],
  ["Cast", cast],
  ["CastLike", cast],
  ["Where", where],
]);
