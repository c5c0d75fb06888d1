// The conventions of the layer ops, stated once for both sides: the CPU ops (engine/src/cpu/ops,
// the readable reference, in float and double) and their CUDA mirror (cuda/src/ops). Each op's
// header on either side follows them and says only what is particular to it.
//
// Names. Each op is an <op>_forward / <op>_backward pair with the same name on both sides.
//   inp, out          the forward's input and output (out after the bias and activation)
//   weight, bias      the parameters, in PyTorch layouts
//   dinp, dout        d(loss)/d(inp), d(loss)/d(out)
//   dweight, dbias    d(loss)/d(weight), d(loss)/d(bias)
//   dpre              d(loss)/d(pre-activation) = dout * act'(out), act' taken from the output
// Tensors are NCHW and batch-major, and every buffer parameter carries its shape in a comment:
// `float* out, // (B, C, H, W)`. On the GPU the networks of a group sit side by side as
// channels, (B, nets * C, H, W), and each op's header says how.
//
// The gradient rule: all parameter gradients +=, all activation gradients =.
//   dweight and dbias are added to: whoever trains zeroes them once per step, and the gradients
//   of every sub-batch and every op of the step add up in them (the CPU backend runs a step's
//   batch in chunks of samples; a layer's bias gradient and weight gradient are separate ops).
//   dinp and dlogits are written in full, every element (zeros where nothing flows back), so
//   they need no clearing. dpre is written too; on the CPU it may be dout itself (in place).
//   A null gradient pointer skips that gradient (the first layer has no dinp, a probe pass that
//   must leave the weight gradients alone has no dweight or dbias).
//
// Max pooling records in argmax, for each output, where its window's maximum lies within the
// window: pool_window_position(dy, dx, k) below, the first maximum in row-major order on ties
// (strictly greater replaces, as PyTorch). Backward routes each dout to that position alone.
// The CPU's fused convolution + max pool that keeps no convolution output (training) compares the
// pre-activations instead: the bias and activation are monotone, so the pooled value is the same,
// and where the activation makes window values equal (ReLU's zeros, a saturated tanh) it may pick
// another of the equal ones, whose act' is the same.
#pragma once

#include "convscope/hd.h"

namespace cs {

// Position of element (dy, dx) of a k x k pooling window, as max pooling's argmax holds it.
CS_HD constexpr int pool_window_position(int dy, int dx, int k) {
  return dy * k + dx;
}

}  // namespace cs
