// Bundles the extension client, the language server and the command line with esbuild.
// Each bundle is CommonJS (`.cjs`): VS Code loads extensions with require().
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
// Benchmarks measure the code users run: the bundled form, not the sources through a loader.
const bench = process.argv.includes("--bench");
const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: true,
  logLevel: "warning",
  external: ["vscode", "onnxruntime-node"],
  // CommonJS has no import.meta: code that finds files beside itself (the numeric runner) reads the bundle's path.
  define: { "import.meta.filename": "__filename" },
};
const entries = [
  { entryPoints: ["client/src/extension.ts"], outfile: "dist/client.cjs" },
  { entryPoints: ["server/src/lsp/main.ts"], outfile: "dist/server.cjs" },
  { entryPoints: ["server/src/cli/main.ts"], outfile: "dist/cli.cjs" },
  // The numeric runner's child process (runs onnxruntime), started from dist/server.cjs and dist/cli.cjs.
  { entryPoints: ["server/src/symmetry/numeric/worker.ts"], outfile: "dist/numericWorker.cjs" },
  ...(bench ? [{ entryPoints: ["bench/run.ts"], outfile: "dist/bench.cjs" }] : []),
];
const contexts = await Promise.all(entries.map((entry) => esbuild.context({ ...common, ...entry })));
if (watch) {
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(contexts.map((context) => context.rebuild()));
  await Promise.all(contexts.map((context) => context.dispose()));
}
