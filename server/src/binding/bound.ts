/**
 * A spec bound to its model: the meaning of what the user wrote, with every name resolved.
 * This is what the analyses (static and numeric) consume. Parts that did not resolve are left
 * out (and reported as diagnostics), so an analysis can trust everything it finds here.
 */
import type { SpecDiagnostic } from "../common/diagnostic";
import type * as ast from "../dsl/ast";
import type { OnnxModel, ValueInfo } from "../onnx/model";

/** How rotation groups act on an axis; `regular` carries a finite group's regular representation. */
export type AxisKind = "plain" | "vector" | "pseudovector" | "point" | "regular";

export interface BoundAxis {
  /** The axis name; `_` for an axis no group acts on. */
  name: string;
  /** As written; with no kind written, `vector` where a rotation group (SO, O, SE, E) acts on the axis, `plain` elsewhere. */
  kind: AxisKind;
  /** For `regular` axes: the symmetry whose group's regular representation the axis carries. */
  regularOf?: string;
  /** The size: the model's static dimension, else the declared `= N`, else the check block's `size`. */
  size?: number;
  /** The dimension as the model gives it (a symbol name, a number, or `?`). */
  modelDim: string;
  declaration: ast.AxisDeclaration;
}

export interface BoundTensor {
  direction: "input" | "output";
  /** The model's name for the tensor. */
  name: string;
  valueInfo: ValueInfo;
  elementType: string;
  axes: BoundAxis[];
  declaration: ast.TensorDeclaration;
}

/** A group and how it acts: the meaning of one `symmetry` statement. */
export type Group =
  | { kind: "translate"; axes: string[]; step: number; margin: number }
  | { kind: "flip"; axis: string }
  | { kind: "rotate90"; axes: [string, string] }
  | { kind: "dihedral"; axes: [string, string] }
  | { kind: "permute"; axis: string }
  /** SO, O, SE, E: rotations of a 2- or 3-axis, with reflections (O, E) and translations of points (SE, E). */
  | { kind: "rotation"; constructor: "SO" | "O" | "SE" | "E"; axis: string; reflections: boolean; translations: boolean }
  | { kind: "negate"; tensors: string[] }
  | { kind: "scale"; tensors: string[] };

export interface BoundSymmetry {
  name: string;
  group: Group;
  declaration: ast.SymmetryDeclaration;
}

export interface BoundClaim {
  kind: "invariant" | "equivariant";
  outputs: string[];
  /** Symmetry names, each checked separately. */
  symmetries: string[];
  /** The claim's `within`, else the check block's `tolerance`; absent means the dtype default. */
  tolerance?: number;
  declaration: ast.Claim;
}

export type InputSource =
  | { kind: "normal"; mean: number; std: number }
  | { kind: "uniform"; low: number; high: number }
  | { kind: "integers"; low: number; high: number }
  | { kind: "fixed"; value: number }
  | { kind: "file"; path: string };

export interface CheckSettings {
  samples: number;
  seed: number;
  tolerance?: number;
  /** Sizes for dynamic dimensions, by axis name. */
  sizes: Map<string, number>;
  /** How each input is drawn, by the model's input name; inputs not listed are `normal(0, 1)`. */
  inputs: Map<string, InputSource>;
}

export interface BoundSpec {
  /** Absolute path of the model file, when one was named or found beside the spec. */
  modelPath?: string;
  model?: OnnxModel;
  tensors: BoundTensor[];
  symmetries: Map<string, BoundSymmetry>;
  claims: BoundClaim[];
  check: CheckSettings;
}

export interface BindResult {
  bound: BoundSpec;
  diagnostics: SpecDiagnostic[];
}
