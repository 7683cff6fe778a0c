import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";

/** Folders never searched for specs: dependencies and tool state. */
const SKIPPED_FOLDERS = new Set(["node_modules", ".git", "dist", "out"]);

export interface FoundSpecs {
  specs: string[];
  /** Paths named on the command line that do not exist or are not specs. */
  problems: string[];
}

/** Every `.sym` file named, or found under the folders named, once each, in a stable order. */
export async function findSpecs(paths: readonly string[]): Promise<FoundSpecs> {
  const specs = new Set<string>();
  const problems: string[] = [];
  for (const given of paths) {
    const absolute = path.resolve(given);
    const info = await stat(absolute).catch(() => undefined);
    if (!info) problems.push(`${given}: no such file or folder`);
    else if (info.isDirectory()) for (const spec of await specsUnder(absolute)) specs.add(spec);
    else if (absolute.endsWith(".sym")) specs.add(absolute);
    else problems.push(`${given}: not a .sym spec`);
  }
  return { specs: [...specs], problems };
}

async function specsUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const found: string[] = [];
  for (const entry of entries) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith(".")) found.push(...(await specsUnder(full)));
    else if (entry.isFile() && entry.name.endsWith(".sym")) found.push(full);
  }
  return found;
}
