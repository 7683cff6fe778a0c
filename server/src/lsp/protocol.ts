/**
 * symcheck's own requests and notifications, beside LSP (which has no testing protocol): the
 * Test Explorer lists the checks of each spec and runs them. Documented in docs/protocol.md.
 * Types only (and method names), so that the VS Code client can import them.
 */
import type { Range } from "../common/text";
import type { MeasuredFigures } from "../service/numericResults";
import type { NumericCheck } from "../symmetry/numeric/types";
import type { Verdict } from "../symmetry/static";

/** `symcheck/listChecks`: the (claim, symmetry) pairs of one spec, or of every spec the server knows. */
export const LIST_CHECKS_METHOD = "symcheck/listChecks";
/** `symcheck/runChecks`: runs numeric checks of one spec; cancellable; reports each pair as it finishes. */
export const RUN_CHECKS_METHOD = "symcheck/runChecks";
/** `symcheck/checkResult`: server to client, one pair of a running `symcheck/runChecks` has finished. */
export const CHECK_RESULT_METHOD = "symcheck/checkResult";

export interface ListChecksParams {
  /** One spec; without it, every open spec and every `.sym` file under the workspace folders. */
  uri?: string;
}

export interface ListChecksResult {
  specs: SpecChecks[];
}

export interface SpecChecks {
  uri: string;
  /** Why numeric checks cannot run now (`Numeric checks are off in an untrusted workspace`); absent when they can. */
  numericOff?: string;
  /** In source order. */
  checks: CheckItem[];
}

/** One (claim, symmetry) pair: a test item. */
export interface CheckItem {
  /** Unique within the spec, stable while the claim is not edited: `invariant logits under shift`. */
  id: string;
  /** The same words, for people. */
  label: string;
  symmetry: string;
  /** The claim's statement. */
  range: Range;
  /** Null while the model is not loaded. */
  static: { verdict: Verdict; summary: string } | null;
  /** The last result, while it is current (see docs/protocol.md); null before the first run. */
  numeric: NumericResult | null;
  /** Waiting for its turn or running now. */
  pending: boolean;
}

/** A NumericCheck as the client shows it. Figures that were not measured (an error, a cancellation) or are not finite are null. */
export interface NumericResult extends MeasuredFigures {
  status: NumericCheck["status"];
  ms: number;
  /** Why it could not run, or was cancelled. */
  message?: string;
  /** A lens title's words: `passed 16/16, max rel err 3.1e-7, 0.4 s`. */
  summary: string;
  /** One line: the diagnostic's message. */
  text: string;
  /** A line per figure. */
  details: string;
}

export interface RunChecksParams {
  uri: string;
  /** Only the claim on this line (0-based; any line of the statement). */
  claimLine?: number;
  /** Only these pairs (CheckItem ids); with neither, every pair of the spec. */
  ids?: string[];
  /** Echoed in each `symcheck/checkResult`, so that a client running several requests can tell them apart. */
  runId?: string;
  /** LSP work-done progress: `begin`, a `report` per finished pair, `end`. */
  workDoneToken?: string | number;
}

export interface RunChecksResult {
  uri: string;
  /** One per pair run, in source order; `cancelled` for those a cancellation stopped. */
  results: CheckResult[];
}

export interface CheckResult {
  id: string;
  numeric: NumericResult;
}

export interface CheckResultParams extends CheckResult {
  uri: string;
  runId?: string;
  /** Pairs finished so far in this request, and how many it runs. */
  done: number;
  total: number;
}
