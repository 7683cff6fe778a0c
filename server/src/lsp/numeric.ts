/**
 * The protocol side of numeric checks: `symcheck/listChecks` and `symcheck/runChecks` (see
 * docs/protocol.md and ./protocol.ts). A run is awaited only in its own request's handler: the
 * model runs in the runner's worker process, so the server keeps answering hovers, completions
 * and lenses meanwhile.
 */
import { pathToFileURL } from "node:url";
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from "vscode-languageserver";
import type { SpecAnalysis } from "../service/analysis";
import { findSpecs } from "../service/findSpecs";
import type { NumericService } from "../service/numericChecks";
import { checkPairs, measuredFigures, type CheckPair } from "../service/numericResults";
import { numericDetails, numericMessage, numericSummary } from "../service/numericWords";
import { pairInWords, verdictSummary } from "../service/verdicts";
import type { NumericCheck } from "../symmetry/numeric/types";
import {
  CHECK_RESULT_METHOD,
  LIST_CHECKS_METHOD,
  RUN_CHECKS_METHOD,
  type CheckItem,
  type CheckResultParams,
  type ListChecksParams,
  type ListChecksResult,
  type NumericResult,
  type RunChecksParams,
  type RunChecksResult,
  type SpecChecks,
} from "./protocol";
import { numericChecksOff, numericChecksOffMessage, type ServerSettings } from "./settings";
import { filePathOf } from "./uris";
import type { SpecWorkspace } from "./workspace";

export interface NumericRequestsOptions {
  connection: Connection;
  workspace: SpecWorkspace;
  numeric: NumericService;
  /** The settings in force. */
  settings(): ServerSettings;
  /** The folders `symcheck/listChecks` without a URI searches for specs. */
  workspaceFolders(): string[];
  /** Publishes the spec's diagnostics and refreshes its lenses: its numeric state changed. */
  republish(uri: string): void;
  logFailure(what: string, error: unknown): void;
}

export function registerNumericRequests(options: NumericRequestsOptions): void {
  const { connection } = options;
  connection.onRequest(LIST_CHECKS_METHOD, (params: ListChecksParams | null) => listChecks(options, params ?? {}));
  connection.onRequest(RUN_CHECKS_METHOD, (params: RunChecksParams, token: CancellationToken) => runChecks(options, params, token));
}

async function listChecks(options: NumericRequestsOptions, params: ListChecksParams): Promise<ListChecksResult | ResponseError> {
  if (params.uri !== undefined && typeof params.uri !== "string") return invalidParams("symcheck/listChecks: uri must be a string");
  const uris = params.uri ? [params.uri] : await workspaceSpecs(options);
  const specs: SpecChecks[] = [];
  for (const uri of uris) {
    try {
      specs.push(specChecks(options, uri, await options.workspace.analysisOfFile(uri)));
    } catch (error) {
      // A spec deleted since it was found is left out of a listing of all; asked for by name, it is an error.
      if (params.uri) return refusal(errorMessage(error));
    }
  }
  return { specs };
}

/** Every open spec, then every spec on disk under the workspace folders that is not open. */
async function workspaceSpecs(options: NumericRequestsOptions): Promise<string[]> {
  const open = options.workspace.openUris();
  const openPaths = new Set(open.map((uri) => filePathOf(uri)));
  const { specs } = await findSpecs(options.workspaceFolders());
  return [...open, ...specs.filter((specPath) => !openPaths.has(specPath)).map((specPath) => pathToFileURL(specPath).href)];
}

function specChecks(options: NumericRequestsOptions, uri: string, analysis: SpecAnalysis): SpecChecks {
  const numericOff = numericChecksOff(options.settings());
  const checks = checkPairs(analysis).map((pair): CheckItem => {
    const result = options.numeric.results.get(analysis.specPath, pair);
    return {
      id: pair.id,
      label: pairInWords(pair.claim, pair.symmetry),
      symmetry: pair.symmetry,
      range: pair.claim.declaration.range,
      static: pair.staticCheck ? { verdict: pair.staticCheck.verdict, summary: verdictSummary(pair.staticCheck) } : null,
      numeric: result ? numericResult(pair, result) : null,
      pending: options.numeric.isPending(analysis.specPath, pair),
    };
  });
  return numericOff ? { uri, numericOff, checks } : { uri, checks };
}

async function runChecks(options: NumericRequestsOptions, params: RunChecksParams, token: CancellationToken): Promise<RunChecksResult | ResponseError> {
  const off = numericChecksOffMessage(options.settings());
  if (off) return refusal(off);
  if (typeof params?.uri !== "string") return invalidParams("symcheck/runChecks: uri must be a string");
  let analysis: SpecAnalysis;
  try {
    analysis = await options.workspace.analysisOfFile(params.uri);
  } catch (error) {
    return refusal(errorMessage(error));
  }
  const selected = selectPairs(checkPairs(analysis), params);
  if (typeof selected === "string") return refusal(selected);

  const abort = new AbortController();
  const cancellation = token.onCancellationRequested(() => abort.abort());
  const progress = options.connection.window.attachWorkDoneProgress(params.workDoneToken);
  progress.begin("symcheck: numeric checks", 0, `0 of ${selected.length}`, true);
  let done = 0;
  const running = options.numeric.run(analysis, {
    pairs: selected,
    signal: abort.signal,
    onResult: ({ pair, check }) => {
      done++;
      const result: CheckResultParams = { uri: params.uri, id: pair.id, numeric: numericResult(pair, check), done, total: selected.length };
      if (params.runId !== undefined) result.runId = params.runId;
      options.connection.sendNotification(CHECK_RESULT_METHOD, result).catch((error: unknown) => options.logFailure("sending a check result", error));
      progress.report(Math.round((100 * done) / selected.length), `${done} of ${selected.length}: ${pair.id}: ${check.status}`);
      options.republish(params.uri);
    },
  });
  // The pairs are pending now: their lenses say so.
  options.republish(params.uri);
  try {
    const outcomes = await running;
    return { uri: params.uri, results: outcomes.map(({ pair, check }) => ({ id: pair.id, numeric: numericResult(pair, check) })) };
  } finally {
    progress.done();
    cancellation.dispose();
  }
}

/** The pairs a request names: those of the claim on `claimLine`, those of `ids`, or all; a string says what is wrong. */
function selectPairs(pairs: CheckPair[], params: RunChecksParams): CheckPair[] | string {
  if (params.claimLine !== undefined) {
    const line = params.claimLine;
    const onLine = pairs.filter(({ claim }) => claim.declaration.range.start.line <= line && line <= claim.declaration.range.end.line);
    if (onLine.length === 0) {
      return `no claim to check on line ${line + 1}: put the cursor on an \`invariant\` or \`equivariant\` statement without errors`;
    }
    return onLine;
  }
  if (params.ids !== undefined) {
    const unknown = params.ids.filter((id) => !pairs.some((pair) => pair.id === id));
    if (unknown.length > 0) return `the spec has no claim ${unknown.map((id) => `\`${id}\``).join(", ")} (any more): refresh the list of checks`;
    return pairs.filter((pair) => params.ids!.includes(pair.id));
  }
  if (pairs.length === 0) return "the spec has no claim to check (claims with errors are left out)";
  return pairs;
}

/** A result for the client; figures that were not measured, or are not finite (a NaN output), are null: the texts say which. */
export function numericResult(pair: CheckPair, check: NumericCheck): NumericResult {
  const result: NumericResult = {
    status: check.status,
    ...measuredFigures(check),
    ms: check.ms,
    summary: numericSummary(check),
    text: numericMessage(pair, check),
    details: numericDetails(pair, check),
  };
  if (check.message !== undefined) result.message = check.message;
  return result;
}

function refusal(message: string): ResponseError {
  return new ResponseError(LSPErrorCodes.RequestFailed, message);
}

function invalidParams(message: string): ResponseError {
  return new ResponseError(-32602, message);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
