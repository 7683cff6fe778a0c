/**
 * Checks of the `check { ... }` block. Each setting (and each `size` assignment) is judged on
 * its own, so one mistake leaves out that setting only and the others still apply.
 */
import { listInWords } from "../../common/suggest";
import type { Range } from "../../common/text";
import type { CheckBlock, InputSetting, NumberSetting, Setting, SizeAssignment } from "../../dsl/ast";
import { CHECK_SETTINGS, DISTRIBUTIONS } from "../../dsl/vocabulary";
import type { Accept, BindContext, Check } from "../context";
import { didYouMean, listSome, modelValuesInWords, quote, replaceFix, suggestionFix, verbatim } from "../fixes";
import { isCount } from "../symbols";
import { checkTolerance } from "./claims";

export const extraCheckBlockChecks: readonly Check<CheckBlock>[] = [onlyOneCheckBlock];

export const settingChecks: readonly Check<Setting>[] = [settingIsKnown, settingIsNotRepeated, numberSettingIsInRange, inputSettingNamesAnInput, inputDistributionIsValid];

export const sizeChecks: readonly Check<SizeAssignment>[] = [sizeNamesADeclaredAxis, sizeIsACount, sizeIsNotRepeated, sizeAgreesWithModel];

function onlyOneCheckBlock(block: CheckBlock, accept: Accept, context: BindContext): void {
  const first = context.symbols.checkBlocks[0];
  if (first === block) return;
  accept("error", "bind.duplicate-check", `a spec has one check block, and it is on line ${first.range.start.line + 1}; move these settings there`, block.keyword);
}

function settingIsKnown(setting: Setting, accept: Accept): void {
  if (setting.kind !== "unknown") return;
  const names = CHECK_SETTINGS.map((known) => known.name);
  const suggestion = suggestionFix(setting.name.range, setting.name.text, names, verbatim);
  accept(
    "error",
    "bind.unknown-setting",
    `unknown setting ${quote(setting.name.text)}; the settings are ${listInWords(names, "and")}${didYouMean(suggestion)}`,
    setting.name.range,
    suggestion && [suggestion],
  );
}

/** `samples`, `seed` and `tolerance` once each; one `input` setting per tensor. */
function settingIsNotRepeated(setting: Setting, accept: Accept, context: BindContext): void {
  const block = context.symbols.checkBlocks[0];
  if (setting.kind === "number") {
    const first = block.settings.find((other): other is NumberSetting => other.kind === "number" && other.name.text === setting.name.text);
    if (first !== setting) reportRepeated(`${setting.name.text} is already set`, first ?? setting, setting.name.range, accept);
  } else if (setting.kind === "input" && setting.tensor) {
    const tensor = setting.tensor.text;
    const first = block.settings.find((other): other is InputSetting => other.kind === "input" && other.tensor?.text === tensor);
    if (first !== setting) reportRepeated(`input ${tensor} is already set`, first ?? setting, setting.tensor.range, accept);
  }
}

function reportRepeated(what: string, first: { range: Range }, where: Range, accept: Accept): void {
  accept("error", "bind.duplicate-setting", `${what} on line ${first.range.start.line + 1}; set it once`, where);
}

function numberSettingIsInRange(setting: Setting, accept: Accept): void {
  if (setting.kind !== "number" || !setting.value) return;
  const value = setting.value;
  switch (setting.name.text) {
    case "samples":
      if (!isCount(value.value)) accept("error", "bind.bad-setting-value", `samples is a whole number of at least 1, not ${value.text}`, value.range);
      return;
    case "seed":
      if (!Number.isInteger(value.value) || value.value < 0) accept("error", "bind.bad-setting-value", `seed is a whole number of at least 0, not ${value.text}`, value.range);
      return;
    case "tolerance":
      checkTolerance(value, accept);
      return;
  }
}

function inputSettingNamesAnInput(setting: Setting, accept: Accept, context: BindContext): void {
  if (setting.kind !== "input" || !setting.tensor) return;
  const symbols = context.symbols;
  const name = setting.tensor.text;
  const declared = symbols.tensorsByName.get(name)?.declaration.direction;
  if (symbols.model ? symbols.modelValue("input", name) : declared !== "output") return;
  if (declared === "output" || symbols.modelValue("output", name)) {
    accept("error", "bind.check-unknown-input", `${name} is an output; \`input\` settings say how the model's inputs are drawn`, setting.tensor.range);
    return;
  }
  const inputs = symbols.modelValues("input").map((value) => value.name);
  const suggestion = suggestionFix(setting.tensor.range, name, inputs);
  accept("error", "bind.check-unknown-input", `the model has no input ${quote(name)}; ${modelValuesInWords("input", inputs)}${didYouMean(suggestion)}`, setting.tensor.range, suggestion && [suggestion]);
}

function inputDistributionIsValid(setting: Setting, accept: Accept): void {
  if (setting.kind !== "input" || setting.source?.kind !== "distribution") return;
  const { distribution, args, range } = setting.source;
  const known = DISTRIBUTIONS.find((candidate) => candidate.name === distribution.text);
  if (!known) {
    const names = DISTRIBUTIONS.map((candidate) => candidate.name);
    const suggestion = suggestionFix(distribution.range, distribution.text, names, verbatim);
    accept(
      "error",
      "bind.unknown-distribution",
      `unknown distribution ${quote(distribution.text)}; the distributions are ${listInWords(names, "and")}${didYouMean(suggestion)}`,
      distribution.range,
      suggestion && [suggestion],
    );
    return;
  }
  const params = listInWords(known.params, "and");
  if (args.length !== known.params.length && !(args.length === 0 && known.defaults.length)) {
    const orNone = known.defaults.length ? `, or none for (${known.defaults.join(", ")})` : "";
    accept("error", "bind.distribution-arguments", `${known.name} takes ${known.params.length} parameters (${params})${orNone}; ${args.length} ${args.length === 1 ? "is" : "are"} given`, range);
    return;
  }
  if (args.length === 0) return;
  const [first, second] = args;
  if (known.name === "normal") {
    if (second.value <= 0) accept("error", "bind.bad-distribution", `the std of normal(mean, std) must be greater than 0, not ${second.text}`, second.range);
    return;
  }
  const fraction = args.find((arg) => !Number.isInteger(arg.value));
  if (known.name === "integers" && fraction) {
    accept("error", "bind.bad-distribution", `integers(lo, hi) takes whole numbers, not ${fraction.text}`, fraction.range);
    return;
  }
  if (first.value >= second.value) {
    const drawn = known.name === "integers" ? "draws lo to hi - 1" : "draws between lo and hi";
    accept("error", "bind.bad-distribution", `${known.name}(lo, hi) ${drawn}, so lo must be less than hi, but ${first.text} >= ${second.text}`, range);
  }
}

function sizeNamesADeclaredAxis(size: SizeAssignment, accept: Accept, context: BindContext): void {
  if (context.symbols.axes.has(size.axis.text)) return;
  const declared = context.symbols.axisNames();
  const suggestion = suggestionFix(size.axis.range, size.axis.text, declared, verbatim);
  const known = declared.length ? `declared axes are ${listInWords(listSome(declared), "and")}` : "no tensor declares named axes";
  accept("error", "bind.size-unknown-axis", `no tensor declares an axis ${quote(size.axis.text)}; ${known}${didYouMean(suggestion)}`, size.axis.range, suggestion && [suggestion]);
}

function sizeIsACount(size: SizeAssignment, accept: Accept): void {
  if (size.value && !isCount(size.value.value)) {
    accept("error", "bind.bad-setting-value", `a size is a whole number of at least 1, not ${size.value.text}`, size.value.range);
  }
}

function sizeIsNotRepeated(size: SizeAssignment, accept: Accept, context: BindContext): void {
  const first = context.symbols.sizeSettings.get(size.axis.text);
  if (first && first !== size) reportRepeated(`the size of ${size.axis.text} is already set`, first, size.axis.range, accept);
}

/** `size` resolves dynamic dims: it must not contradict a size the model or the declaration fixes. */
function sizeAgreesWithModel(size: SizeAssignment, accept: Accept, context: BindContext): void {
  const value = size.value;
  if (!value || !isCount(value.value)) return;
  for (const occurrence of context.symbols.occurrences(size.axis.text)) {
    const known = context.symbols.knownSize(occurrence);
    if (known === undefined || known === value.value) continue;
    const origin = context.symbols.staticSize(occurrence) === undefined ? "declared there with `=`" : "static in the model";
    accept(
      "error",
      "bind.size-mismatch",
      `${size.axis.text} is ${known} on ${occurrence.tensor.name.text} (${origin}), not ${value.text}; \`size\` is for dynamic dims`,
      value.range,
      [replaceFix(`Change to ${known}`, value.range, String(known))],
    );
    return;
  }
}
