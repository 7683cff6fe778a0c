/** `symcheck`: checks specs from the command line (for CI), on the same core as the editor. */
import { readFile } from "node:fs/promises";
import { ModelCache } from "../onnx/cache";
import { analyzeSpec, type SpecAnalysis } from "../service/analysis";
import { version } from "../version";
import { parseArgs, USAGE, type CliOptions } from "./args";
import { findSpecs } from "./findSpecs";
import { buildReport, exitStatus } from "./report";
import { formatText } from "./text";

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv, Boolean(process.stdout.isTTY));
  if (parsed.kind === "help") return print(USAGE + "\n", 0);
  if (parsed.kind === "version") return print(`symcheck ${version}\n`, 0);
  if (parsed.kind === "error") return fail(parsed.message);
  return run(parsed.options);
}

async function run(options: CliOptions): Promise<number> {
  if (options.numeric) return fail("--numeric: numeric checks are not available in this version yet");
  const found = await findSpecs(options.paths);
  if (found.problems.length > 0) return fail(found.problems.join("\n"));
  if (found.specs.length === 0) return fail(`no .sym spec found under ${options.paths.join(", ")}`);
  const models = new ModelCache();
  const analyses: SpecAnalysis[] = [];
  for (const specPath of found.specs) {
    const text = await readFile(specPath, "utf8").catch((error: NodeJS.ErrnoException) => error);
    if (text instanceof Error) return fail(`${specPath}: cannot read the spec (${text.code ?? text.message})`);
    analyses.push(await analyzeSpec(specPath, text, models));
  }
  const report = buildReport(analyses, process.cwd());
  print(options.json ? JSON.stringify(report, null, 2) + "\n" : formatText(report, options.color), 0);
  return exitStatus(report);
}

function print(text: string, status: number): number {
  process.stdout.write(text);
  return status;
}

function fail(message: string): number {
  process.stderr.write(`symcheck: ${message}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (status) => (process.exitCode = status),
  (error: unknown) => {
    process.stderr.write(`symcheck: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  },
);
