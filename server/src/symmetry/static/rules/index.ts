/**
 * The table of transfer rules, by op type (default ONNX domain). One file per op family; each
 * rule is documented where it is written, and docs/static-analysis.md lists them for users.
 */
import type { Rule } from "../rule";
import { elementwiseRules } from "./elementwise";
import { shapeRules } from "./shape";
import { matmulRules } from "./matmul";
import { convRules } from "./conv";
import { padRules } from "./pad";
import { poolRules } from "./pool";
import { resizeRules } from "./resize";
import { binaryRules } from "./binary";
import { reduceRules } from "./reduce";
import { normalizationRules } from "./normalization";
import { softmaxRules } from "./softmax";

export const RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([...elementwiseRules, ...shapeRules, ...matmulRules, ...convRules, ...poolRules, ...padRules, ...resizeRules, ...binaryRules, ...reduceRules, ...normalizationRules, ...softmaxRules]);
