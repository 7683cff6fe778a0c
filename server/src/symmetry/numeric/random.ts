/**
 * Seeded random numbers: the same spec (and `seed`) gives the same inputs and group elements on
 * every run and every machine, so a failure seen once can be seen again. Each stream (an input's
 * sample, a symmetry's element) has its own seed, derived from the spec's seed and what the stream
 * is for: checking one claim alone draws what checking the whole spec draws for that claim.
 */

/** mulberry32: a small, fast generator of numbers in [0, 1); the same seed gives the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of one stream: a hash (FNV-1a) of the spec's seed and the stream's parts (`"input", "image", 3`). */
export function streamSeed(seed: number, ...parts: readonly (string | number)[]): number {
  let hash = 0x811c9dc5;
  const text = [seed, ...parts].join("\u0000");
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * `count` samples of normal(mean, std) by Marsaglia's polar method: both of each pair used, and no
 * sine or cosine (this runs for every entry of every input sample).
 */
export function normalSamples(count: number, random: () => number, mean = 0, std = 1): Float64Array {
  const samples = new Float64Array(count);
  for (let i = 0; i < count; ) {
    const u = 2 * random() - 1;
    const v = 2 * random() - 1;
    const radiusSquared = u * u + v * v;
    if (radiusSquared >= 1 || radiusSquared === 0) continue;
    const factor = std * Math.sqrt((-2 * Math.log(radiusSquared)) / radiusSquared);
    samples[i++] = mean + u * factor;
    if (i < count) samples[i++] = mean + v * factor;
  }
  return samples;
}
