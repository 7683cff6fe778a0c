/**
 * Uniformly random (Haar) rotations and reflections of 2- and 3-vectors, in float64, with their
 * words: a rotation's angle and axis, a reflection's line.
 */
import { normalSamples, seedFrom } from "./random";

export interface Orthogonal {
  matrix: number[][];
  /** `rotation xyz by 123.4° about (0.27 -0.53 0.80)`, `reflection xy across the line at 61.7°`. */
  words: string;
}

/**
 * A random orthogonal matrix of the given size, proper (det +1) or improper (det -1), uniform on
 * that half of the group: in 3-D from a unit quaternion with Gaussian components (uniform on the
 * sphere), in 2-D from a uniform angle; an improper one is a proper one times the reflection
 * -I (3-D) or diag(1, -1) (2-D), which keeps the distribution uniform.
 */
export function randomOrthogonal(size: 2 | 3, improper: boolean, axisName: string, random: () => number): Orthogonal {
  return size === 3 ? orthogonal3(improper, axisName, random) : orthogonal2(improper, axisName, random);
}

function orthogonal3(improper: boolean, axisName: string, random: () => number): Orthogonal {
  const q = [...normalSamples(4, seedFrom(random))];
  const norm = Math.hypot(...q);
  // q and -q are the same rotation: take the one with w >= 0, whose angle is at most 180°.
  const [w, x, y, z] = q.map((value) => (value * Math.sign(q[0] || 1)) / norm);
  const proper = [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
  const axisLength = Math.hypot(x, y, z) || 1;
  const about = [x, y, z].map((value) => (value / axisLength).toFixed(2)).join(" ");
  const rotation = `rotation ${axisName} by ${degrees(2 * Math.acos(Math.min(w, 1)))} about (${about})`;
  return improper ? { matrix: proper.map((row) => row.map((value) => -value)), words: `${rotation} with inversion` } : { matrix: proper, words: rotation };
}

function orthogonal2(improper: boolean, axisName: string, random: () => number): Orthogonal {
  const angle = 2 * Math.PI * random();
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  // A rotation by the angle after the reflection of the second component: the reflection across the line at half the angle.
  if (improper) return { matrix: [[c, s], [s, -c]], words: `reflection ${axisName} across the line at ${degrees(angle / 2)}` };
  return { matrix: [[c, -s], [s, c]], words: `rotation ${axisName} by ${degrees(angle)}` };
}

function degrees(radians: number): string {
  return `${((radians * 180) / Math.PI).toFixed(1)}°`;
}

export function determinant(matrix: readonly (readonly number[])[]): number {
  if (matrix.length === 2) return matrix[0][0] * matrix[1][1] - matrix[0][1] * matrix[1][0];
  const [[a, b, c], [d, e, f], [g, h, i]] = matrix;
  return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
}
