/**
 * The typed syntax tree of a spec (see docs/language.md and ../shared/spec/dsl.md).
 *
 * The parser recovers from errors, so every part that the user may not have typed yet is
 * optional: a tree is always produced, and the binder and the editor features work on
 * whatever parsed. Every name, number and string carries its source range.
 */
import type { Range } from "../common/text";

/** An identifier or a double-quoted name (`"input.1"`); `text` is the name without quotes. */
export interface Name {
  text: string;
  range: Range;
  quoted: boolean;
}

export interface NumberLiteral {
  value: number;
  /** As written, for messages (`1e-4`). */
  text: string;
  range: Range;
}

export interface StringLiteral {
  /** The string with quotes removed and escapes resolved. */
  value: string;
  range: Range;
}

interface StatementBase {
  /** From the keyword to the last token that parsed. */
  range: Range;
  /** The statement's leading keyword. */
  keyword: Range;
}

/** `model "PATH"` */
export interface ModelStatement extends StatementBase {
  kind: "model";
  path?: StringLiteral;
}

/** `input NAME [AXES]` or `output NAME [AXES]` */
export interface TensorDeclaration extends StatementBase {
  kind: "tensor";
  direction: "input" | "output";
  name?: Name;
  axes: AxisDeclaration[];
  /** The brackets and what is between them, when an opening bracket was written. */
  axesRange?: Range;
}

/** One axis: `y`, `batch = 2`, `xyz: point`, `orient: turn`, `_`. */
export interface AxisDeclaration {
  /** `_` for an axis no group acts on. */
  name: Name;
  size?: NumberLiteral;
  /** `vector`, `pseudovector`, `point`, or the name of a finite symmetry (regular representation). */
  axisKind?: Name;
  range: Range;
}

/** `symmetry NAME = CONSTRUCTOR(ARGS)` */
export interface SymmetryDeclaration extends StatementBase {
  kind: "symmetry";
  name?: Name;
  constructorName?: Name;
  args: Argument[];
  /** The parentheses and what is between them, when an opening parenthesis was written. */
  argsRange?: Range;
}

/** A positional argument (`y`, `"input.1"`) or an option (`step=2`). */
export interface Argument {
  /** The option's name; absent for a positional argument. */
  option?: Name;
  value?: Name | NumberLiteral | StringLiteral;
  range: Range;
}

/** `invariant OUT (, OUT)* under SYM (, SYM)* (within TOL)?` and its `equivariant` twin. */
export interface Claim extends StatementBase {
  kind: "claim";
  claimKind: "invariant" | "equivariant";
  outputs: Name[];
  symmetries: Name[];
  tolerance?: NumberLiteral;
}

/** `check { SETTINGS }` */
export interface CheckBlock extends StatementBase {
  kind: "check";
  settings: Setting[];
  /** The braces and what is between them. */
  bodyRange?: Range;
}

export type Statement = ModelStatement | TensorDeclaration | SymmetryDeclaration | Claim | CheckBlock;

/** `samples 8`, `seed 0`, `tolerance 1e-4` */
export interface NumberSetting {
  kind: "number";
  name: Name;
  value?: NumberLiteral;
  range: Range;
}

/** `size batch = 2, y = 32` */
export interface SizeSetting {
  kind: "size";
  name: Name;
  sizes: SizeAssignment[];
  range: Range;
}

export interface SizeAssignment {
  axis: Name;
  value?: NumberLiteral;
  range: Range;
}

/** `input NAME ~ dist(ARGS)`, `input NAME = VALUE`, `input NAME from "FILE"` */
export interface InputSetting {
  kind: "input";
  name: Name;
  tensor?: Name;
  source?: InputSource;
  range: Range;
}

export type InputSource =
  | { kind: "distribution"; distribution: Name; args: NumberLiteral[]; range: Range }
  | { kind: "fixed"; value: NumberLiteral; range: Range }
  | { kind: "file"; path: StringLiteral; range: Range };

/** A setting whose name the language does not know: kept so the binder can suggest the right one. */
export interface UnknownSetting {
  kind: "unknown";
  name: Name;
  values: (NumberLiteral | StringLiteral)[];
  range: Range;
}

export type Setting = NumberSetting | SizeSetting | InputSetting | UnknownSetting;

/** A whole spec file. */
export interface SpecFile {
  statements: Statement[];
  /** Ranges of `#` comments, for folding. */
  comments: Range[];
}
