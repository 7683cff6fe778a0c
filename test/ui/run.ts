/**
 * `npm run test:ui`: the extension as a person sees it. Packages the .vsix, installs it into a
 * fresh code-server, opens an example spec with a mistake in headless Chromium, and checks what
 * is on the screen: grammar colours, the squiggle, the Problems panel, a hover. Each step saves a
 * screenshot under test-results/ui/; `-- --update-screenshot` also copies the last one to
 * docs/screenshot.png (the README's picture).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import {
  copyExamples,
  countsLine,
  freshStateFolder,
  installCodeServer,
  launchChromium,
  repoRoot,
  runCodeServerCommand,
  runOrFail,
  startCodeServer,
  workbenchUrl,
} from "../vscode/editorHarness";

const artifacts = path.join(repoRoot, "test-results", "ui");
const specName = "tiny_cnn_typo.sym";
const stepTimeoutMs = 20_000;

interface Step {
  name: string;
  /** Saved as test-results/ui/<screenshot>.png once the step has run, passed or not. */
  screenshot: string;
  run(page: Page): Promise<void>;
}

/** The tiny_cnn example with the symmetry of its first claim misspelled: one error to look at. */
function writeSpecWithTypo(workspace: string): void {
  const text = fs.readFileSync(path.join(workspace, "tiny_cnn.sym"), "utf8");
  assert.ok(text.includes("invariant logits under shift\n"), "tiny_cnn.sym should claim `invariant logits under shift`");
  fs.writeFileSync(path.join(workspace, specName), text.replace("invariant logits under shift\n", "invariant logits under shfit\n"));
}

const steps: Step[] = [
  {
    name: "the workbench opens the spec from Quick Open",
    screenshot: "1-opened",
    async run(page) {
      await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
      await page.locator(".explorer-folders-view .monaco-list-row").first().waitFor({ timeout: stepTimeoutMs });
      await page.keyboard.press("Control+P");
      const quickOpen = page.locator(".quick-input-widget input");
      await quickOpen.waitFor({ timeout: stepTimeoutMs });
      await quickOpen.fill(specName);
      await page.locator(".quick-input-list .monaco-list-row", { hasText: specName }).first().click({ timeout: stepTimeoutMs });
      await page.locator(".monaco-editor .view-line", { hasText: "shfit" }).waitFor({ timeout: stepTimeoutMs });
    },
  },
  {
    name: "the grammar colours keywords, names, strings and comments differently",
    screenshot: "2-coloured",
    async run(page) {
      // Tokenizing waits for the grammar to load: poll until the colours show.
      let classes = await tokenClasses(page);
      for (const deadline = Date.now() + stepTimeoutMs; new Set(classes.values()).size < 4 && Date.now() < deadline; ) {
        await page.waitForTimeout(250);
        classes = await tokenClasses(page);
      }
      const seen = [...classes].map(([token, colour]) => `${token}=${colour}`).join(" ");
      assert.ok(new Set(classes.values()).size >= 4, `at least four colours expected: ${seen}`);
      for (const [a, b] of [["model", '"tiny_cnn.onnx"'], ["symmetry", "translate"], ["invariant", "logits"]]) {
        assert.ok(classes.has(a) && classes.has(b), `tokens ${a} and ${b} should be on screen: ${seen}`);
        assert.notEqual(classes.get(a), classes.get(b), `${a} and ${b} should differ in colour: ${seen}`);
      }
    },
  },
  {
    name: "the unknown symmetry is underlined as an error",
    screenshot: "3-squiggle",
    async run(page) {
      await page.locator(".monaco-editor .squiggly-error").first().waitFor({ timeout: stepTimeoutMs });
    },
  },
  {
    name: "the Problems panel lists the error with its message",
    screenshot: "4-problems",
    async run(page) {
      await page.keyboard.press("Control+Shift+M");
      const row = page.locator(".markers-panel .monaco-list-row", { hasText: "shfit" }).first();
      await row.waitFor({ timeout: stepTimeoutMs });
      const label = (await row.getAttribute("aria-label")) ?? "";
      assert.match(label, /shfit/, `Problems row: ${label}`);
      assert.match(label, /shift/, `the row should carry the suggestion; Problems row: ${label}`);
    },
  },
  {
    name: "hovering a tensor shows its model type",
    screenshot: "5-hover",
    async run(page) {
      // The output in the misspelled claim: its hover opens above the line, leaving the squiggle in view.
      const line = page.locator(".monaco-editor .view-lines .view-line", { hasText: /^invariant\s+logits\s+under\s+shfit/ });
      const box = await line.locator("span > span", { hasText: "logits" }).first().boundingBox();
      assert.ok(box, "the claim should be on screen");
      // Two moves: the editor shows a hover once the mouse rests over a word.
      await page.mouse.move(box.x + 2, box.y + box.height / 2);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const hover = page.locator(".monaco-editor .monaco-hover-content", { hasText: "logits" }).first();
      await hover.waitFor({ timeout: stepTimeoutMs });
      const text = await hover.innerText();
      assert.match(text, /float\[\w+, 10\]/, `the hover should show the model's type of logits; hover: ${text}`);
    },
  },
];

/**
 * The colour class (`mtk5`: one class per theme colour) of each distinct token text on screen,
 * first occurrence, spaces trimmed.
 */
async function tokenClasses(page: Page): Promise<Map<string, string>> {
  // One read of the whole screen: the editor re-renders lines at any time.
  const spans = await page
    .locator(".monaco-editor .view-lines .view-line span > span")
    .evaluateAll((elements) => elements.map((element): [text: string, className: string] => [element.textContent ?? "", element.className]));
  const classes = new Map<string, string>();
  for (const [content, className] of spans) {
    const text = content.replace(/\u00a0/g, " ").trim();
    const colourClass = className.split(" ").find((name) => /^mtk\d+$/.test(name));
    if (text && colourClass && !classes.has(text)) classes.set(text, colourClass);
  }
  return classes;
}

async function main(): Promise<number> {
  const started = Date.now();
  const packaged = runOrFail("node", ["scripts/package.mjs", "--target", "linux-x64"], "packaging the extension");
  const vsix = packaged.trim().split("\n").at(-1)?.split(/\s+/)[0] ?? "";
  const codeServerBin = installCodeServer();
  const state = freshStateFolder("ui");
  const workspace = copyExamples(state);
  writeSpecWithTypo(workspace);
  const installed = runCodeServerCommand(codeServerBin, state, ["--install-extension", path.join(repoRoot, vsix)]);
  assert.match(installed, /successfully installed/, installed);
  fs.rmSync(artifacts, { recursive: true, force: true });
  fs.mkdirSync(artifacts, { recursive: true });

  const server = await startCodeServer(codeServerBin, state);
  let passed = 0;
  let failed = 0;
  try {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.on("console", (message) => fs.appendFileSync(path.join(state, "browser-console.log"), `[${message.type()}] ${message.text()}\n`));
      await page.goto(workbenchUrl(server, workspace));
      for (const step of steps) {
        const ok = await runStep(page, step);
        if (ok) passed++;
        else failed++;
      }
    } finally {
      await browser.close();
    }
  } finally {
    await server.stop();
  }
  if (process.argv.includes("--update-screenshot") && failed === 0) {
    fs.copyFileSync(path.join(artifacts, `${steps.at(-1)?.screenshot}.png`), path.join(repoRoot, "docs", "screenshot.png"));
    console.log("docs/screenshot.png updated");
  }
  console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s; ${vsix}; screenshots in test-results/ui, logs in ${path.relative(repoRoot, state)})`);
  console.log(countsLine("ui", passed, failed));
  return failed === 0 ? 0 : 1;
}

async function runStep(page: Page, step: Step): Promise<boolean> {
  const started = Date.now();
  let failure: unknown;
  try {
    await step.run(page);
  } catch (error) {
    failure = error;
  }
  await page.screenshot({ path: path.join(artifacts, `${step.screenshot}.png`) });
  const time = `(${Date.now() - started} ms)`;
  if (failure === undefined) {
    console.log(`ok   ${step.name} ${time}`);
    return true;
  }
  console.log(`FAIL ${step.name} ${time}\n${String(failure instanceof Error ? failure.message : failure).replace(/^/gm, "       ")}`);
  return false;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.log(countsLine("ui", 0, 1));
    process.exit(1);
  },
);
