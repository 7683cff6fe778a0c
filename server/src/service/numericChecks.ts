/**
 * Runs the numeric checks of a spec (all its pairs, one claim's, one pair), for the language
 * server and the command line alike, and keeps the results in the shared NumericResults.
 *
 * One model runner (a worker process running onnxruntime) serves every spec, and runs take
 * turns on it: a second request waits until the first is done, and is cancelled at once if the
 * user cancels it while it waits. The runner is created on the first run and replaced when the
 * timeout changes (at the start of the next run, so that no run loses its runner midway).
 */
import * as path from "node:path";
import type { BoundSpec } from "../binding/bound";
import { checkNumerically, type NumericOptions } from "../symmetry/numeric/check";
import type { ModelRunner, NumericCheck } from "../symmetry/numeric/types";
import type { SpecAnalysis } from "./analysis";
import { checkPairs, type CheckPair, type NumericResults } from "./numericResults";

/** The numeric engine's signature (`checkNumerically`); tests give a fake one. */
export type CheckFunction = (bound: BoundSpec, options: NumericOptions) => Promise<NumericCheck[]>;

/** Creates the model runner; `timeoutMs` bounds one run of the model. */
export type RunnerFactory = (options: { timeoutMs: number }) => ModelRunner;

export interface NumericServiceOptions {
  createRunner: RunnerFactory;
  timeoutMs: number;
  results: NumericResults;
  /** The numeric engine; `checkNumerically` unless a test gives another. */
  check?: CheckFunction;
}

export interface PairOutcome {
  pair: CheckPair;
  check: NumericCheck;
}

export interface RunOptions {
  /** The pairs to check, from `checkPairs` of the same analysis; all of them when absent. */
  pairs?: readonly CheckPair[];
  /** Aborting stops the run between model runs; unfinished pairs come back `cancelled`. */
  signal?: AbortSignal;
  /** Called as each pair finishes, cancelled ones included, in the order they finish. */
  onResult?: (outcome: PairOutcome) => void;
}

export class NumericService {
  private runner?: ModelRunner;
  private runnerTimeoutMs?: number;
  private timeoutMs: number;
  /** Settles once every run started so far has finished: the next run's turn. */
  private lastRun: Promise<unknown> = Promise.resolve();
  /** The fingerprints of the pairs waiting or running, per spec path. */
  private readonly pending = new Map<string, Map<string, number>>();
  private readonly check: CheckFunction;

  constructor(private readonly options: NumericServiceOptions) {
    this.timeoutMs = options.timeoutMs;
    this.check = options.check ?? checkNumerically;
  }

  get results(): NumericResults {
    return this.options.results;
  }

  /** A new bound on one model run; the runner is replaced when the next run starts. */
  setTimeout(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
  }

  /** Whether the pair is waiting for its turn or running. */
  isPending(specPath: string, pair: CheckPair): boolean {
    return (this.pending.get(specPath)?.get(pair.fingerprint) ?? 0) > 0;
  }

  /** Checks the pairs and records their results; one outcome per pair, in the order of the pairs. Never rejects. */
  async run(analysis: SpecAnalysis, options: RunOptions = {}): Promise<PairOutcome[]> {
    const pairs = options.pairs ?? checkPairs(analysis);
    const previous = this.lastRun;
    let done!: () => void;
    this.lastRun = Promise.all([previous, new Promise<void>((resolve) => (done = resolve))]);
    this.markPending(analysis.specPath, pairs, +1);
    try {
      await Promise.race([previous, aborted(options.signal)]);
      return await this.runNow(analysis, pairs, options);
    } finally {
      this.markPending(analysis.specPath, pairs, -1);
      done();
    }
  }

  /** Stops the runner's worker (the command line, before it exits; the server, at shutdown). */
  async dispose(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    await runner?.dispose();
  }

  private async runNow(analysis: SpecAnalysis, pairs: readonly CheckPair[], options: RunOptions): Promise<PairOutcome[]> {
    const outcomes = new Map<CheckPair, NumericCheck>();
    const finish = (pair: CheckPair, check: NumericCheck): void => {
      if (outcomes.has(pair)) return;
      outcomes.set(pair, check);
      this.results.record(analysis.specPath, pair, check);
      options.onResult?.({ pair, check });
    };
    const unmeasured = (status: "error" | "cancelled", message: string) => {
      for (const pair of pairs) finish(pair, notMeasured(pair, status, message));
    };

    const load = analysis.model?.load;
    if (options.signal?.aborted) unmeasured("cancelled", "cancelled before it started");
    else if (!load) unmeasured("error", "the spec has no model to run: name one with `model \"FILE.onnx\"`");
    else if (!load.ok) unmeasured("error", `the model cannot be run: ${load.message}`);
    else if (pairs.length > 0) await this.runEngine(analysis, pairs, options.signal, finish);
    // A pair the engine did not answer for: cancelled when the user stopped the run, else a bug of ours.
    for (const pair of pairs) {
      if (options.signal?.aborted) finish(pair, notMeasured(pair, "cancelled", "cancelled"));
      else finish(pair, notMeasured(pair, "error", "the numeric check gave no result for this pair; please report this bug"));
    }
    return pairs.map((pair) => ({ pair, check: outcomes.get(pair)! }));
  }

  /** Runs the engine on the selected pairs; a failure of the engine itself is an error on every pair not finished yet. */
  private async runEngine(
    analysis: SpecAnalysis,
    pairs: readonly CheckPair[],
    signal: AbortSignal | undefined,
    finish: (pair: CheckPair, check: NumericCheck) => void,
  ): Promise<void> {
    const byKey = new Map(pairs.map((pair) => [pairKey(pair.claimIndex, pair.symmetry), pair]));
    const report = (check: NumericCheck) => {
      const pair = byKey.get(pairKey(check.claimIndex, check.symmetry));
      if (pair) finish(pair, check);
    };
    try {
      const checks = await this.check(analysis.bound, {
        runner: this.currentRunner(),
        select: (claimIndex, symmetry) => byKey.has(pairKey(claimIndex, symmetry)),
        signal,
        onResult: report,
        specFolder: path.dirname(analysis.specPath),
      });
      checks.forEach(report);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      for (const pair of pairs) finish(pair, notMeasured(pair, "error", `the numeric check failed (${reason}); please report this bug`));
    }
  }

  private currentRunner(): ModelRunner {
    if (this.runner && this.runnerTimeoutMs !== this.timeoutMs) {
      // No run is using it: runs take turns, and this one has not started.
      void this.runner.dispose();
      this.runner = undefined;
    }
    if (!this.runner) {
      this.runner = this.options.createRunner({ timeoutMs: this.timeoutMs });
      this.runnerTimeoutMs = this.timeoutMs;
    }
    return this.runner;
  }

  private markPending(specPath: string, pairs: readonly CheckPair[], change: 1 | -1): void {
    let counts = this.pending.get(specPath);
    if (!counts) this.pending.set(specPath, (counts = new Map()));
    for (const pair of pairs) {
      const count = (counts.get(pair.fingerprint) ?? 0) + change;
      if (count > 0) counts.set(pair.fingerprint, count);
      else counts.delete(pair.fingerprint);
    }
    if (counts.size === 0) this.pending.delete(specPath);
  }
}

function pairKey(claimIndex: number, symmetry: string): string {
  return `${claimIndex}\u0000${symmetry}`;
}

/** The outcome of a pair that did not run: nothing measured. */
function notMeasured(pair: CheckPair, status: "error" | "cancelled", message: string): NumericCheck {
  return {
    claimIndex: pair.claimIndex,
    symmetry: pair.symmetry,
    status,
    samples: 0,
    maxRelError: Number.NaN,
    maxAbsError: Number.NaN,
    tolerance: pair.claim.tolerance ?? Number.NaN,
    worst: "",
    ms: 0,
    message,
  };
}

/** Resolves when the signal aborts (never, without one). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) resolve();
    else signal?.addEventListener("abort", () => resolve(), { once: true });
  });
}
