/**
 * How static verdicts read, in one place, so that the editor's diagnostics, CodeLens and hover
 * and the command line all say the same thing: a diagnostic per (claim, symmetry) pair that is
 * not proved, a short summary for a lens title, and the full explanation.
 *
 * Where a verdict's diagnostic sits: on the symmetry's name in the claim (`under shift`). A claim
 * is judged once per symmetry, so each pair gets its own, non-overlapping range; when a claim
 * lists several outputs, the message names the output that fares worst.
 */
import type { BoundClaim, BoundSpec } from "../binding/bound";
import type { Severity, SpecDiagnostic } from "../common/diagnostic";
import { range, type Range } from "../common/text";
import { checkStatically, type StaticCheck, type Verdict } from "../symmetry/static";

/** How many steps a long path shows at each end. */
const PATH_ENDS = 4;

/** Lens titles stay short: an effect's reason is cut to this many characters. */
const SUMMARY_REASON_LIMIT = 48;

const SEVERITY: Record<Exclude<Verdict, "proved">, Severity> = { violated: "error", approximate: "warning", unknown: "info" };

/** What each verdict means for the user, one sentence. */
const MEANING: Record<Verdict, string> = {
  proved: "The graph and its weights guarantee the claim, up to floating-point rounding.",
  approximate: "The claim holds except for the named effects (such as zero padding at the borders); a numeric check measures how much they matter.",
  violated: "A node of the graph provably breaks the claim.",
  unknown: "The static analysis cannot judge an op on the way; a numeric check can decide.",
};

/** `invariant logits under shift`: the (claim, symmetry) pair as the spec says it. */
export function pairInWords(claim: BoundClaim, symmetry: string): string {
  return `${claim.kind} ${claim.outputs.join(", ")} under ${symmetry}`;
}

/**
 * The static checks of a bound spec, with a diagnostic per pair that is not proved (the lens
 * shows proved ones), in the order of the checks. A bug in the analysis is reported on the first
 * claim instead of thrown: the spec's other diagnostics must still reach the user.
 */
export function judgeStatically(bound: BoundSpec): { checks: StaticCheck[]; diagnostics: SpecDiagnostic[] } {
  let checks: StaticCheck[];
  try {
    checks = checkStatically(bound);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const at = bound.claims[0]?.declaration.keyword ?? range(0, 0, 0, 0);
    const message = `the static analysis failed (${reason}): its verdicts are missing. Please report this bug.`;
    return { checks: [], diagnostics: [{ range: at, severity: "error", message, code: "static.internal-error" }] };
  }
  return { checks, diagnostics: verdictDiagnostics(checks) };
}

function verdictDiagnostics(checks: readonly StaticCheck[]): SpecDiagnostic[] {
  return checks.flatMap((check) => {
    if (check.verdict === "proved") return [];
    return [{ range: pairRange(check.claim, check.symmetry), severity: SEVERITY[check.verdict], message: verdictMessage(check), code: `static.${check.verdict}` }];
  });
}

/**
 * Where a pair's diagnostics sit, static and numeric: the symmetry's name in the claim (the
 * claim's keyword if the name cannot be found, which binding rules out).
 */
export function pairRange(claim: BoundClaim, symmetry: string): Range {
  const declaration = claim.declaration;
  return declaration.symmetries.find((name) => name.text === symmetry)?.range ?? declaration.keyword;
}

/** `invariant logits under shift is violated: fc (Gemm): ...; path: image -> conv1 -> flatten -> fc`. */
function verdictMessage(check: StaticCheck): string {
  const parts = [`${pairInWords(check.claim, check.symmetry)} is ${check.verdict}${forOutput(check)}: ${check.reason}`];
  if (check.verdict !== "approximate" && check.path.length > 1) parts.push(`path: ${pathInWords(check)}`);
  return parts.join("; ");
}

/** ` for scores` when the claim lists several outputs. */
function forOutput(check: StaticCheck): string {
  return check.claim.outputs.length > 1 ? ` for ${check.output}` : "";
}

/** `image -> conv1 -> flatten -> fc`; a long path (a deep network's) keeps its first and last steps only. */
function pathInWords(check: StaticCheck): string {
  const path = check.path;
  if (path.length <= 2 * PATH_ENDS + 1) return path.join(" -> ");
  return [...path.slice(0, PATH_ENDS), `(${path.length - 2 * PATH_ENDS} more)`, ...path.slice(-PATH_ENDS)].join(" -> ");
}

/** `proved`, `approximate (zero padding at conv1)`, `violated at fc`, `unknown at loop (Loop)`: a lens title's verdict. */
export function verdictSummary(check: StaticCheck): string {
  switch (check.verdict) {
    case "proved":
      return "proved";
    case "approximate": {
      const [first, ...others] = check.effects;
      if (!first) return "approximate";
      const more = others.length > 0 ? `, +${others.length} more` : "";
      return `approximate (${shorten(first.reason)} at ${first.node}${more})`;
    }
    case "violated":
      return check.node ? `violated at ${check.node}` : "violated";
    case "unknown":
      return check.node ? `unknown at ${check.node}${check.opType ? ` (${check.opType})` : ""}` : "unknown";
  }
}

function shorten(text: string): string {
  return text.length <= SUMMARY_REASON_LIMIT ? text : `${text.slice(0, SUMMARY_REASON_LIMIT - 1).trimEnd()}…`;
}

/** The full explanation of a pair's verdict: what hover and the lens's command show. */
export interface Explanation {
  /** `invariant logits under shift` */
  pair: string;
  verdict: Verdict;
  /** Labelled facts, those that apply: the output, why, the path, each approximation. `code` marks names to set in code. */
  facts: { label: string; text: string; code?: boolean }[];
  meaning: string;
}

export function explain(check: StaticCheck): Explanation {
  const facts: Explanation["facts"] = [];
  if (check.claim.outputs.length > 1) facts.push({ label: "Output", text: check.output, code: true });
  // An approximate verdict's reason lists its effects, which come one by one below.
  if (check.effects.length === 0) facts.push({ label: "Why", text: check.reason });
  if (check.path.length > 1) facts.push({ label: "Path", text: pathInWords(check), code: true });
  for (const effect of check.effects) facts.push({ label: "Approximation", text: `${effect.reason} at ${effect.node}` });
  return { pair: pairInWords(check.claim, check.symmetry), verdict: check.verdict, facts, meaning: MEANING[check.verdict] };
}

/** The explanation as plain text, a line per fact: for messages and logs. */
export function explanationText(check: StaticCheck): string {
  const { pair, verdict, facts, meaning } = explain(check);
  return [`${pair}: ${verdict} (static check)`, ...facts.map((fact) => `${fact.label}: ${fact.text}`), meaning].join("\n");
}
