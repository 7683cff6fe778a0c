/**
 * How numeric results read, in one place, so that the editor's diagnostics, CodeLens and Test
 * Explorer and the command line all say the same thing: a short summary for a lens title, a
 * one-line message for a diagnostic, and the full details.
 *
 * A failed check and one that could not run are both errors on the pair (on the symmetry's name
 * in the claim, where the static verdict's diagnostic sits too): one says the claim does not
 * hold, the other that it is not known to, and both need the user. A passed check is no problem:
 * its lens says so.
 */
import type { SpecDiagnostic } from "../common/diagnostic";
import type { NumericCheck } from "../symmetry/numeric/types";
import type { CheckPair, NumericResults } from "./numericResults";
import type { SpecAnalysis } from "./analysis";
import { pairInWords, pairRange } from "./verdicts";

/** Lens titles stay short: an error's message is cut to this many characters. */
const SUMMARY_MESSAGE_LIMIT = 60;

/** `3.1e-7`, `0.42`, `1e-4`: two significant digits, exponents for the very small and the very large. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e4) return String(Number(value.toPrecision(2)));
  return value.toExponential(1).replace(".0e", "e").replace("e+", "e");
}

/** `85 ms`, `0.4 s`, `12.3 s`. */
export function formatDuration(ms: number): string {
  return ms < 100 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A lens title's result: `passed 16/16, max rel err 3.1e-7, 0.4 s`, `failed: rel err 0.42 > 1e-4
 * at shift y=+3 x=-5`, `could not run: ...`, `cancelled`.
 */
export function numericSummary(check: NumericCheck): string {
  switch (check.status) {
    case "passed":
      return `passed ${check.samples}/${check.samples}, max rel err ${formatNumber(check.maxRelError)}, ${formatDuration(check.ms)}`;
    case "failed":
      return `failed: rel err ${formatNumber(check.maxRelError)} > ${formatNumber(check.tolerance)}${atWorst(check)}`;
    case "error":
      return `could not run: ${shorten(check.message ?? "unknown error")}`;
    case "cancelled":
      return "cancelled";
  }
}

/** The one-line message of a diagnostic, a test failure, a line of the command line's output. */
export function numericMessage(pair: CheckPair, check: NumericCheck): string {
  const words = pairInWords(pair.claim, pair.symmetry);
  switch (check.status) {
    case "passed":
      return `${words} passed the numeric check: largest relative error ${formatNumber(check.maxRelError)} (tolerance ${formatNumber(check.tolerance)}) over ${check.samples} samples in ${formatDuration(check.ms)}`;
    case "failed":
      return (
        `${words} failed the numeric check: relative error ${formatNumber(check.maxRelError)} (tolerance ${formatNumber(check.tolerance)})${atWorst(check)}; ` +
        `largest absolute error ${formatNumber(check.maxAbsError)}; ${check.samples} samples in ${formatDuration(check.ms)}`
      );
    case "error":
      return `${words}: the numeric check could not run: ${check.message ?? "unknown error"}`;
    case "cancelled":
      return `${words}: the numeric check was cancelled`;
  }
}

/** The full result, a line per figure: what the result lens's command and the Test Explorer show. */
export function numericDetails(pair: CheckPair, check: NumericCheck): string {
  const lines = [`${pairInWords(pair.claim, pair.symmetry)}: ${check.status} (numeric check)`];
  if (check.message) lines.push(check.status === "error" ? `Why: ${check.message}` : check.message);
  if (check.status === "passed" || check.status === "failed") {
    lines.push(
      `Samples: ${check.samples}`,
      `Largest relative error: ${formatNumber(check.maxRelError)} (tolerance ${formatNumber(check.tolerance)})`,
      `Largest absolute error: ${formatNumber(check.maxAbsError)}`,
    );
    if (check.worst) lines.push(`Worst element: ${check.worst}`);
  }
  lines.push(`Time: ${formatDuration(check.ms)}`);
  return lines.join("\n");
}

/** One error per pair whose current result failed or could not run, in the order of the pairs. */
export function numericDiagnostics(analysis: SpecAnalysis, pairs: readonly CheckPair[], results: NumericResults): SpecDiagnostic[] {
  return pairs.flatMap((pair) => {
    const check = results.get(analysis.specPath, pair);
    if (check?.status !== "failed" && check?.status !== "error") return [];
    return [{ range: pairRange(pair.claim, pair.symmetry), severity: "error" as const, message: numericMessage(pair, check), code: `numeric.${check.status}` }];
  });
}

/** ` at shift y=+3 x=-5`, when the check names its worst element. */
function atWorst(check: NumericCheck): string {
  return check.worst ? ` at ${check.worst}` : "";
}

function shorten(text: string): string {
  const firstLine = text.split("\n")[0];
  return firstLine.length <= SUMMARY_MESSAGE_LIMIT ? firstLine : `${firstLine.slice(0, SUMMARY_MESSAGE_LIMIT - 1).trimEnd()}…`;
}
