import { tf } from '../tf';

/** A node of tfjs's gradient tape (tfjs-core's TapeNode, which it does not export). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

/** The parts of tfjs-core's Engine that `gradients` uses (stable in the pinned tfjs 4.22). */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string | (() => T), fn?: () => T): T;
  gradients(f: () => tf.Tensor, xs: tf.Tensor[], dy?: tf.Tensor, allowNoGradients?: boolean): { value: tf.Tensor; grads: tf.Tensor[] };
}

/**
 * The tape's nodes on a path from some x to y, in tape order, each with only the inputs that
 * depend on an x (the others get no gradient).
 */
export function nodesFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const reachedFromX = new Set<TapeNode>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      reachedFromX.add(node);
      for (const out of node.outputs) fromX.add(out.id);
    }
  }
  const leadsToY = new Set([y.id]);
  const reachesY = new Set<TapeNode>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((out) => leadsToY.has(out.id))) {
      reachesY.add(node);
      for (const t of Object.values(node.inputs)) leadsToY.add(t.id);
    }
  }
  return tape
    .filter((node) => reachedFromX.has(node) && reachesY.has(node))
    .map((node) => ({ ...node, inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, t]) => fromX.has(t.id))) }));
}

/**
 * Gradients of y by walking the tape backwards, as tfjs-core's Engine.gradients does, except that
 * memory is handed back as soon as it is no longer needed: a node's output gradients and its saved
 * forward tensors once that node has been differentiated, and the summands of an accumulated
 * gradient. tfjs keeps every one of them until the whole backward pass ends, so its peak holds a
 * gradient for every intermediate tensor beside every saved activation.
 *
 * Only tensors created during this backward pass are disposed early (never the caller's dy, a
 * saved or kept tensor, or a gradient that is an x's result); the sums and their order are tfjs's.
 */
function releasingGradients(engine: EngineInternals, f: () => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor | undefined, allowNoGradients: boolean) {
  if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  const y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy('forward', f));
  if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
  const tape = engine.state.activeTape!;
  const nodes = nodesFromXsToY(tape, xs, y);
  if (!allowNoGradients && nodes.length === 0) {
    // tfjs leaves y and the tape's saved tensors behind here; a caught error should not leak
    y.dispose();
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
    throw new Error('Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.');
  }
  return engine.tidy('backward', () => {
    // Tensor ids count up (tfjs-core's static Engine.nextTensorId): ids from here on were made by this pass.
    const firstBackwardId = (engine.constructor as unknown as { nextTensorId: number }).nextTensorId;
    const resultIds = new Set(xs.map((x) => x.id));
    const gradientOf = new Map<number, tf.Tensor>();
    const slots = new Map<tf.Tensor, number>();
    const hold = (id: number, g: tf.Tensor) => {
      gradientOf.set(id, g);
      slots.set(g, (slots.get(g) ?? 0) + 1);
    };
    const release = (g: tf.Tensor) => {
      const left = (slots.get(g) ?? 0) - 1;
      if (left > 0) slots.set(g, left);
      else slots.delete(g);
      if (left <= 0 && g.id >= firstBackwardId && !(g as tf.Tensor & { kept?: boolean }).kept) g.dispose();
    };
    hold(y.id, dy ?? tf.onesLike(y));
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      const dys = node.outputs.map((out) => gradientOf.get(out.id) ?? null);
      if (!node.gradient) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const inputGradients = node.gradient(dys);
      const summands: tf.Tensor[] = [];
      for (const [name, x] of Object.entries(node.inputs)) {
        if (!(name in inputGradients)) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`);
        const dx = engine.tidy(() => inputGradients[name]());
        if (dx.dtype !== 'float32') throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`);
        if (!tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`);
        }
        const previous = gradientOf.get(x.id);
        if (previous === undefined) {
          hold(x.id, dx);
        } else {
          hold(x.id, tf.add(previous, dx));
          release(previous);
          summands.push(dx);
        }
      }
      // The gradient functions have run: this node's output gradients and saved tensors are spent.
      for (const dx of summands) if (!slots.has(dx)) release(dx);
      for (const out of node.outputs) {
        const g = gradientOf.get(out.id);
        if (g === undefined || resultIds.has(out.id)) continue;
        gradientOf.delete(out.id);
        release(g);
      }
      for (const t of node.saved ?? []) t.dispose();
    }
    const grads = xs.map((x) => gradientOf.get(x.id)!);
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
    return { value: y, grads };
  });
}

let installed = false;

/**
 * Makes tf.grads, tf.variableGrads and optimizers free each intermediate gradient and saved
 * activation as soon as the backward pass is past it. Higher-order gradients (a gradient taken
 * while another tape records) keep tfjs's own implementation.
 */
export function installReleasingBackprop(): void {
  if (installed) return;
  installed = true;
  const engine = tf.engine() as unknown as EngineInternals;
  const stock = engine.gradients.bind(engine);
  engine.gradients = (f, xs, dy, allowNoGradients = false) =>
    engine.state.gradientDepth > 0 ? stock(f, xs, dy, allowNoGradients) : releasingGradients(engine, f, xs, dy, allowNoGradients);
}
