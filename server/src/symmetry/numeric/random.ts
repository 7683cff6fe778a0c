/**
 * Seeded random numbers: the same spec (and `seed`) gives the same inputs and group elements on
 * every run and every machine, so a failure seen once can be seen again. Each stream (an input's
 * sample, a symmetry's element) has its own seed, derived from the spec's seed and what the stream
 * is for: checking one claim alone draws what checking the whole spec draws for that claim.
 */

/** mulberry32: a small, fast generator of 32-bit numbers; the same seed gives the same numbers. */
class Mulberry32 {
  /**
   * The generator's whole state: a counter (fillNormal steps it itself, inline). A number from the
   * start: declared without a value, the field starts undefined, and fillNormal's loop ran 1.6 to 2.3
   * times slower for it (262k normals: 2.0-2.9 ms, 1.2-1.4 ms with this and fillNormal's locals).
   */
  state = 0;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next number, as a signed 32-bit integer. */
  int32(): number {
    this.state = (this.state + MULBERRY_STEP) | 0;
    return mulberryMix(this.state);
  }

  /** The next number in [0, 1). */
  unit(): number {
    return (this.int32() >>> 0) / 4294967296;
  }
}

const MULBERRY_STEP = 0x6d2b79f5;

/** The number mulberry32 gives for a state. */
function mulberryMix(state: number): number {
  let mixed = Math.imul(state ^ (state >>> 15), state | 1);
  mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
  return mixed ^ (mixed >>> 14);
}

/** Numbers in [0, 1) from mulberry32; the same seed gives the same numbers. */
export function seededRandom(seed: number): () => number {
  const generator = new Mulberry32(seed);
  return () => generator.unit();
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

/** Layers of the ziggurat, its rightmost edge and the area of each layer (for 128 layers). */
const LAYERS = 128;
const EDGE = 3.442619855899;
const LAYER_AREA = 9.91256303526217e-3;

/** The layers' right edges x[0] > x[1] = EDGE > ... > x[LAYERS] = 0 (x[0] the base's width V / f(EDGE)), and x[i + 1] / x[i]. */
const { edges, ratios } = (() => {
  const edges = new Float64Array(LAYERS + 1);
  let f = Math.exp(-0.5 * EDGE * EDGE);
  edges[0] = LAYER_AREA / f;
  edges[1] = EDGE;
  for (let i = 2; i < LAYERS; i++) {
    edges[i] = Math.sqrt(-2 * Math.log(LAYER_AREA / edges[i - 1] + f));
    f = Math.exp(-0.5 * edges[i] * edges[i]);
  }
  const ratios = new Float64Array(LAYERS).map((_, i) => edges[i + 1] / edges[i]);
  return { edges, ratios };
})();

const TWO_TO_MINUS_24 = 2 ** -24;

/**
 * `count` samples of normal(mean, std) from the stream of `seed`, by the ziggurat method
 * (Marsaglia and Tsang, in Doornik's ZIGNOR form): exact, and about one 32-bit draw and one
 * comparison a sample in 98% of cases, where the polar method takes a logarithm and a square
 * root.
 */
export function normalSamples(count: number, seed: number, mean = 0, std = 1): Float64Array {
  return fillNormal(new Float64Array(count), seed, mean, std);
}

/**
 * normalSamples into an array given (a Float32Array rounds each sample to float32): a check draws
 * every entry of every input sample this way, straight into the tensor it feeds, and it is most of
 * the check's own work beside the model's.
 */
export function fillNormal<Samples extends Float64Array | Float32Array>(samples: Samples, seed: number, mean = 0, std = 1): Samples {
  // The generator's state in a local: a field written per sample costs as much as the sample. The
  // common case runs in an inner loop of its own, left for the rare sample beyond its layer's
  // rectangle: with that path inside, the loop ran at half the speed. The tables and constants in
  // locals too: read from the module's scope on every sample, they made the loop 20% slower.
  let state = seed >>> 0;
  const layerEdges = edges;
  const layerRatios = ratios;
  const step = MULBERRY_STEP;
  const layerMask = LAYERS - 1;
  const unit = TWO_TO_MINUS_24;
  const generator = new Mulberry32(0);
  let layer = 0;
  let u = 0;
  const count = samples.length;
  for (let i = 0; i < count; i++) {
    for (; i < count; i++) {
      // One draw gives both the layer (its low 7 bits) and a signed uniform in [-1, 1) (its other 25 bits).
      state = (state + step) | 0;
      const bits = mulberryMix(state);
      layer = bits & layerMask;
      u = (bits >> 7) * unit;
      if (!(Math.abs(u) < layerRatios[layer])) break;
      samples[i] = mean + std * (u * layerEdges[layer]);
    }
    if (i === count) break;
    generator.state = state;
    const normal = beyondRectangle(generator, layer, u);
    state = generator.state;
    // Rejected: this sample is drawn again, from the next number on.
    if (normal === undefined) i--;
    else samples[i] = mean + std * normal;
  }
  return samples;
}

/** A draw (layer, u) outside its layer's rectangle: a sample in the tail, or in the wedge, or undefined where the wedge rejects it. */
function beyondRectangle(generator: Mulberry32, layer: number, u: number): number | undefined {
  if (layer === 0) return normalTail(generator, u < 0);
  // The wedge between the layer's rectangle and the density.
  const x = u * edges[layer];
  const inner = Math.exp(-0.5 * (edges[layer] * edges[layer] - x * x));
  const outer = Math.exp(-0.5 * (edges[layer + 1] * edges[layer + 1] - x * x));
  return outer + generator.unit() * (inner - outer) < 1 ? x : undefined;
}

/** A sample beyond EDGE (Marsaglia's tail method), on the side asked for. */
function normalTail(generator: Mulberry32, negative: boolean): number {
  for (;;) {
    const x = Math.log(1 - generator.unit()) / EDGE;
    const y = Math.log(1 - generator.unit());
    if (-2 * y >= x * x) return negative ? x - EDGE : EDGE - x;
  }
}

/** A seed for a sub-stream, drawn from a stream (for a few normal samples amid other draws). */
export function seedFrom(random: () => number): number {
  return Math.floor(random() * 4294967296);
}
