/** The seeded generators: the same seed gives the same numbers, and normal samples follow the normal distribution. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { normalSamples, seededRandom, streamSeed } from "../../server/src/symmetry/numeric/random";

/** The standard normal CDF, from erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

test("the same seed gives the same numbers; another stream gives others", () => {
  const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(streamSeed(0, "input", "x", 0)), draw(streamSeed(0, "input", "x", 1)));
  assert.deepEqual(normalSamples(100, 3), normalSamples(100, 3));
});

test("normal samples: mean 0, variance 1, the normal's tails, and its CDF within a Kolmogorov-Smirnov bound", () => {
  const count = 200_000;
  const samples = normalSamples(count, streamSeed(0, "test", "normal"));
  const mean = samples.reduce((sum, value) => sum + value, 0) / count;
  const variance = samples.reduce((sum, value) => sum + (value - mean) ** 2, 0) / count;
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.01, `variance ${variance}`);
  // Beyond 3 (the ziggurat's tail starts at 3.44): 0.27% of a normal; beyond 4: 0.0063%.
  const beyond = (limit: number) => samples.filter((value) => Math.abs(value) > limit).length / count;
  assert.ok(Math.abs(beyond(3) - 0.0027) < 0.0005, `beyond 3: ${beyond(3)}`);
  assert.ok(beyond(4) > 0 && beyond(4) < 0.0002, `beyond 4: ${beyond(4)}`);
  const sorted = [...samples].sort((a, b) => a - b);
  let distance = 0;
  sorted.forEach((value, i) => (distance = Math.max(distance, Math.abs(normalCdf(value) - (i + 0.5) / count))));
  // 1.63 / sqrt(n) is the 1% critical value of the Kolmogorov-Smirnov statistic.
  assert.ok(distance < 1.63 / Math.sqrt(count), `Kolmogorov-Smirnov distance ${distance}`);
});

test("normal(mean, std) shifts and scales", () => {
  const samples = normalSamples(50_000, 11, 5, 0.5);
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  const std = Math.sqrt(samples.reduce((sum, value) => sum + (value - mean) ** 2, 0) / samples.length);
  assert.ok(Math.abs(mean - 5) < 0.01 && Math.abs(std - 0.5) < 0.01, `mean ${mean}, std ${std}`);
});
