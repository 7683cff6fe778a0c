/**
 * Entry-wise arithmetic for folding shape computations. Numbers are computed in float64 and
 * converted to the output's element type (so int64 division truncates and float32 rounds as
 * the runtime does); a symbolic entry survives only the identities (`batch * 1`, `batch + 0`),
 * and compares equal to itself.
 */
import { convertNumber } from "../constants";
import type { Entry } from "./types";

type NumberOp = (a: number, b: number) => number | undefined;

/** Ops whose result has the inputs' element type. */
const ARITHMETIC: Readonly<Record<string, NumberOp>> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => (b === 0 ? undefined : a / b),
  Max: Math.max,
  Min: Math.min,
  Sum: (a, b) => a + b,
};

/** Comparisons: the result is a bool (1 or 0). */
const COMPARISONS: Readonly<Record<string, NumberOp>> = {
  Equal: (a, b) => Number(a === b),
  Less: (a, b) => Number(a < b),
  LessOrEqual: (a, b) => Number(a <= b),
  Greater: (a, b) => Number(a > b),
  GreaterOrEqual: (a, b) => Number(a >= b),
  And: (a, b) => Number(a !== 0 && b !== 0),
  Or: (a, b) => Number(a !== 0 || b !== 0),
  Xor: (a, b) => Number((a !== 0) !== (b !== 0)),
};

export function isFoldableBinary(opType: string): boolean {
  return opType in ARITHMETIC || opType in COMPARISONS;
}

/**
 * The entry-wise function of a binary op whose output has `outputType`, or undefined when the
 * op is not folded. An undefined entry in, or a result the type cannot hold, gives undefined.
 */
export function binaryEntryOp(opType: string, outputType: string | undefined): ((a: Entry, b: Entry) => Entry) | undefined {
  const comparison = COMPARISONS[opType];
  if (comparison) return (a, b) => (typeof a === "number" && typeof b === "number" ? comparison(a, b) : symbolicComparison(opType, a, b));
  const arithmetic = ARITHMETIC[opType];
  if (!arithmetic || outputType === undefined) return undefined;
  return (a, b) => {
    if (typeof a !== "number" || typeof b !== "number") return symbolicIdentity(opType, a, b);
    const result = arithmetic(a, b);
    return result === undefined ? undefined : convertNumber(result, outputType);
  };
}

/** A symbol survives adding 0, subtracting 0, multiplying or dividing by 1, and the max or min with itself. */
function symbolicIdentity(opType: string, a: Entry, b: Entry): Entry {
  if (typeof a === "string" && a === b) {
    if (opType === "Max" || opType === "Min") return a;
    if (opType === "Sub") return 0;
    return undefined;
  }
  const neutral = opType === "Mul" || opType === "Div" ? 1 : opType === "Add" || opType === "Sub" || opType === "Sum" ? 0 : undefined;
  if (neutral === undefined) return undefined;
  if (typeof a === "string" && b === neutral) return a;
  const commutes = opType !== "Sub" && opType !== "Div";
  return commutes && typeof b === "string" && a === neutral ? b : undefined;
}

/** A symbol equals itself; nothing else is known about it. */
function symbolicComparison(opType: string, a: Entry, b: Entry): Entry {
  if (typeof a !== "string" || a !== b) return undefined;
  if (opType === "Equal" || opType === "LessOrEqual" || opType === "GreaterOrEqual") return 1;
  return opType === "Less" || opType === "Greater" ? 0 : undefined;
}

/** Unary ops folded entry-wise (numbers only; Identity and Cast pass symbols through elsewhere). */
export const UNARY_ARITHMETIC: Readonly<Partial<Record<string, (a: number) => number>>> = {
  Neg: (a) => -a,
  Abs: Math.abs,
  Floor: Math.floor,
  Ceil: Math.ceil,
  Sqrt: Math.sqrt,
  Reciprocal: (a) => 1 / a,
  Not: (a) => Number(a === 0),
};
