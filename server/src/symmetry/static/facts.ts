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
  /**
   * The value's contents when it is constant: initializers (decoded when first asked, then
   * cached), `Constant` nodes, and what ops compute from constants (a weight through Transpose,
   * Reshape, Cast...; folded shape computations). Undefined otherwise, and for a Shape of a
   * symbolic shape, whose entries are not all numbers (see shapeVector).
   */
  constant(value: string): ConstantTensor | undefined;
  /**
   * The entries of a small 0-D or 1-D tensor, usually a shape being computed, as far as they are
   * known: a number, the name of a symbolic dim (PyTorch's flatten gives a Reshape the target
   * `["batch", -1]` when the batch is symbolic), or undefined for an entry nothing is known of.
   * A scalar gives one entry. Undefined when the value is not such a tensor or its length is unknown.
   */
  shapeVector(value: string): (number | string | undefined)[] | undefined;
  /** The node that produces a value (undefined for graph inputs and initializers). */
  producer(value: string): Node | undefined;
}
