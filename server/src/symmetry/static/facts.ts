/**
 * What the rules may ask about the graph besides the states: value shapes (from value infos, or
 * inferred) and constant values (initializers, `Constant` nodes, and shape subgraphs folded:
 * Shape -> Gather -> Concat -> Reshape is how exporters write Flatten).
 */
import type { Dim, Node, OnnxModel } from "../../onnx/model";

/** A constant tensor's values, decoded to numbers (int64 beyond 2^53 loses precision; shapes never get there). */
export interface ConstantTensor {
  elementType: string;
  dims: readonly number[];
  values: ArrayLike<number>;
}

export interface GraphFacts {
  readonly model: OnnxModel;
  /** The opset of the default domain. */
  readonly opset: number;
  /** The value's shape, when its rank is known (dims may be symbolic or unknown). */
  shape(value: string): readonly Dim[] | undefined;
  /** The value's element type, when known. */
  elementType(value: string): string | undefined;
  /** The value's contents when it is constant (weights, folded shape computations); undefined otherwise. */
  constant(value: string): ConstantTensor | undefined;
  /** The node that produces a value (undefined for graph inputs and initializers). */
  producer(value: string): Node | undefined;
}
