// Weights in nn.MultiheadAttention's layout: seeded init, shape checks that name both shapes,
// and .npz loading that explains exactly what is wrong with a file.
#include "engine/weights.hpp"

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "engine/npy.hpp"
#include "engine/npz.hpp"
#include "engine/rng.hpp"

namespace attn {

namespace {

std::string shape_str(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

template <typename Tensor>
std::vector<std::size_t> shape_of(const Tensor& t) {
  return std::vector<std::size_t>(t.shape().begin(), t.shape().end());
}

void xavier(float* data, std::size_t count, std::size_t fan_in, std::size_t fan_out, std::uint64_t state) {
  const double bound = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  for (std::size_t i = 0; i < count; ++i)
    data[i] = static_cast<float>((2.0 * detail::uniform_open(state) - 1.0) * bound);
}

}  // namespace

MhaWeights init_weights(const ModelConfig& config) {
  validate(config);
  const std::size_t E = static_cast<std::size_t>(config.d_model);
  const std::size_t I = static_cast<std::size_t>(config.inner_dim());
  MhaWeights w;
  w.in_proj_weight = xt::xtensor<float, 2>::from_shape({3 * I, E});
  w.out_proj_weight = xt::xtensor<float, 2>::from_shape({E, I});
  w.in_proj_bias = xt::zeros<float>({3 * I});
  w.out_proj_bias = xt::zeros<float>({E});
  // Each of W_q, W_k, W_v is its own (I, E) matrix for the bound, as three nn.Linear would be.
  const std::uint64_t base = detail::mix(config.seed, 0x57E16475ull);
  for (std::size_t part = 0; part < 3; ++part)
    xavier(w.in_proj_weight.data() + part * I * E, I * E, E, I, detail::mix(base, part));
  xavier(w.out_proj_weight.data(), E * I, I, E, detail::mix(base, 3));
  return w;
}

void check_weights(const MhaWeights& w, const ModelConfig& config) {
  const std::size_t E = static_cast<std::size_t>(config.d_model);
  const std::size_t I = static_cast<std::size_t>(config.inner_dim());
  const std::string needs = " but d_model " + std::to_string(E) + " with " + std::to_string(config.n_heads) +
                            " heads of d_head " + std::to_string(config.resolved_d_head()) + " needs ";
  const auto check = [&](const char* key, const std::vector<std::size_t>& got, const std::vector<std::size_t>& want) {
    if (got != want) throw std::invalid_argument(std::string(key) + " is " + shape_str(got) + needs + shape_str(want));
  };
  check("in_proj_weight", shape_of(w.in_proj_weight), {3 * I, E});
  check("in_proj_bias", shape_of(w.in_proj_bias), {3 * I});
  check("out_proj.weight", shape_of(w.out_proj_weight), {E, I});
  check("out_proj.bias", shape_of(w.out_proj_bias), {E});
}

MhaWeights load_weights_npz(const std::string& path) { return weights_from_npz_bytes(read_file(path), path); }

MhaWeights weights_from_npz_bytes(const std::string& archive, const std::string& path) {
  const std::map<std::string, std::string> entries = npz_read(archive, path);
  const auto get = [&](const std::string& key, bool required) -> NpyArray {
    const auto it = entries.find(key);
    if (it == entries.end()) {
      if (!required) return {};
      std::string found;
      for (const auto& [name, bytes] : entries) found += (found.empty() ? "" : ", ") + name;
      throw FileError(path + ": missing key '" + key + "' (found: " + (found.empty() ? "nothing" : found) + ")");
    }
    return npy_decode(it->second, path + ": " + key);
  };
  const NpyArray in_w = get("in_proj_weight", true);
  const NpyArray out_w = get("out_proj.weight", true);
  if (in_w.shape.size() != 2 || in_w.shape[0] % 3 != 0 || in_w.shape[0] == 0 || in_w.shape[1] == 0)
    throw FileError(path + ": in_proj_weight is " + shape_str(in_w.shape) +
                    " but must be (3 * n_heads * d_head, d_model)");
  const std::size_t I = in_w.shape[0] / 3, E = in_w.shape[1];
  if (out_w.shape != std::vector<std::size_t>{E, I})
    throw FileError(path + ": out_proj.weight is " + shape_str(out_w.shape) + " but in_proj_weight " +
                    shape_str(in_w.shape) + " needs " + shape_str({E, I}));
  NpyArray in_b = get("in_proj_bias", false), out_b = get("out_proj.bias", false);
  if (in_b.shape.empty() && in_b.data.empty()) in_b = {{3 * I}, std::vector<float>(3 * I, 0.0f)};
  if (out_b.shape.empty() && out_b.data.empty()) out_b = {{E}, std::vector<float>(E, 0.0f)};
  if (in_b.shape != std::vector<std::size_t>{3 * I})
    throw FileError(path + ": in_proj_bias is " + shape_str(in_b.shape) + " but in_proj_weight " +
                    shape_str(in_w.shape) + " needs " + shape_str({3 * I}));
  if (out_b.shape != std::vector<std::size_t>{E})
    throw FileError(path + ": out_proj.bias is " + shape_str(out_b.shape) + " but in_proj_weight " +
                    shape_str(in_w.shape) + " needs " + shape_str({E}));

  // A NaN or infinity would flow into every score and draw a picture nothing computed.
  for (const auto& [key, array] : {std::pair<const char*, const NpyArray*>{"in_proj_weight", &in_w},
                                   {"out_proj.weight", &out_w},
                                   {"in_proj_bias", &in_b},
                                   {"out_proj.bias", &out_b}})
    for (float v : array->data)
      if (!std::isfinite(v)) throw FileError(path + ": " + key + " holds a non-finite value (NaN or infinity)");
  MhaWeights w;
  w.in_proj_weight = xt::xtensor<float, 2>::from_shape({3 * I, E});
  w.out_proj_weight = xt::xtensor<float, 2>::from_shape({E, I});
  w.in_proj_bias = xt::xtensor<float, 1>::from_shape({3 * I});
  w.out_proj_bias = xt::xtensor<float, 1>::from_shape({E});
  std::copy(in_w.data.begin(), in_w.data.end(), w.in_proj_weight.begin());
  std::copy(out_w.data.begin(), out_w.data.end(), w.out_proj_weight.begin());
  std::copy(in_b.data.begin(), in_b.data.end(), w.in_proj_bias.begin());
  std::copy(out_b.data.begin(), out_b.data.end(), w.out_proj_bias.begin());
  return w;
}

void save_weights_npz(const MhaWeights& w, const std::string& path) {
  const auto enc = [](const auto& t) { return npy_encode(t.data(), shape_of(t)); };
  const std::map<std::string, std::string> entries = {{"in_proj_weight", enc(w.in_proj_weight)},
                                                      {"in_proj_bias", enc(w.in_proj_bias)},
                                                      {"out_proj.weight", enc(w.out_proj_weight)},
                                                      {"out_proj.bias", enc(w.out_proj_bias)}};
  write_file_atomic(path, npz_write(entries));
}

}  // namespace attn
