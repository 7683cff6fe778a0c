/**
 * The numeric results of every spec, in one place that the CodeLens, the diagnostics, the Test
 * Explorer and the command line all read.
 *
 * A result belongs to what was checked, not to a line of text: each (claim, symmetry) pair of an
 * analysis has a fingerprint made of everything the numeric check reads for it, namely
 *   - the model file (its path and modification time),
 *   - the claim's kind, outputs and tolerance,
 *   - the symmetry's group (and the groups whose regular representation an axis carries),
 *   - the declared tensors (names, axes, kinds, sizes),
 *   - the check block's settings (samples, seed, tolerance, sizes, input sources),
 *   - the files inputs are read from (`from "FILE.npy"`: their modification times and sizes).
 * A result is looked up by the fingerprint of the pair as the spec reads now, so it is stale, and
 * never shown, as soon as any of these changes; edits elsewhere (comments, other claims, moving
 * the claim) keep it. `prune` drops the stale ones for good.
 */
import type { BoundClaim } from "../binding/bound";
import type { StaticCheck } from "../symmetry/static";
import type { NumericCheck } from "../symmetry/numeric/types";
import type { SpecAnalysis } from "./analysis";
import { pairInWords } from "./verdicts";

/** One (claim, symmetry) pair of an analysis: what a test item, a lens and a result are about. */
export interface CheckPair {
  /** Unique within the spec and stable across edits elsewhere: `invariant logits under shift` (a repeated claim gets ` (2)`). */
  id: string;
  /** Index of the claim in the analysis' bound claims. */
  claimIndex: number;
  claim: BoundClaim;
  symmetry: string;
  /** Everything the numeric check reads for this pair (see the file's comment). */
  fingerprint: string;
  /** The pair's static verdict; absent while the model is not loaded or when the static analysis failed. */
  staticCheck?: StaticCheck;
}

/** Every (claim, symmetry) pair of the bound claims, in source order. */
export function checkPairs(analysis: SpecAnalysis): CheckPair[] {
  const shared = sharedFingerprint(analysis);
  const staticChecks = new Map(analysis.staticChecks.map((check) => [staticKey(check.claim, check.symmetry), check]));
  const seen = new Map<string, number>();
  const pairs: CheckPair[] = [];
  analysis.bound.claims.forEach((claim, claimIndex) => {
    for (const symmetry of claim.symmetries) {
      const group = analysis.bound.symmetries.get(symmetry)?.group;
      if (!group) continue;
      const words = pairInWords(claim, symmetry);
      const occurrence = (seen.get(words) ?? 0) + 1;
      seen.set(words, occurrence);
      pairs.push({
        id: occurrence === 1 ? words : `${words} (${occurrence})`,
        claimIndex,
        claim,
        symmetry,
        fingerprint: JSON.stringify([shared, claim.kind, claim.outputs, claim.tolerance ?? null, group]),
        staticCheck: staticChecks.get(staticKey(claim, symmetry)),
      });
    }
  });
  return pairs;
}

/** A claim's position in the spec and a symmetry: a pair's key among the analysis' static checks. */
function staticKey(claim: BoundClaim, symmetry: string): string {
  const { line, character } = claim.declaration.range.start;
  return `${line}:${character}:${symmetry}`;
}

/** The part of every pair's fingerprint that does not depend on the claim: the model file, the tensors, the check block, its input files. */
function sharedFingerprint(analysis: SpecAnalysis): string {
  const { bound } = analysis;
  const load = analysis.model?.load;
  const regularGroups = bound.tensors.flatMap((tensor) => tensor.axes.flatMap((axis) => (axis.regularOf ? [bound.symmetries.get(axis.regularOf)?.group] : [])));
  return JSON.stringify({
    model: load?.ok ? [load.path, load.mtimeMs] : null,
    tensors: bound.tensors.map((tensor) => [tensor.direction, tensor.name, tensor.axes.map((axis) => [axis.name, axis.kind, axis.regularOf, axis.size])]),
    regularGroups,
    check: { ...bound.check, sizes: [...bound.check.sizes], inputs: [...bound.check.inputs] },
    inputFiles: analysis.inputFiles,
  });
}

/**
 * A result's figures as JSON carries them (the command line's report and the protocol's), which
 * has no NaN or Infinity: an error figure is null when it was not measured (the check could not
 * run, or was cancelled) or is not finite (a NaN output).
 */
export interface MeasuredFigures {
  samples: number;
  maxRelError: number | null;
  maxAbsError: number | null;
  /** The relative tolerance the check was held to. */
  tolerance: number | null;
  /** The worst group element in words (`shift y=+3 x=-5`); empty when none was measured. */
  worst: string;
}

export function measuredFigures(check: NumericCheck): MeasuredFigures {
  const measured = (value: number) => ((check.status === "passed" || check.status === "failed") && Number.isFinite(value) ? value : null);
  return {
    samples: check.samples,
    maxRelError: measured(check.maxRelError),
    maxAbsError: measured(check.maxAbsError),
    tolerance: Number.isFinite(check.tolerance) ? check.tolerance : null,
    worst: check.worst,
  };
}

/** The last result of each pair that was checked, per spec; see the file's comment for when a result goes stale. */
export class NumericResults {
  /** By spec path, then by pair fingerprint. */
  private readonly bySpec = new Map<string, Map<string, NumericCheck>>();

  /** The pair's last result, if the pair has not changed since. */
  get(specPath: string, pair: CheckPair): NumericCheck | undefined {
    return this.bySpec.get(specPath)?.get(pair.fingerprint);
  }

  /** Keeps a finished result; a cancelled pair keeps its earlier result, if any. */
  record(specPath: string, pair: CheckPair, check: NumericCheck): void {
    if (check.status === "cancelled") return;
    let results = this.bySpec.get(specPath);
    if (!results) this.bySpec.set(specPath, (results = new Map()));
    results.set(pair.fingerprint, { ...check, claimIndex: pair.claimIndex });
  }

  /** Whether any result of the spec is kept (stale ones included until `prune`). */
  has(specPath: string): boolean {
    return (this.bySpec.get(specPath)?.size ?? 0) > 0;
  }

  /** Drops the spec's results that no pair of its analysis has any more; true when some were dropped. */
  prune(analysis: SpecAnalysis, pairs: readonly CheckPair[] = checkPairs(analysis)): boolean {
    const results = this.bySpec.get(analysis.specPath);
    if (!results) return false;
    const current = new Set(pairs.map((pair) => pair.fingerprint));
    const before = results.size;
    for (const fingerprint of results.keys()) if (!current.has(fingerprint)) results.delete(fingerprint);
    if (results.size === 0) this.bySpec.delete(analysis.specPath);
    return results.size < before;
  }
}
