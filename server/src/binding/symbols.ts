/**
 * The binder's first pass: every declaration of the spec by name, and each declared tensor
 * matched with the model's value of that name. The checks and the builder both read this
 * table, so a name is looked up the same way everywhere.
 */
import type * as ast from "../dsl/ast";
import { modelInputs, type Dim, type OnnxModel, type ValueInfo } from "../onnx/model";
import type { Group } from "./bound";
import { finiteGroupOrder, groupOf, isRotationConstructor, positionalNames, takesAxes } from "./meaning";

/** One `input`/`output` statement that has a name. */
export interface DeclaredTensor {
  declaration: ast.TensorDeclaration;
  name: ast.Name;
  /** Set on a later declaration of a name already declared: only the first one counts. */
  duplicateOf?: DeclaredTensor;
  /** The model's value of this name in the declared direction. */
  valueInfo?: ValueInfo;
  /** The model's dims, one per declared axis: only when the model gives a tensor of the declared rank. */
  dims?: Dim[];
}

/** One place where an axis name is declared. */
export interface AxisOccurrence {
  tensor: DeclaredTensor;
  axis: ast.AxisDeclaration;
  /** The axis' position in its tensor (zero-based, as numpy counts). */
  index: number;
}

/** The axis written for `_`: an axis no group acts on. */
export const ANONYMOUS_AXIS = "_";

export class SymbolTable {
  readonly tensors: DeclaredTensor[] = [];
  /** The first declaration of each tensor name. */
  readonly tensorsByName = new Map<string, DeclaredTensor>();
  /** The first declaration of each symmetry name. */
  readonly symmetries = new Map<string, ast.SymmetryDeclaration>();
  /** Where each axis name (other than `_`) is declared, on the first declaration of each tensor. */
  readonly axes = new Map<string, AxisOccurrence[]>();
  readonly modelStatements: ast.ModelStatement[] = [];
  readonly checkBlocks: ast.CheckBlock[] = [];
  /** The first `size` given to each axis name in the first check block. */
  readonly sizeSettings = new Map<string, ast.SizeAssignment>();
  /** Axis names that a symmetry of an axis group names (they must have one size everywhere), with the first such symmetry. */
  readonly actedAxisNames = new Map<string, string>();
  /** Axis names that SO, O, SE or E rotates: their unwritten kind is `vector`. */
  readonly rotatedAxisNames = new Set<string>();

  // What checks of many statements ask about all declarations, built on first use and then
  // shared: a check that built it for each statement it judges would make binding quadratic.
  private symmetryNameList?: readonly string[];
  private finiteSymmetryNameList?: readonly string[];
  private axisNameList?: readonly string[];
  private statementIndexes?: Map<ast.Statement, number>;
  private inputAxisSets?: { names: ReadonlySet<string>; kinds: ReadonlySet<string> };
  /** The group of each symmetry asked about: the checks of every claim and the builder ask again. */
  private readonly groups = new Map<ast.SymmetryDeclaration, Group | undefined>();

  constructor(
    readonly spec: ast.SpecFile,
    readonly model: OnnxModel | undefined,
  ) {
    for (const statement of spec.statements) this.collect(statement);
    this.collectSizeSettings();
  }

  /** The model's user-facing inputs (or its outputs), empty without a model. */
  modelValues(direction: "input" | "output"): ValueInfo[] {
    if (!this.model) return [];
    return direction === "input" ? modelInputs(this.model.graph) : this.model.graph.outputs;
  }

  modelValue(direction: "input" | "output", name: string): ValueInfo | undefined {
    return this.modelValues(direction).find((value) => value.name === name);
  }

  /** A positive whole number written as an axis' `= N`, else undefined. */
  declaredSize(axis: ast.AxisDeclaration): number | undefined {
    return isCount(axis.size?.value) ? axis.size?.value : undefined;
  }

  /** The model's static size of an axis occurrence, else undefined. */
  staticSize(occurrence: AxisOccurrence): number | undefined {
    const dim = occurrence.tensor.dims?.[occurrence.index];
    return dim?.kind === "static" ? dim.value : undefined;
  }

  /** What this occurrence says about its size by itself: the model's static dim, else its `= N`. */
  knownSize(occurrence: AxisOccurrence): number | undefined {
    return this.staticSize(occurrence) ?? this.declaredSize(occurrence.axis);
  }

  /** The size a check would use: known, else the check block's `size`. */
  resolvedSize(occurrence: AxisOccurrence): number | undefined {
    return this.knownSize(occurrence) ?? this.sizeSetting(occurrence.axis.name.text);
  }

  sizeSetting(axisName: string): number | undefined {
    const value = this.sizeSettings.get(axisName)?.value?.value;
    return isCount(value) ? value : undefined;
  }

  /** The declared symmetry names, in source order. */
  symmetryNames(): readonly string[] {
    return (this.symmetryNameList ??= [...this.symmetries.keys()]);
  }

  /** The declared symmetries of finite groups (flip, rotate90, dihedral): the names an axis kind may give. */
  finiteSymmetryNames(): readonly string[] {
    return (this.finiteSymmetryNameList ??= this.symmetryNames().filter((name) => finiteGroupOrder(this.symmetries.get(name)) !== undefined));
  }

  /** The declared axis names (other than `_`), in source order. */
  axisNames(): readonly string[] {
    return (this.axisNameList ??= [...this.axes.keys()]);
  }

  /** The group a symmetry declares (see groupOf). */
  group(declaration: ast.SymmetryDeclaration): Group | undefined {
    if (!this.groups.has(declaration)) this.groups.set(declaration, groupOf(declaration));
    return this.groups.get(declaration);
  }

  /** The names of the declared inputs' axes, and the kinds written for them. */
  inputAxes(): { names: ReadonlySet<string>; kinds: ReadonlySet<string> } {
    if (!this.inputAxisSets) {
      const axes = this.tensors.filter((tensor) => !tensor.duplicateOf && tensor.declaration.direction === "input").flatMap((tensor) => tensor.declaration.axes);
      this.inputAxisSets = { names: new Set(axes.map((axis) => axis.name.text)), kinds: new Set(axes.flatMap((axis) => (axis.axisKind ? [axis.axisKind.text] : []))) };
    }
    return this.inputAxisSets;
  }

  /** The position of a statement in the spec. */
  statementIndex(statement: ast.Statement): number {
    this.statementIndexes ??= new Map(this.spec.statements.map((each, index) => [each, index]));
    return this.statementIndexes.get(statement) ?? -1;
  }

  /** Every occurrence of an axis name, in source order. */
  occurrences(axisName: string): AxisOccurrence[] {
    return this.axes.get(axisName) ?? [];
  }

  private collect(statement: ast.Statement): void {
    switch (statement.kind) {
      case "model":
        this.modelStatements.push(statement);
        return;
      case "tensor":
        this.collectTensor(statement);
        return;
      case "symmetry":
        this.collectSymmetry(statement);
        return;
      case "check":
        this.checkBlocks.push(statement);
        return;
      case "claim":
        return;
    }
  }

  private collectTensor(declaration: ast.TensorDeclaration): void {
    if (!declaration.name) return;
    const first = this.tensorsByName.get(declaration.name.text);
    const tensor: DeclaredTensor = { declaration, name: declaration.name, duplicateOf: first };
    this.tensors.push(tensor);
    if (first) return;
    this.tensorsByName.set(tensor.name.text, tensor);
    this.matchWithModel(tensor);
    declaration.axes.forEach((axis, index) => {
      if (axis.name.text === ANONYMOUS_AXIS) return;
      const list = this.axes.get(axis.name.text) ?? [];
      list.push({ tensor, axis, index });
      this.axes.set(axis.name.text, list);
    });
  }

  private matchWithModel(tensor: DeclaredTensor): void {
    tensor.valueInfo = this.modelValue(tensor.declaration.direction, tensor.name.text);
    const type = tensor.valueInfo?.type;
    if (type?.kind === "tensor" && type.shape?.length === tensor.declaration.axes.length) tensor.dims = type.shape;
  }

  private collectSymmetry(declaration: ast.SymmetryDeclaration): void {
    if (!declaration.name || this.symmetries.has(declaration.name.text)) return;
    this.symmetries.set(declaration.name.text, declaration);
    if (!takesAxes(declaration)) return;
    const rotates = isRotationConstructor(declaration.constructorName?.text);
    for (const name of positionalNames(declaration)) {
      if (!this.actedAxisNames.has(name.text)) this.actedAxisNames.set(name.text, declaration.name.text);
      if (rotates) this.rotatedAxisNames.add(name.text);
    }
  }

  private collectSizeSettings(): void {
    for (const setting of this.checkBlocks[0]?.settings ?? []) {
      if (setting.kind !== "size") continue;
      for (const assignment of setting.sizes) {
        if (!this.sizeSettings.has(assignment.axis.text)) this.sizeSettings.set(assignment.axis.text, assignment);
      }
    }
  }
}

/** A whole number >= 1: a size, a sample count. */
export function isCount(value: number | undefined): value is number {
  return value !== undefined && Number.isInteger(value) && value >= 1;
}
