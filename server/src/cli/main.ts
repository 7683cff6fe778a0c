/** `symcheck`: checks specs from the command line (for CI), on the same core as the editor. */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { ModelCache } from "../onnx/cache";
import { analyzeSpec, type SpecAnalysis } from "../service/analysis";
import { NumericService, type PairOutcome } from "../service/numericChecks";
import { checkPairs, NumericResults } from "../service/numericResults";
import { numericSummary } from "../service/numericWords";
import { createModelRunner } from "../symmetry/numeric/runner";
import { version } from "../version";
import { parseArgs, USAGE, type CliOptions } from "./args";
import { findSpecs } from "../service/findSpecs";
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
  const numeric = options.numeric ? await checkNumerically(analyses, options) : undefined;
  const report = buildReport(analyses, process.cwd(), numeric);
  print(options.json ? JSON.stringify(report, null, 2) + "\n" : formatText(report, options.color), 0);
  return exitStatus(report);
}

/**
 * Runs every spec's numeric checks, one spec after the other on one model runner, which is
 * stopped at the end (its worker process would keep the command from exiting). Progress goes to
 * stderr, a line per pair, when stderr is a terminal: a CI log gets the report only.
 */
async function checkNumerically(analyses: readonly SpecAnalysis[], options: CliOptions): Promise<NumericResults> {
  const results = new NumericResults();
  const service = new NumericService({
    createRunner: (runner) => createModelRunner({ ...runner, timeoutSetting: "option --timeout" }),
    timeoutMs: options.timeoutSeconds * 1000,
    results,
  });
  const total = analyses.reduce((sum, analysis) => sum + checkPairs(analysis).length, 0);
  let done = 0;
  const showProgress = (analysis: SpecAnalysis, { pair, check }: PairOutcome) => {
    done++;
    const file = path.relative(process.cwd(), analysis.specPath) || analysis.specPath;
    process.stderr.write(`[${done}/${total}] ${file}: ${pair.id}: ${numericSummary(check)}\n`);
  };
  try {
    for (const analysis of analyses) {
      await service.run(analysis, { onResult: process.stderr.isTTY ? (outcome) => showProgress(analysis, outcome) : undefined });
    }
  } finally {
    await service.dispose();
  }
  return results;
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
