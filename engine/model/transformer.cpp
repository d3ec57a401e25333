// The transformer's forward and backward as numbered passes over the ops of engine/nn.
#include "engine/model/transformer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/nn/ops.hpp"
#include "engine/positional.hpp"

namespace attn {

Model Model::create(const Arch& arch, const RunOptions& run, std::uint64_t seed) {
  validate(arch, run);
  Model m;
  m.arch = arch;
  m.run = run;
  m.layout = ParamLayout::of(arch);
  m.params.assign(m.layout.total, 0.0f);
  m.knocked_out.assign(static_cast<std::size_t>(arch.n_layers) * static_cast<std::size_t>(arch.n_heads), 0);
  init_params(m.layout, arch, seed, m.params.data());
  return m;
}

namespace {

void size(std::vector<float>& v, std::size_t n) {
  if (v.size() != n) v.assign(n, 0.0f);
}

float attention_scale(const Model& m) {
  return 1.0f / (std::sqrt(static_cast<float>(m.arch.d_head)) * m.run.temperature);
}

const std::uint8_t* knocked(const Model& m, int layer) {
  return m.knocked_out.empty() ? nullptr : m.knocked_out.data() + static_cast<std::size_t>(layer) * m.arch.n_heads;
}

void zero(std::vector<float>& v) { std::fill(v.begin(), v.end(), 0.0f); }

}  // namespace

void Activations::resize(const Arch& a, const RunOptions& run, int batch, int tokens) {
  const std::size_t N = static_cast<std::size_t>(batch) * static_cast<std::size_t>(tokens);
  const std::size_t E = static_cast<std::size_t>(a.d_model), I = static_cast<std::size_t>(a.inner_dim()),
                    V = static_cast<std::size_t>(a.vocab_size), H = static_cast<std::size_t>(a.n_heads),
                    M = static_cast<std::size_t>(a.mlp_dim()), n_tok = static_cast<std::size_t>(tokens);
  const bool new_tables = n_tok != static_cast<std::size_t>(T) || embed.size() != N * E;
  B = batch;
  T = tokens;
  const std::size_t ln = a.layer_norm ? 1 : 0, head = a.unembedding ? 1 : 0;
  // A model whose input is the stream has its additive positions added by the caller.
  if (run.positional == Positional::Sinusoidal && a.token_embedding) {
    if (new_tables || pos_table.size() != n_tok * E) {
      const auto table = positional_table(Positional::Sinusoidal, tokens, a.d_model, 0);
      pos_table.assign(table.begin(), table.end());
    }
  } else {
    pos_table.clear();
  }
  if (run.positional == Positional::Rope) {
    const std::size_t want = n_tok * static_cast<std::size_t>(a.d_head / 2) * 2;
    if (new_tables || rope.size() != want) {
      rope.assign(want, 0.0f);
      nn::rope_table(rope.data(), tokens, a.d_head);
    }
  } else {
    rope.clear();
  }
  size(embed, N * E);
  layers.resize(static_cast<std::size_t>(a.n_layers));
  for (LayerActivations& l : layers) {
    size(l.ln1, ln * N * E);
    size(l.ln1_mean, ln * N);
    size(l.ln1_rstd, ln * N);
    size(l.qkv, N * 3 * I);
    size(l.scores, N * H * n_tok);
    size(l.attn, N * H * n_tok);
    size(l.concat, N * I);
    size(l.attn_out, N * E);
    size(l.resid_mid, N * E);
    const std::size_t mlp = a.mlp ? 1 : 0;
    size(l.ln2, ln * mlp * N * E);
    size(l.ln2_mean, ln * mlp * N);
    size(l.ln2_rstd, ln * mlp * N);
    size(l.fc, mlp * N * M);
    size(l.gelu, mlp * N * M);
    size(l.mlp_out, mlp * N * E);
    size(l.resid_out, mlp * N * E);
  }
  size(ln_f, head * ln * N * E);
  size(ln_f_mean, head * ln * N);
  size(ln_f_rstd, head * ln * N);
  size(logits, head * N * V);
  size(probs, head * N * V);
  size(losses, head * N);
}

void BackwardBuffers::resize(const Arch& a, int batch, int tokens) {
  const std::size_t N = static_cast<std::size_t>(batch) * static_cast<std::size_t>(tokens);
  const std::size_t E = static_cast<std::size_t>(a.d_model), I = static_cast<std::size_t>(a.inner_dim()),
                    V = static_cast<std::size_t>(a.vocab_size), T = static_cast<std::size_t>(tokens);
  size(d_stream, N * E);
  size(d_ln, N * E);
  size(d_qkv, N * 3 * I);
  size(d_concat, N * I);
  size(d_fc, a.mlp ? N * static_cast<std::size_t>(a.mlp_dim()) : 0);
  size(d_gelu, a.mlp ? N * static_cast<std::size_t>(a.mlp_dim()) : 0);
  size(d_logits, N * V);
  size(d_attn, T * T);
  size(k_bias, I);
}

std::size_t LayerActivations::floats() const {
  return ln1.size() + ln1_mean.size() + ln1_rstd.size() + qkv.size() + scores.size() + attn.size() + concat.size() +
         attn_out.size() + resid_mid.size() + ln2.size() + ln2_mean.size() + ln2_rstd.size() + fc.size() + gelu.size() +
         mlp_out.size() + resid_out.size();
}

std::size_t Activations::floats() const {
  std::size_t n = pos_table.size() + rope.size() + embed.size() + ln_f.size() + ln_f_mean.size() + ln_f_rstd.size() +
                  logits.size() + probs.size() + losses.size();
  for (const LayerActivations& l : layers) n += l.floats();
  return n;
}

std::size_t BackwardBuffers::floats() const {
  return d_stream.size() + d_ln.size() + d_qkv.size() + d_concat.size() + d_fc.size() + d_gelu.size() +
         d_logits.size() + d_attn.size() + k_bias.size();
}

const float* attention_input(const Activations& acts, int layer) {
  const LayerActivations& L = acts.layers[static_cast<std::size_t>(layer)];
  if (!L.ln1.empty()) return L.ln1.data();
  return layer == 0 ? acts.embed.data() : acts.layers[static_cast<std::size_t>(layer - 1)].stream_out().data();
}

// Row by row, the sizes Activations::resize gives each buffer above (N = B*T rows).
std::size_t activation_floats(const Arch& a, const RunOptions& run, int batch, int tokens) {
  const std::size_t N = static_cast<std::size_t>(batch) * static_cast<std::size_t>(tokens);
  const std::size_t E = static_cast<std::size_t>(a.d_model), I = static_cast<std::size_t>(a.inner_dim()),
                    V = static_cast<std::size_t>(a.vocab_size), H = static_cast<std::size_t>(a.n_heads),
                    T = static_cast<std::size_t>(tokens), D = static_cast<std::size_t>(a.d_head);
  const std::size_t tables = (run.positional == Positional::Sinusoidal && a.token_embedding ? T * E : 0) +
                             (run.positional == Positional::Rope ? T * (D / 2) * 2 : 0);
  const std::size_t ln = a.layer_norm ? 1 : 0, head = a.unembedding ? 1 : 0;
  // ln1, mean, rstd (with LayerNorms), qkv, scores, attn, concat, attn_out, resid_mid; with the
  // MLP (ln2, mean, rstd), fc, gelu, mlp_out, resid_out.
  const std::size_t per_row_layer =
      ln * (E + 2) + 3 * I + 2 * H * T + I + 2 * E + (a.mlp ? ln * (E + 2) + 8 * E + 2 * E : 0);
  // embed; with the unembedding (ln_f, mean, rstd), logits, probs, losses.
  const std::size_t per_row =
      E + head * (ln * (E + 2) + 2 * V + 1) + static_cast<std::size_t>(a.n_layers) * per_row_layer;
  return tables + N * per_row;
}

std::size_t backward_floats(const Arch& a, int batch, int tokens) {
  const std::size_t N = static_cast<std::size_t>(batch) * static_cast<std::size_t>(tokens);
  const std::size_t E = static_cast<std::size_t>(a.d_model), I = static_cast<std::size_t>(a.inner_dim()),
                    V = static_cast<std::size_t>(a.vocab_size), T = static_cast<std::size_t>(tokens);
  // d_stream, d_ln, d_qkv, d_concat, (d_fc, d_gelu), d_logits per row; d_attn (T, T); k_bias (I).
  return N * (2 * E + 3 * I + I + (a.mlp ? 8 * E : 0) + V) + T * T + I;
}

namespace {

// The checks both entries share.
void check_forward(const Model& m, int B, int T, Activations& acts, const ForwardOptions& options) {
  const Arch& a = m.arch;
  if (B < 0 || T < 0 || (a.max_seq_len > 0 && T > a.max_seq_len))
    throw std::invalid_argument("an input of " + std::to_string(T) + " tokens is longer than the model's " +
                                std::to_string(a.max_seq_len));
  if (options.from_layer < 0 || options.from_layer > a.n_layers)
    throw std::invalid_argument("from_layer " + std::to_string(options.from_layer) + " is outside 0.." +
                                std::to_string(a.n_layers));
  if (options.from_layer > 0 &&
      (acts.B != B || acts.T != T || acts.layers.size() != static_cast<std::size_t>(a.n_layers)))
    throw std::invalid_argument("from_layer needs the activations of an earlier forward of the same ids");
}

// The stream the unembedding reads: the final LayerNorm's output, or without LayerNorms the
// stream the last block left.
const float* head_input(const Activations& acts) {
  if (!acts.ln_f.empty()) return acts.ln_f.data();
  return acts.layers.empty() ? acts.embed.data() : acts.layers.back().stream_out().data();
}

// Steps 2 and 3 of the forward, on acts.embed.
void forward_blocks(const Model& m, Activations& acts, const ForwardOptions& options) {
  const Arch& a = m.arch;
  const int B = acts.B, T = acts.T, N = B * T, E = a.d_model, I = a.inner_dim(), H = a.n_heads, D = a.d_head,
            V = a.vocab_size, M = a.mlp_dim();
  if (N == 0) return;  // empty activations: BLAS is never called with a zero dimension
  const ParamView<const float> p = m.weights();
  const auto knocked_heads = [&](int l) {
    return options.knocked_out ? options.knocked_out + static_cast<std::size_t>(l) * static_cast<std::size_t>(a.n_heads)
                               : knocked(m, l);
  };

  // 2. The blocks, each reading the stream the previous one left.
  const float scale = attention_scale(m);
  const float* stream = options.from_layer == 0
                            ? acts.embed.data()
                            : acts.layers[static_cast<std::size_t>(options.from_layer - 1)].stream_out().data();
  for (int l = options.from_layer; l < a.n_layers; ++l) {
    const BlockParams<const float>& w = p.blocks[static_cast<std::size_t>(l)];
    LayerActivations& L = acts.layers[static_cast<std::size_t>(l)];
    // 2a. Attention on the LayerNorm of the stream (pre-LN; without LayerNorms on the stream
    //     itself, as nn.MultiheadAttention on its input), added back to the stream.
    const float* attn_in = stream;
    if (a.layer_norm) {
      nn::layernorm_forward(L.ln1.data(), L.ln1_mean.data(), L.ln1_rstd.data(), stream, w.ln1_w, w.ln1_b, N, E,
                            a.ln_eps);
      attn_in = L.ln1.data();
    }
    nn::linear_forward(L.qkv.data(), attn_in, w.in_proj_w, w.in_proj_b, N, E, 3 * I);
    if (m.run.positional == Positional::Rope) nn::rope_forward(L.qkv.data(), acts.rope.data(), B, T, H, D);
    nn::attention_forward(L.scores.data(), L.attn.data(), L.concat.data(), L.qkv.data(), B, T, H, D, scale,
                          m.run.causal, knocked_heads(l));
    nn::linear_forward(L.attn_out.data(), L.concat.data(), w.out_proj_w, w.out_proj_b, N, I, E);
    for (std::size_t i = 0; i < L.resid_mid.size(); ++i) L.resid_mid[i] = stream[i] + L.attn_out[i];
    stream = L.resid_mid.data();
    if (!a.mlp) continue;
    // 2b. The MLP on the LayerNorm of the stream: Linear to M (4E unless set), GELU (exact or
    //     GPT-2's tanh form), Linear back, added.
    const float* mlp_in = stream;
    if (a.layer_norm) {
      nn::layernorm_forward(L.ln2.data(), L.ln2_mean.data(), L.ln2_rstd.data(), stream, w.ln2_w, w.ln2_b, N, E,
                            a.ln_eps);
      mlp_in = L.ln2.data();
    }
    nn::linear_forward(L.fc.data(), mlp_in, w.fc_w, w.fc_b, N, E, M);
    switch (a.gelu) {
      case Gelu::Exact:
        nn::gelu_forward(L.gelu.data(), L.fc.data(), L.fc.size());
        break;
      case Gelu::Tanh:
        nn::gelu_tanh_forward(L.gelu.data(), L.fc.data(), L.fc.size());
        break;
    }
    nn::linear_forward(L.mlp_out.data(), L.gelu.data(), w.proj_w, w.proj_b, N, M, E);
    for (std::size_t i = 0; i < L.resid_out.size(); ++i) L.resid_out[i] = stream[i] + L.mlp_out[i];
    stream = L.resid_out.data();
  }

  // 3. Final LayerNorm and unembedding: logits (N, V) = ln_f · unembed^T (tok_emb when tied).
  if (!a.unembedding) return;
  if (a.layer_norm)
    nn::layernorm_forward(acts.ln_f.data(), acts.ln_f_mean.data(), acts.ln_f_rstd.data(), stream, p.ln_f_w, p.ln_f_b, N,
                          E, a.ln_eps);
  switch (options.rows) {
    case LogitRows::All:
      model_logits(m, acts);
      break;
    case LogitRows::Last:
      std::fill(acts.logits.begin(), acts.logits.end(), std::numeric_limits<float>::quiet_NaN());
      for (int b = 0; b < B; ++b) {
        const std::size_t last = static_cast<std::size_t>(b) * T + static_cast<std::size_t>(T - 1);
        nn::linear_forward(acts.logits.data() + last * V, head_input(acts) + last * E, p.unembed,
                           static_cast<const float*>(nullptr), 1, E, V);
      }
      break;
  }
}

}  // namespace

void model_forward(const Model& m, const std::int32_t* ids, int B, int T, Activations& acts,
                   const ForwardOptions& options) {
  const Arch& a = m.arch;
  if (!a.token_embedding)
    throw std::invalid_argument("this model has no token embedding: it reads its input stream (model_forward_stream)");
  check_forward(m, B, T, acts, options);
  const int N = B * T, E = a.d_model, V = a.vocab_size;
  for (int i = 0; i < N; ++i)
    if (ids[i] < 0 || ids[i] >= V)
      throw std::invalid_argument("token id " + std::to_string(ids[i]) + " is outside the vocabulary of " +
                                  std::to_string(V));
  acts.resize(a, m.run, B, T);
  const ParamView<const float> p = m.weights();

  // 1. embed (N, E) = tok_emb[id] + the position's row (learned table or sinusoidal).
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      const std::size_t r = static_cast<std::size_t>(b) * T + t;
      float* out = acts.embed.data() + r * E;
      const float* tok = p.tok_emb + static_cast<std::size_t>(ids[r]) * E;
      const float* pos = p.pos_emb                ? p.pos_emb + static_cast<std::size_t>(t) * E
                         : acts.pos_table.empty() ? nullptr
                                                  : acts.pos_table.data() + static_cast<std::size_t>(t) * E;
      for (int c = 0; c < E; ++c) out[c] = tok[c] + (pos ? pos[c] : 0.0f);
    }
  forward_blocks(m, acts, options);
}

void model_forward_stream(const Model& m, const float* stream, int B, int T, Activations& acts,
                          const ForwardOptions& options) {
  check_forward(m, B, T, acts, options);
  acts.resize(m.arch, m.run, B, T);
  // 1. embed (N, E) = the stream as given.
  std::copy(stream, stream + acts.embed.size(), acts.embed.begin());
  forward_blocks(m, acts, options);
}

void model_logits(const Model& m, Activations& acts) {
  if (!m.arch.unembedding) throw std::invalid_argument("this model has no unembedding: it computes no logits");
  const int N = acts.B * acts.T;
  if (N == 0) return;
  nn::linear_forward(acts.logits.data(), head_input(acts), m.weights().unembed, static_cast<const float*>(nullptr), N,
                     m.arch.d_model, m.arch.vocab_size);
}

float model_loss(Activations& acts, const std::int32_t* targets, int V) {
  const int N = acts.B * acts.T;
  for (int i = 0; i < N; ++i)
    if (targets[i] >= V)
      throw std::invalid_argument("target id " + std::to_string(targets[i]) + " is outside the vocabulary of " +
                                  std::to_string(V));
  acts.loss = nn::crossentropy_forward(acts.probs.data(), acts.losses.data(), acts.logits.data(), targets, N, V);
  return acts.loss;
}

void model_backward(const Model& m, const std::int32_t* ids, const std::int32_t* targets, const Activations& acts,
                    BackwardBuffers& buf, float* grads) {
  const Arch& a = m.arch;
  if (!a.layer_norm || !a.token_embedding || !a.unembedding)
    throw std::invalid_argument("only a model with LayerNorms, a token embedding and an unembedding trains");
  const int B = acts.B, T = acts.T, N = B * T, E = a.d_model, I = a.inner_dim(), H = a.n_heads, D = a.d_head,
            V = a.vocab_size, M = a.mlp_dim();
  buf.resize(a, B, T);
  const ParamView<const float> p = m.weights();
  const ParamView<float> g = view(m.layout, grads);
  const float scale = attention_scale(m);
  const auto stream_into = [&](int l) -> const float* {  // the stream block l read
    return l == 0 ? acts.embed.data() : acts.layers[static_cast<std::size_t>(l - 1)].stream_out().data();
  };

  // 3. logits = ln_f · unembed^T, ln_f = LayerNorm(stream). Tied: g.unembed is g.tok_emb, so this
  //    adds the logits' part of the embedding's gradient and step 1 below adds the lookup's.
  nn::crossentropy_backward(buf.d_logits.data(), acts.probs.data(), targets, N, V);
  nn::linear_backward(buf.d_ln.data(), g.unembed, static_cast<float*>(nullptr), buf.d_logits.data(), acts.ln_f.data(),
                      p.unembed, N, E, V);
  zero(buf.d_stream);
  nn::layernorm_backward(buf.d_stream.data(), g.ln_f_w, g.ln_f_b, buf.d_ln.data(), stream_into(a.n_layers), p.ln_f_w,
                         acts.ln_f_mean.data(), acts.ln_f_rstd.data(), N, E);

  // 2. The blocks in reverse. d_stream holds the gradient of the stream leaving the block; each
  //    residual branch adds its input's gradient into it.
  for (int l = a.n_layers - 1; l >= 0; --l) {
    const BlockParams<const float>& w = p.blocks[static_cast<std::size_t>(l)];
    const BlockParams<float>& gw = g.blocks[static_cast<std::size_t>(l)];
    const LayerActivations& L = acts.layers[static_cast<std::size_t>(l)];
    if (a.mlp) {
      // resid_out = resid_mid + proj(gelu(fc(ln2(resid_mid))))
      nn::linear_backward(buf.d_gelu.data(), gw.proj_w, gw.proj_b, buf.d_stream.data(), L.gelu.data(), w.proj_w, N, M,
                          E);
      switch (a.gelu) {
        case Gelu::Exact:
          nn::gelu_backward(buf.d_fc.data(), L.fc.data(), buf.d_gelu.data(), buf.d_fc.size());
          break;
        case Gelu::Tanh:
          nn::gelu_tanh_backward(buf.d_fc.data(), L.fc.data(), buf.d_gelu.data(), buf.d_fc.size());
          break;
      }
      nn::linear_backward(buf.d_ln.data(), gw.fc_w, gw.fc_b, buf.d_fc.data(), L.ln2.data(), w.fc_w, N, E, M);
      nn::layernorm_backward(buf.d_stream.data(), gw.ln2_w, gw.ln2_b, buf.d_ln.data(), L.resid_mid.data(), w.ln2_w,
                             L.ln2_mean.data(), L.ln2_rstd.data(), N, E);
    }
    // resid_mid = stream_in + out_proj(attention(rope(in_proj(ln1(stream_in)))))
    nn::linear_backward(buf.d_concat.data(), gw.out_proj_w, gw.out_proj_b, buf.d_stream.data(), L.concat.data(),
                        w.out_proj_w, N, I, E);
    nn::attention_backward(buf.d_qkv.data(), buf.d_attn.data(), buf.d_concat.data(), L.qkv.data(), L.attn.data(), B, T,
                           H, D, scale, m.run.causal, knocked(m, l));
    if (m.run.positional == Positional::Rope) nn::rope_backward(buf.d_qkv.data(), acts.rope.data(), B, T, H, D);
    // Without RoPE the key bias cannot change any weight: it adds q_i . b_k to every score of row
    // i, which softmax ignores, so its gradient is exactly 0. In float32 it comes out as ~1e-9 of
    // rounding, which AdamW's normalization would turn into steps of a tenth of the learning rate.
    std::copy(gw.in_proj_b + I, gw.in_proj_b + 2 * I, buf.k_bias.begin());
    nn::linear_backward(buf.d_ln.data(), gw.in_proj_w, gw.in_proj_b, buf.d_qkv.data(), L.ln1.data(), w.in_proj_w, N, E,
                        3 * I);
    if (m.run.positional != Positional::Rope) std::copy(buf.k_bias.begin(), buf.k_bias.end(), gw.in_proj_b + I);
    nn::layernorm_backward(buf.d_stream.data(), gw.ln1_w, gw.ln1_b, buf.d_ln.data(), stream_into(l), w.ln1_w,
                           L.ln1_mean.data(), L.ln1_rstd.data(), N, E);
  }

  // 1. embed = tok_emb[id] + pos_emb[t]: each row's gradient goes to the rows it was read from.
  for (int b = 0; b < B; ++b)
    for (int t = 0; t < T; ++t) {
      const std::size_t r = static_cast<std::size_t>(b) * T + t;
      const float* d = buf.d_stream.data() + r * E;
      float* tok = g.tok_emb + static_cast<std::size_t>(ids[r]) * E;
      for (int c = 0; c < E; ++c) tok[c] += d[c];
      if (!g.pos_emb) continue;
      float* pos = g.pos_emb + static_cast<std::size_t>(t) * E;
      for (int c = 0; c < E; ++c) pos[c] += d[c];
    }
}

}  // namespace attn
