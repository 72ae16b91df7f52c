// Activation checkpointing (rematerialisation) for one transformer block, so a forward+backward on the WASM
// backend fits its 4 GiB heap: tfjs keeps every forward intermediate alive until the gradient is taken, which for
// t5-small at batch 8 x 256 tokens exceeds the heap (bench/forward.ts). With checkpointing a block's forward runs
// with the tape off and keeps only its inputs; the backward re-runs the block under a local tape and
// back-propagates `dy` through it (torch.utils.checkpoint semantics). Costs one extra forward per block.
import * as tf from "@tensorflow/tfjs";
import type { Linear } from "./linear.ts";

/**
 * y = block(acts, consts) with the block's intermediates dropped after the forward. `acts` are the differentiable
 * activations the block reads (hidden state, encoder output); `consts` are non-differentiable tensors it reads
 * (attention biases, rotary tables): both are saved for the re-run, since the surrounding forward's own
 * intermediates are disposed before the backward runs. `trainable` are variables used inside the block (LoRA a/b),
 * which receive gradients too. The block must be deterministic (dropout from a fixed seed).
 */
export function rematerialize(
  block: (acts: tf.Tensor[], consts: tf.Tensor[]) => tf.Tensor,
  acts: tf.Tensor[],
  consts: tf.Tensor[],
  trainable: tf.Variable[],
): tf.Tensor {
  const nActs = acts.length;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, nActs) as tf.Tensor[];
    save([...inputs, ...consts]);
    return {
      value: block(inputs, consts),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const savedActs = saved.slice(0, nActs);
        const savedConsts = saved.slice(nActs);
        // A nested tf.grads during back-propagation: tfjs 4.22's engine.gradients() ends by setting the engine's
        // activeTape to null (it assumes it is the outermost call), which breaks the outer gradient that is still
        // running; keep and restore the outer tape around it.
        const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
        const outerTape = state.activeTape;
        try {
          // Variables are passed as the very objects the block closes over, so the local tape tracks them.
          return tf.grads((...xs: tf.Tensor[]) => block(xs.slice(0, nActs), savedConsts))([...savedActs, ...trainable], dy);
        } finally {
          state.activeTape = outerTape;
        }
      },
    };
  });
  return f(...acts, ...trainable);
}

/** The LoRA variables of a set of linears (the trainable weights inside a frozen block). */
export function loraVariables(linears: readonly (Linear | undefined)[]): tf.Variable[] {
  const out: tf.Variable[] = [];
  for (const l of linears) {
    if (l?.lora !== undefined) out.push(l.lora.a, l.lora.b);
  }
  return out;
}
