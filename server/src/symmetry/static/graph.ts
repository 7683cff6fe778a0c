/**
 * The graph as the analysis walks it, indexed once per model: the nodes in topological order,
 * each node's inputs and outputs as value numbers (the reader numbers every value name, see
 * ValueNames), and each value's producer (the one map of producers: graph facts and verdicts
 * both ask it).
 *
 * The walks (shape inference, then one propagation per symmetry) keep what they learn of each
 * value in arrays indexed by these numbers rather than in maps keyed by name: on graphs of
 * thousands of nodes, growing and rehashing a map per walk cost as much as the walk.
 */
import { NO_VALUE, type Node, type OnnxModel } from "../../onnx/model";

export { NO_VALUE };

export interface GraphIndex {
  readonly model: OnnxModel;
  /**
   * The nodes in an order where each comes after the producers of its inputs (ONNX requires the
   * file's order to be one; some exporters break the rule). Nodes on a cycle are left out, and
   * their outputs then read as produced by no node.
   */
  readonly order: readonly Node[];
  /** How many values are numbered (graph inputs and outputs, value infos, initializers, node inputs and outputs). */
  readonly valueCount: number;
  /** Each value's name, by number. */
  readonly names: readonly string[];
  /** The numbers of `order[k]`'s inputs are `inputIds[inputStart[k]]` up to `inputIds[inputStart[k + 1] - 1]`; NO_VALUE for `""`. */
  readonly inputIds: Int32Array;
  readonly inputStart: Int32Array;
  /** Likewise for outputs. */
  readonly outputIds: Int32Array;
  readonly outputStart: Int32Array;
  /** Whether the graph gives the value without computing it: a graph input or an initializer. */
  readonly given: Uint8Array;
  /** The node of `order` that produces each value, by number (undefined for graph inputs, initializers, and outputs of nodes on a cycle). */
  readonly producers: readonly (Node | undefined)[];
  /** Each value's number, by name (a name the graph does not mention has none). */
  readonly ids: ReadonlyMap<string, number>;
  /** The node of `order` that produces the value, by name (see `producers`). */
  producer(value: string): Node | undefined;
}

export function indexGraph(model: OnnxModel): GraphIndex {
  const { names, ids, givenCount, inputIds, inputStart, outputIds, outputStart } = model.graph.values;
  const given = new Uint8Array(names.length).fill(1, 0, givenCount);
  const nodes = model.graph.nodes;
  const nodeInputs = { ids: inputIds, start: inputStart };
  const nodeOutputs = { ids: outputIds, start: outputStart };
  const positions = topologicalPositions(nodes.length, nodeInputs, nodeOutputs, names.length);
  const order: Node[] = [];
  for (let k = 0; k < positions.length; k++) order.push(nodes[positions[k]]);
  const inputs = gather(positions, nodeInputs);
  const outputs = gather(positions, nodeOutputs);
  const producers = producersOf(order, outputs, names.length);
  return {
    model,
    order,
    valueCount: names.length,
    names,
    inputIds: inputs.ids,
    inputStart: inputs.start,
    outputIds: outputs.ids,
    outputStart: outputs.start,
    given,
    producers,
    ids,
    producer: (value) => {
      const id = ids.get(value);
      return id === undefined ? undefined : producers[id];
    },
  };
}

/** Each value's producer among the ordered nodes, by value number (a later producer of a name wins, as in a map). */
function producersOf(order: readonly Node[], outputs: Numbered, valueCount: number): (Node | undefined)[] {
  const producers = new Array<Node | undefined>(valueCount).fill(undefined);
  for (let k = 0; k < order.length; k++) {
    for (let slot = outputs.start[k]; slot < outputs.start[k + 1]; slot++) if (outputs.ids[slot] !== NO_VALUE) producers[outputs.ids[slot]] = order[k];
  }
  return producers;
}

/** Value numbers per node, flat: node i's are `ids[start[i]]` up to `ids[start[i + 1] - 1]`. */
interface Numbered {
  ids: Int32Array;
  start: Int32Array;
}

/** The numbers of the nodes at `positions`, in that order. */
function gather(positions: Int32Array, numbered: Numbered): Numbered {
  const start = new Int32Array(positions.length + 1);
  for (let k = 0; k < positions.length; k++) start[k + 1] = start[k] + numbered.start[positions[k] + 1] - numbered.start[positions[k]];
  const ids = new Int32Array(start[positions.length]);
  for (let k = 0; k < positions.length; k++) {
    for (let from = numbered.start[positions[k]], to = start[k]; to < start[k + 1]; from++, to++) ids[to] = numbered.ids[from];
  }
  return { ids, start };
}

/**
 * The nodes' positions in topological order (Kahn's algorithm; a node is ready once every
 * producer of its inputs is placed). Counts, not sets: a node reading one producer twice is
 * listed twice as its reader, so it becomes ready at the same moment either way.
 */
function topologicalPositions(nodeCount: number, inputs: Numbered, outputs: Numbered, valueCount: number): Int32Array {
  const producerOf = new Int32Array(valueCount).fill(-1);
  for (let i = 0; i < nodeCount; i++) {
    for (let slot = outputs.start[i]; slot < outputs.start[i + 1]; slot++) if (outputs.ids[slot] !== NO_VALUE) producerOf[outputs.ids[slot]] = i;
  }
  // Each node's readers, flat: counted first, then filled in node order.
  const waitingOn = new Int32Array(nodeCount);
  const readerStart = new Int32Array(nodeCount + 1);
  for (let i = 0; i < nodeCount; i++) {
    for (let slot = inputs.start[i]; slot < inputs.start[i + 1]; slot++) {
      const producer = inputs.ids[slot] === NO_VALUE ? -1 : producerOf[inputs.ids[slot]];
      if (producer < 0) continue;
      readerStart[producer + 1]++;
      waitingOn[i]++;
    }
  }
  for (let i = 0; i < nodeCount; i++) readerStart[i + 1] += readerStart[i];
  const readers = new Int32Array(readerStart[nodeCount]);
  const filled = readerStart.slice(0, nodeCount);
  for (let i = 0; i < nodeCount; i++) {
    for (let slot = inputs.start[i]; slot < inputs.start[i + 1]; slot++) {
      const producer = inputs.ids[slot] === NO_VALUE ? -1 : producerOf[inputs.ids[slot]];
      if (producer >= 0) readers[filled[producer]++] = i;
    }
  }
  const ready = new Int32Array(nodeCount);
  let placed = 0;
  for (let i = 0; i < nodeCount; i++) if (waitingOn[i] === 0) ready[placed++] = i;
  for (let next = 0; next < placed; next++) {
    const node = ready[next];
    for (let r = readerStart[node]; r < readerStart[node + 1]; r++) if (--waitingOn[readers[r]] === 0) ready[placed++] = readers[r];
  }
  return ready.slice(0, placed);
}
