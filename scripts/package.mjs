// `npm run package`: one .vsix per platform, `symcheck-<version>-<target>.vsix`, with @vscode/vsce.
// The client and the server are bundled (dist/), so a package holds no node_modules, except
// onnxruntime-node once it is a dependency: each platform's package then carries only its own
// runtime binaries. Usage: node scripts/package.mjs [--target linux-x64 ...]
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const manifest = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
const runtime = "onnxruntime-node";
const shipsRuntime = Boolean(manifest.dependencies?.[runtime]);

// The platforms onnxruntime-node ships binaries for (its bin/napi-v*/<platform>/<arch>/ folders).
const runtimeTargets = [
  { target: "linux-x64", platform: "linux", arch: "x64" },
  { target: "linux-arm64", platform: "linux", arch: "arm64" },
  { target: "darwin-x64", platform: "darwin", arch: "x64" },
  { target: "darwin-arm64", platform: "darwin", arch: "arm64" },
  { target: "win32-x64", platform: "win32", arch: "x64" },
  { target: "win32-arm64", platform: "win32", arch: "arm64" },
];

function requestedTargets() {
  const requested = process.argv.flatMap((arg, index, args) => (args[index - 1] === "--target" ? [arg] : []));
  // Without the runtime the bundle is plain JavaScript: one package does for every platform.
  const names = requested.length > 0 ? requested : shipsRuntime ? runtimeTargets.map((t) => t.target) : ["linux-x64"];
  return names.map((name) => {
    const target = runtimeTargets.find((t) => t.target === name);
    if (!target) throw new Error(`unknown target ${name}; known: ${runtimeTargets.map((t) => t.target).join(", ")}`);
    return target;
  });
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: repo, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** The runtime package and, recursively, the packages it depends on. */
function runtimePackages(name = runtime, seen = new Set()) {
  if (seen.has(name)) return seen;
  seen.add(name);
  const { dependencies = {} } = JSON.parse(fs.readFileSync(path.join(repo, "node_modules", name, "package.json"), "utf8"));
  for (const dependency of Object.keys(dependencies)) runtimePackages(dependency, seen);
  return seen;
}

function filesUnder(folder) {
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * .vscodeignore plus a negation (`!file`) for each runtime file this target needs: vsce keeps a
 * file that any negation matches, so other platforms' binaries are left out by not naming them.
 */
function ignoreFileFor(target) {
  const lines = [fs.readFileSync(path.join(repo, ".vscodeignore"), "utf8")];
  if (shipsRuntime) {
    const otherPlatforms = runtimeTargets.filter((t) => t !== target).map((t) => `/${t.platform}/${t.arch}/`);
    for (const name of runtimePackages()) {
      for (const file of filesUnder(path.join(repo, "node_modules", name))) {
        const relative = path.relative(repo, file).split(path.sep).join("/");
        const otherPlatformBinary = relative.includes("/bin/") && otherPlatforms.some((folder) => relative.includes(folder));
        if (!otherPlatformBinary) lines.push(`!${relative}`);
      }
    }
  }
  const ignoreFile = path.join(repo, "out", "package", `vscodeignore-${target.target}`);
  fs.mkdirSync(path.dirname(ignoreFile), { recursive: true });
  fs.writeFileSync(ignoreFile, lines.join("\n"));
  return ignoreFile;
}

function megabytes(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

run("node", ["scripts/build.mjs"]);
const vsce = path.join(repo, "node_modules", ".bin", "vsce");
for (const target of requestedTargets()) {
  const out = `${manifest.name}-${manifest.version}-${target.target}.vsix`;
  run(vsce, [
    "package",
    "--target", target.target,
    "--out", out,
    "--ignoreFile", ignoreFileFor(target),
    shipsRuntime ? "--dependencies" : "--no-dependencies",
    // README's images are files of the package (docs/screenshot.png), not links to a repository.
    "--no-rewrite-relative-links",
    "--allow-missing-repository",
    ...(fs.readdirSync(repo).some((name) => name.startsWith("LICENSE")) ? [] : ["--skip-license"]),
  ]);
  console.log(`${out}  ${megabytes(fs.statSync(path.join(repo, out)).size)}`);
}
