/**
 * The table of transfer rules, by op type (default ONNX domain). One file per op family; each
 * rule is documented where it is written, and docs/static-analysis.md lists them for users.
 */
import type { Rule } from "../rule";
import { elementwiseRules } from "./elementwise";

export const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([...elementwiseRules]);
