/**
 * CodeLens: above each claim, one lens per symmetry with its static verdict (`shift: proved`,
 * `turn: approximate (zero padding at conv1)`, `shift: violated at fc`), `proved` included, so
 * that a claim that holds shows it too. Clicking a lens shows the full explanation: the command
 * is the client's (VS Code needs a command for a lens to show), and its argument carries the
 * explanation, so the client needs nothing else from the server.
 *
 * Numeric lenses (`numericLenses`): `Check numerically` above each claim, `Check all claims
 * numerically` above the `model` line, and, once a pair has been checked, its result beside its
 * static verdict (`shift: passed 16/16, max rel err 3.1e-7, 0.4 s`). Their commands are the
 * client's too; their arguments name the document, so the client knows what to run.
 */
import type { CodeLens } from "vscode-languageserver-types";
import type { Range } from "../common/text";
import type { SpecAnalysis } from "../service/analysis";
import type { CheckPair } from "../service/numericResults";
import { numericDetails, numericSummary } from "../service/numericWords";
import { explanationText, verdictSummary } from "../service/verdicts";
import type { NumericCheck } from "../symmetry/numeric/types";
import type { Verdict } from "../symmetry/static";

export const SHOW_EXPLANATION_COMMAND = "symcheck.showStaticExplanation";
/** Runs the claim at a line (the cursor's, from the command palette); argument: CheckClaimArgument. */
export const CHECK_CLAIM_COMMAND = "symcheck.checkClaimAtCursor";
/** Runs every claim of a spec (the active editor's, from the command palette); argument: CheckFileArgument. */
export const CHECK_FILE_COMMAND = "symcheck.checkFile";
/** Shows a numeric result in full; argument: NumericResultArgument. */
export const SHOW_NUMERIC_RESULT_COMMAND = "symcheck.showNumericResult";

/** The argument of SHOW_EXPLANATION_COMMAND. */
export interface ExplanationArgument {
  /** The claim's range in the spec. */
  claim: Range;
  symmetry: string;
  verdict: Verdict;
  /** Plain text, a line per fact. */
  explanation: string;
}

export function codeLenses(analysis: SpecAnalysis): CodeLens[] {
  return analysis.staticChecks.map((check) => {
    const argument: ExplanationArgument = {
      claim: check.claim.declaration.range,
      symmetry: check.symmetry,
      verdict: check.verdict,
      explanation: explanationText(check),
    };
    return {
      range: check.claim.declaration.keyword,
      command: { title: `${check.symmetry}: ${verdictSummary(check)}`, command: SHOW_EXPLANATION_COMMAND, arguments: [argument] },
    };
  });
}

export interface CheckClaimArgument {
  /** The spec's URI, as the editor knows the document. */
  uri: string;
  /** A line of the claim (0-based). */
  line: number;
}

export interface CheckFileArgument {
  uri: string;
}

export interface NumericResultArgument {
  symmetry: string;
  status: NumericCheck["status"];
  /** Plain text, a line per figure. */
  explanation: string;
}

/** What the numeric lenses show besides the analysis: the server's state for this document. */
export interface NumericLensState {
  /** The document's URI, for the commands' arguments. */
  uri: string;
  pairs: readonly CheckPair[];
  /** Why numeric checks cannot run now (a lens title); undefined when they can. */
  off?: string;
  result(pair: CheckPair): NumericCheck | undefined;
  /** Whether the pair is waiting or running. */
  pending(pair: CheckPair): boolean;
}

/**
 * `Check all claims numerically` above the `model` line and `Check numerically` above each claim
 * (or, when numeric checks are off, why, above each claim). Editors show a line's lenses in the
 * order given: these go before the static verdicts, the results (`numericResultLenses`) after.
 */
export function numericActionLenses(analysis: SpecAnalysis, state: NumericLensState): CodeLens[] {
  if (state.pairs.length === 0) return [];
  const lenses: CodeLens[] = [];
  const modelStatement = analysis.spec.statements.find((statement) => statement.kind === "model");
  if (modelStatement && !state.off) {
    const argument: CheckFileArgument = { uri: state.uri };
    lenses.push({ range: modelStatement.keyword, command: { title: "Check all claims numerically", command: CHECK_FILE_COMMAND, arguments: [argument] } });
  }
  for (const claim of new Set(state.pairs.map((pair) => pair.claim))) {
    // Off, the lens still runs the command: the server's refusal then says why and what to do.
    const argument: CheckClaimArgument = { uri: state.uri, line: claim.declaration.range.start.line };
    lenses.push({ range: claim.declaration.keyword, command: { title: state.off ?? "Check numerically", command: CHECK_CLAIM_COMMAND, arguments: [argument] } });
  }
  return lenses;
}

/** Each checked pair's result above its claim (`shift: passed 16/16, ...`), or `shift: checking…` while it runs. */
export function numericResultLenses(state: NumericLensState): CodeLens[] {
  return state.pairs.flatMap((pair) => resultLens(pair, state) ?? []);
}

/** `shift: checking…` while the pair runs, its last result after. */
function resultLens(pair: CheckPair, state: NumericLensState): CodeLens | undefined {
  const range = pair.claim.declaration.keyword;
  if (state.pending(pair)) return { range, command: { title: `${pair.symmetry}: checking…`, command: "" } };
  const check = state.result(pair);
  if (!check) return undefined;
  const argument: NumericResultArgument = { symmetry: pair.symmetry, status: check.status, explanation: numericDetails(pair, check) };
  return { range, command: { title: `${pair.symmetry}: ${numericSummary(check)}`, command: SHOW_NUMERIC_RESULT_COMMAND, arguments: [argument] } };
}
