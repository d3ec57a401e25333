// The transformer's operations, each *_forward next to its *_backward, on raw row-major float
// buffers (llm.c style) so the trainer allocates nothing per step. Shapes: N rows (tokens of the
// whole batch, B*T), C columns. Backward functions ADD into parameter gradients and into
// LayerNorm's input gradient (+=: the residual stream collects both branches), and WRITE (=) the
// input gradients of linear, GELU, attention and cross-entropy, whose buffers then need no
// zeroing; rope_backward rotates its gradient in place.
// Each op is a template instantiated for float (the model) and double (the finite-difference
// gradient tests); both run the same code apart from BLAS (sgemm / dgemm) and the row softmax.
#pragma once
#include <cstddef>
#include <cstdint>

namespace attn::nn {

// out (N, C) = LayerNorm(inp) * weight + bias, variance + eps under the root (PyTorch's default
// 1e-5 unless given); mean and rstd (N) are kept for backward, which needs no eps.
template <typename Real>
void layernorm_forward(Real* out, Real* mean, Real* rstd, const Real* inp, const Real* weight, const Real* bias, int N,
                       int C, double eps = 1e-5);
template <typename Real>
void layernorm_backward(Real* dinp, Real* dweight, Real* dbias, const Real* dout, const Real* inp, const Real* weight,
                        const Real* mean, const Real* rstd, int N, int C);

// out (N, OC) = inp (N, C) · weight^T (C, OC) + bias (OC, may be null): nn.Linear's layout.
template <typename Real>
void linear_forward(Real* out, const Real* inp, const Real* weight, const Real* bias, int N, int C, int OC);
template <typename Real>
void linear_backward(Real* dinp, Real* dweight, Real* dbias, const Real* dout, const Real* inp, const Real* weight,
                     int N, int C, int OC);

// out = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)): the exact GELU (PyTorch's default), n values.
template <typename Real>
void gelu_forward(Real* out, const Real* inp, std::size_t n);
template <typename Real>
void gelu_backward(Real* dinp, const Real* inp, const Real* dout, std::size_t n);

// out = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))): GPT-2's GELU ("gelu_new", PyTorch's
// approximate='tanh'), n values. Backward writes dinp = dout * d out / dx.
template <typename Real>
void gelu_tanh_forward(Real* out, const Real* inp, std::size_t n);
template <typename Real>
void gelu_tanh_backward(Real* dinp, const Real* inp, const Real* dout, std::size_t n);

// Rotary positions on the q and k parts of qkv (N = B*T rows of 3*H*D; row b*T + t is position t),
// rotated in place by pairs (2i, 2i+1) through angle t * 10000^(-2i/D). cos_sin (T, D/2, 2) comes
// from rope_table() (angles in double, as engine/positional.cpp). Backward rotates dq and dk back
// in place (the transpose of a rotation is its inverse).
template <typename Real>
void rope_table(Real* cos_sin, int T, int D);
template <typename Real>
void rope_forward(Real* qkv, const Real* cos_sin, int B, int T, int H, int D);
template <typename Real>
void rope_backward(Real* dqkv, const Real* cos_sin, int B, int T, int H, int D);

// Multi-head attention core on qkv (B*T, 3I), I = H*D, q | k | v side by side, head h in columns
// [h*D, (h+1)*D) of each third:
//   scores (B, H, T, T) = q k^T * scale (scale = 1 / (sqrt(D) * temperature)), before the mask
//   attn   (B, H, T, T) = softmax over keys; with causal, keys after the query get exactly 0
//   concat (B*T, I)     = attn · v, head h in columns [h*D, (h+1)*D)
// knocked_out (H, may be null): heads whose output is replaced by zeros (their weights are still
// computed and drawn). Takes no workspace: the OpenBLAS path (double, and float heads of other
// sizes) works in scores and attn; the float heads of d_head a multiple of 8 up to 64 and at most
// 64 tokens (the fused kernels) transpose each head's keys into a per-thread buffer of their own.
template <typename Real>
void attention_forward(Real* scores, Real* attn, Real* concat, const Real* qkv, int B, int T, int H, int D, Real scale,
                       bool causal, const std::uint8_t* knocked_out);
// dqkv (B*T, 3I) = gradient of qkv from dconcat (B*T, I), written (=, not +=) for every row and
// head, zeros for a knocked-out head. workspace: T*T Reals (d attn, then d scores, one head at a
// time) for the OpenBLAS path; the fused float heads (as in attention_forward) leave it untouched
// and use their per-thread buffer (D*T + 3*T*T floats).
template <typename Real>
void attention_backward(Real* dqkv, Real* workspace, const Real* dconcat, const Real* qkv, const Real* attn, int B,
                        int T, int H, int D, Real scale, bool causal, const std::uint8_t* knocked_out);

// Cross-entropy of softmax(logits) (N, V) against targets (N); a target < 0 is not counted.
// probs (N, V) and losses (N) are kept; returns the mean loss over counted rows (0 when none).
template <typename Real>
Real crossentropy_forward(Real* probs, Real* losses, const Real* logits, const std::int32_t* targets, int N, int V);
// dlogits (N, V) = (probs - onehot(target)) / counted for counted rows, 0 for the others (=, not +=).
template <typename Real>
void crossentropy_backward(Real* dlogits, const Real* probs, const std::int32_t* targets, int N, int V);

}  // namespace attn::nn
