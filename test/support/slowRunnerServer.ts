/**
 * The language server with a model runner that waits before each run, for protocol tests that
 * need a check to take a while (cancelling it, hovering while it runs). Everything else is the
 * product's: the engine, the runner's worker process, onnxruntime.
 *
 *   node --import tsx test/support/slowRunnerServer.ts --delay-ms=800 --stdio
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "../../server/src/lsp/server";
import { createModelRunner } from "../../server/src/symmetry/numeric/runner";
import { RunnerError, type ModelRunner } from "../../server/src/symmetry/numeric/types";

const delayArgument = process.argv.find((arg) => arg.startsWith("--delay-ms="));
const delayMs = Number(delayArgument?.slice("--delay-ms=".length) ?? 0);

/** Waits `delayMs` (abortable, as a real run is), then runs. */
function slowRunner(runner: ModelRunner): ModelRunner {
  return {
    async run(request, signal) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, delayMs);
        signal?.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            reject(new RunnerError("cancelled", "cancelled"));
          },
          { once: true },
        );
      });
      return runner.run(request, signal);
    },
    dispose: () => runner.dispose(),
  };
}

// The runner's worker is started from sources with `--import tsx`, which resolves from the working directory.
process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.."));
startServer(createConnection(ProposedFeatures.all), { createRunner: (options) => slowRunner(createModelRunner(options)) });
