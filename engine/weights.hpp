// Multi-head attention weights in PyTorch nn.MultiheadAttention state_dict layout, with .npz I/O.
#pragma once
#include <stdexcept>
#include <string>

#include <xtensor/xtensor.hpp>

#include "engine/config.hpp"
#include "engine/file_io.hpp"  // FileError

namespace attn {

// Shapes use E = d_model and I = n_heads * d_head (the inner width).
struct MhaWeights {
  xt::xtensor<float, 2> in_proj_weight;   // (3*I, E): rows q, then k, then v; head h owns rows
                                          // [h*d_head, (h+1)*d_head) of each third
  xt::xtensor<float, 1> in_proj_bias;     // (3*I)
  xt::xtensor<float, 2> out_proj_weight;  // (E, I)   key "out_proj.weight"
  xt::xtensor<float, 1> out_proj_bias;    // (E)      key "out_proj.bias"

  int d_model() const { return static_cast<int>(in_proj_weight.shape()[1]); }
  int inner_dim() const { return static_cast<int>(in_proj_weight.shape()[0] / 3); }
};

// Seeded Xavier-uniform weights (bound sqrt(6 / (fan_in + fan_out)) per matrix) and zero biases.
// Deterministic for (d_model, n_heads, d_head, seed). Calls validate(config).
MhaWeights init_weights(const ModelConfig& config);

// Throws std::invalid_argument when the weights' shapes do not fit config, naming both shapes:
// "in_proj_weight is (96, 32) but d_model 64 with 4 heads of 8 needs (96, 64)".
void check_weights(const MhaWeights& weights, const ModelConfig& config);

// .npz as numpy.savez / numpy.savez_compressed write it: keys exactly "in_proj_weight",
// "in_proj_bias", "out_proj.weight", "out_proj.bias"; float32 little-endian, C or Fortran order.
// Missing bias keys mean zero bias. Throws FileError naming the key and shapes for a missing
// weight key, wrong dtype, wrong rank or inconsistent shapes, and for truncated/corrupt archives.
MhaWeights load_weights_npz(const std::string& path);
// The same from the archive's bytes already in memory; `what` (usually the path) names it in
// messages. The fuzz targets read from here.
MhaWeights weights_from_npz_bytes(const std::string& archive, const std::string& what);
// Writes uncompressed .npz (numpy.load reads it); throws FileError when it cannot.
// Written to a temporary name in the same folder and renamed, so a failure leaves no half file.
void save_weights_npz(const MhaWeights& weights, const std::string& path);

}  // namespace attn
