/** The command line's arguments: `symcheck [--json] [--numeric [--timeout SECONDS]] PATH...`. */

export interface CliOptions {
  json: boolean;
  numeric: boolean;
  /** The longest one run of a model may take in a numeric check. */
  timeoutSeconds: number;
  color: boolean;
  paths: string[];
}

const DEFAULT_TIMEOUT_SECONDS = 60;

export type ParsedArgs = { kind: "run"; options: CliOptions } | { kind: "help" } | { kind: "version" } | { kind: "error"; message: string };

export const USAGE = `Usage: symcheck [options] PATH...

Checks every .sym spec named, or found under the folders named, against its ONNX model.

Options:
  --json       print one JSON document on stdout instead of text
  --numeric    also run the numeric checks (run the model with onnxruntime)
  --timeout S  with --numeric: the longest one run of a model may take, in seconds (default ${DEFAULT_TIMEOUT_SECONDS})
  --no-color   plain text output (also when NO_COLOR is set or stdout is not a terminal)
  --version    print the version
  -h, --help   print this help

Exit status: 0 when every claim holds and no spec has an error; 1 when a claim fails (static
verdict violated; with --numeric, a numeric check failed or could not run) or a spec has an
error; 2 when it cannot run (bad arguments, no spec found).`;

export function parseArgs(argv: readonly string[], stdoutIsTerminal: boolean): ParsedArgs {
  const options: CliOptions = {
    json: false,
    numeric: false,
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    color: stdoutIsTerminal && !process.env.NO_COLOR,
    paths: [],
  };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === "-h" || arg === "--help") return { kind: "help" };
    if (arg === "--version") return { kind: "version" };
    if (arg === "--timeout" || arg.startsWith("--timeout=")) {
      const value = arg === "--timeout" ? argv[++index] : arg.slice("--timeout=".length);
      const seconds = Number(value);
      if (value === undefined || value === "" || !(seconds > 0) || !Number.isFinite(seconds)) {
        return { kind: "error", message: `--timeout needs a number of seconds greater than 0, not ${value === undefined ? "nothing" : `'${value}'`}` };
      }
      options.timeoutSeconds = seconds;
    } else if (arg === "--json") options.json = true;
    else if (arg === "--numeric") options.numeric = true;
    else if (arg === "--no-color") options.color = false;
    else if (arg.startsWith("-") && arg !== "-") return { kind: "error", message: `unknown option '${arg}' (see symcheck --help)` };
    else options.paths.push(arg);
  }
  if (options.paths.length === 0) return { kind: "error", message: "no PATH given: name .sym files or folders to check (see symcheck --help)" };
  return { kind: "run", options };
}
