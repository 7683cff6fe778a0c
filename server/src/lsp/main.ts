/**
 * `symcheck-server`: the language server's entry point. VS Code forks it with `--node-ipc`;
 * other editors start it with `--stdio`. `createConnection` reads the transport from argv, so
 * this file only answers `--help` and `--version` and refuses to start without a transport
 * (instead of the library's bare exception).
 */
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { version } from "../version";
import { startServer } from "./server";

const USAGE = `Usage: symcheck-server --stdio

The symcheck language server for .sym specs, speaking the Language Server Protocol.

Options:
  --stdio           talk LSP over stdin and stdout (what most editors use)
  --node-ipc        talk over Node's IPC channel (when forked by the VS Code extension)
  --socket=PORT     connect to a socket on PORT
  --pipe=NAME       connect to a named pipe
  --version         print the version
  -h, --help        print this help`;

const TRANSPORTS = ["--stdio", "--node-ipc", "--socket", "--pipe"];

function main(argv: readonly string[]): void {
  if (argv.includes("--help") || argv.includes("-h")) return exit(USAGE, 0);
  if (argv.includes("--version")) return exit(`symcheck-server ${version}`, 0);
  if (!argv.some((arg) => TRANSPORTS.includes(arg.split("=")[0]))) {
    return exit(`symcheck-server: no transport given: start it with --stdio (see --help)`, 2);
  }
  startServer(createConnection(ProposedFeatures.all));
}

function exit(message: string, status: number): void {
  (status === 0 ? process.stdout : process.stderr).write(message + "\n");
  process.exitCode = status;
}

main(process.argv.slice(2));
