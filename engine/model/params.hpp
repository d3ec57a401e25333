// The transformer's parameters: one arena of floats and one list of named tensors whose names and
// shapes are those of the PyTorch twin (tests/tiny_transformer.py), so a checkpoint loads there
// with load_state_dict. Init, zero-grad, AdamW and .npz I/O are each one loop over this list.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/model/arch.hpp"

namespace attn {

struct ParamTensor {
  std::string name;                // "blocks.0.attn.in_proj_weight"
  std::vector<std::size_t> shape;  // (3*H*D, E)
  std::size_t offset = 0;          // first float in the arena
  std::size_t size = 0;            // product of shape
  bool decay = false;              // AdamW weight decay applies: matrices (ndim >= 2) only
};

struct ParamLayout {
  std::vector<ParamTensor> tensors;  // in a fixed order (the order PyTorch's state_dict lists them)
  std::size_t total = 0;             // floats in the arena

  static ParamLayout of(const Arch& arch);
  const ParamTensor* find(const std::string& name) const;  // null when absent
};

// Pointers into an arena laid out by a ParamLayout. The same view serves parameters, their
// gradients and AdamW's moments, which share the layout. Absent tensors are null (no MLP:
// ln2/fc/proj; no learned positions: pos_emb; Arch's explorer switches: the LayerNorms, tok_emb,
// ln_f, unembed), except a tied unembedding, which is tok_emb.
template <typename P>
struct BlockParams {
  P* ln1_w;
  P* ln1_b;  // (E)
  P* in_proj_w;
  P* in_proj_b;  // (3I, E), (3I)
  P* out_proj_w;
  P* out_proj_b;  // (E, I), (E)
  P* ln2_w;
  P* ln2_b;  // (E)
  P* fc_w;
  P* fc_b;  // (M, E), (M); M = Arch::mlp_dim(), 4E unless set
  P* proj_w;
  P* proj_b;  // (E, M), (E)
};
template <typename P>
struct ParamView {
  P* tok_emb;  // (V, E)
  P* pos_emb;  // (T_max, E)
  std::vector<BlockParams<P>> blocks;
  P* ln_f_w;
  P* ln_f_b;   // (E)
  P* unembed;  // (V, E); with tied embeddings the same pointer as tok_emb
};
ParamView<float> view(const ParamLayout& layout, float* arena);
ParamView<const float> view(const ParamLayout& layout, const float* arena);

// Seeded initial values, deterministic for (arch, seed): LayerNorm weights 1 and biases 0,
// embeddings N(0, 1), matrices N(0, 1/fan_in) with the two projections that write into the
// residual stream (out_proj, mlp.proj) scaled down by sqrt(2 * n_layers) as in GPT-2.
void init_params(const ParamLayout& layout, const Arch& arch, std::uint64_t seed, float* arena);

}  // namespace attn
