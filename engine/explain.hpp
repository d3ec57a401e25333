// One query's attention, step by step, with every intermediate number: what the step-through
// panel shows. Values the forward keeps are taken from the layer; the ones it does not keep
// (the row maximum, the exponentials, their sum) are computed here the same way, and with the
// default options every number agrees with the layer's (tests: within 1e-6).
#pragma once
#include <vector>

#include "engine/model/sequence_run.hpp"

namespace attn {

// The toggles that teach: drop the sqrt(d_head) scaling, another temperature, the mask off.
struct ExplainOptions {
  bool scale_by_sqrt_d = true;
  float temperature = 0.0f;  // 0: the layer's own
  int mask = -1;             // -1: the layer's own, 0: no mask, 1: causal
};

// Where the head outputs go next: out = concat · weight^T + bias (nn.MultiheadAttention layout).
struct OutProjection {
  const float* weight = nullptr;  // (E, I)
  const float* bias = nullptr;    // (E)
};

struct QueryExplanation {
  int head = 0, query = 0;
  int n_keys = 0, d_head = 0, d_model = 0;
  std::vector<float> x;         // (E) 1. the query token's input (the LayerNorm output in a trained model)
  std::vector<float> q;         // (D) 2. q = x W_q + b_q (after RoPE when chosen)
  std::vector<float> k, v;      // (n, D) every key's k and value's v
  std::vector<float> dots;      // (n) 3. q . k_j
  float divisor = 1.0f;         // 4. sqrt(d_head) * temperature, or the temperature alone when unscaled
  std::vector<float> scaled;    // (n) dots / divisor
  std::vector<char> masked;     // (n) 5. 1 where the key is after the query and the mask is on
  float row_max = 0.0f;         // 6. the largest visible scaled score ...
  std::vector<float> exps;      // (n) ... exp(scaled - row_max), 0 for masked keys ...
  float sum = 0.0f;             // ... their sum ...
  std::vector<float> weights;   // (n) ... and exps / sum: the heatmap's row
  std::vector<float> weighted;  // (n, D) 7. weights_j * v_j ...
  std::vector<float> head_out;  // (D) ... and their sum: the head's output for this token
  std::vector<float> concat;    // (I) 8. every head's output side by side (this head's recomputed)
  std::vector<float> out;       // (E) concat . W_O^T + b_O (empty without an OutProjection)
};

// Throws std::invalid_argument for a head or query out of range or a layer with no tokens.
QueryExplanation explain_query(const LayerView& layer, int head, int query, const ExplainOptions& options = {},
                               const OutProjection& projection = {});

}  // namespace attn
