/** Typed reads of a node's attributes, with the ONNX default when the attribute is absent. */
import type { Node } from "./model";

export function intAttribute(node: Node, name: string, fallback: number): number;
export function intAttribute(node: Node, name: string): number | undefined;
export function intAttribute(node: Node, name: string, fallback?: number): number | undefined {
  const attribute = node.attributes.get(name);
  return attribute?.type === "int" ? attribute.value : fallback;
}

export function intsAttribute(node: Node, name: string): number[] | undefined {
  const attribute = node.attributes.get(name);
  return attribute?.type === "ints" ? attribute.value : undefined;
}

export function floatAttribute(node: Node, name: string, fallback: number): number;
export function floatAttribute(node: Node, name: string): number | undefined;
export function floatAttribute(node: Node, name: string, fallback?: number): number | undefined {
  const attribute = node.attributes.get(name);
  return attribute?.type === "float" ? attribute.value : attribute?.type === "int" ? attribute.value : fallback;
}

export function stringAttribute(node: Node, name: string, fallback: string): string;
export function stringAttribute(node: Node, name: string): string | undefined;
export function stringAttribute(node: Node, name: string, fallback?: string): string | undefined {
  const attribute = node.attributes.get(name);
  return attribute?.type === "string" ? attribute.value : fallback;
}
