// The tensor catalog's rows and their readers.
#include "core/tensor_catalog.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace app {

namespace {

std::size_t n_of(const attn::Activations& acts) { return static_cast<std::size_t>(acts.T); }

const attn::LayerActivations& layer_of(const attn::Activations& acts, int layer) {
  return acts.layers.at(static_cast<std::size_t>(layer));
}

// A buffer of (rows, cols) floats as it is.
TensorData rows(const float* data, std::size_t n, std::size_t cols) {
  return {{n, cols}, std::vector<float>(data, data + n * cols)};
}

// Columns [offset + h*D, offset + (h+1)*D) of each row of a (n, stride) buffer, as (H, n, D).
TensorData per_head(const float* data, std::size_t n, std::size_t stride, std::size_t offset, std::size_t H,
                    std::size_t D) {
  TensorData t{{H, n, D}, std::vector<float>(H * n * D)};
  for (std::size_t h = 0; h < H; ++h)
    for (std::size_t r = 0; r < n; ++r) {
      const float* src = data + r * stride + offset + h * D;
      std::copy(src, src + D, t.values.begin() + static_cast<std::ptrdiff_t>((h * n + r) * D));
    }
  return t;
}

std::size_t E_of(const attn::Arch& m) { return static_cast<std::size_t>(m.d_model); }
std::size_t H_of(const attn::Arch& m) { return static_cast<std::size_t>(m.n_heads); }
std::size_t D_of(const attn::Arch& m) { return static_cast<std::size_t>(m.d_head); }
std::size_t I_of(const attn::Arch& m) { return static_cast<std::size_t>(m.inner_dim()); }
std::size_t M_of(const attn::Arch& m) { return static_cast<std::size_t>(m.mlp_dim()); }

TensorData read_qkv_part(const attn::Arch& m, const attn::Activations& a, int l, std::size_t part) {
  return per_head(layer_of(a, l).qkv.data(), n_of(a), 3 * I_of(m), part * I_of(m), H_of(m), D_of(m));
}

TensorData read_square(const std::vector<float>& buffer, const attn::Arch& m, const attn::Activations& a) {
  const std::size_t n = n_of(a), H = H_of(m);
  return {{H, n, n}, std::vector<float>(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(H * n * n))};
}

const float* stream_into(const attn::Activations& a, int l) {
  return l == 0 ? a.embed.data() : layer_of(a, l - 1).stream_out().data();
}

// The readers, one per row: the tensor of block l of a B = 1 forward of a model of arch m.
TensorData read_stream_in(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(stream_into(a, l), n_of(a), E_of(m));
}
TensorData read_ln1(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(layer_of(a, l).ln1.data(), n_of(a), E_of(m));
}
TensorData read_qkv(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(layer_of(a, l).qkv.data(), n_of(a), 3 * I_of(m));
}
TensorData read_q(const attn::Arch& m, const attn::Activations& a, int l) { return read_qkv_part(m, a, l, 0); }
TensorData read_k(const attn::Arch& m, const attn::Activations& a, int l) { return read_qkv_part(m, a, l, 1); }
TensorData read_v(const attn::Arch& m, const attn::Activations& a, int l) { return read_qkv_part(m, a, l, 2); }
TensorData read_scores(const attn::Arch& m, const attn::Activations& a, int l) {
  return read_square(layer_of(a, l).scores, m, a);
}
TensorData read_attn(const attn::Arch& m, const attn::Activations& a, int l) {
  return read_square(layer_of(a, l).attn, m, a);
}
TensorData read_head_out(const attn::Arch& m, const attn::Activations& a, int l) {
  return per_head(layer_of(a, l).concat.data(), n_of(a), I_of(m), 0, H_of(m), D_of(m));
}
TensorData read_concat(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(layer_of(a, l).concat.data(), n_of(a), I_of(m));
}
TensorData read_attn_out(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(layer_of(a, l).attn_out.data(), n_of(a), E_of(m));
}
TensorData read_resid_mid(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(layer_of(a, l).resid_mid.data(), n_of(a), E_of(m));
}
TensorData read_ln2(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(layer_of(a, l).ln2.data(), n_of(a), E_of(m));
}
TensorData read_fc(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(layer_of(a, l).fc.data(), n_of(a), M_of(m));
}
TensorData read_gelu(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(layer_of(a, l).gelu.data(), n_of(a), M_of(m));
}
TensorData read_mlp_out(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(layer_of(a, l).mlp_out.data(), n_of(a), E_of(m));
}
TensorData read_resid_out(const attn::Arch& m, const attn::Activations& a, int l) {
  return rows(layer_of(a, l).resid_out.data(), n_of(a), E_of(m));
}

// The head matrices, one per tensor of heads: head h's rows where the forward left them.
std::size_t D_of(const attn::LayerView& v) { return static_cast<std::size_t>(v.config.d_head); }
std::size_t I_of(const attn::LayerView& v) { return static_cast<std::size_t>(v.config.inner_dim()); }
HeadMatrix head_q(const attn::LayerView& v, std::size_t h) { return {v.q(h, 0), v.n_tokens(), D_of(v), 3 * I_of(v)}; }
HeadMatrix head_k(const attn::LayerView& v, std::size_t h) { return {v.k(h, 0), v.n_tokens(), D_of(v), 3 * I_of(v)}; }
HeadMatrix head_v(const attn::LayerView& v, std::size_t h) { return {v.v(h, 0), v.n_tokens(), D_of(v), 3 * I_of(v)}; }
HeadMatrix head_scores(const attn::LayerView& v, std::size_t h) {
  return {v.scores(h), v.n_tokens(), v.n_tokens(), v.n_tokens()};
}
HeadMatrix head_attn(const attn::LayerView& v, std::size_t h) {
  return {v.attn(h), v.n_tokens(), v.n_tokens(), v.n_tokens()};
}
HeadMatrix head_head_out(const attn::LayerView& v, std::size_t h) {
  return {v.head_out(h, 0), v.n_tokens(), D_of(v), I_of(v)};
}

std::vector<TensorRow> make_catalog() {
  const Axis T = Axis::Tokens, K = Axis::Keys, H = Axis::Heads, E = Axis::DModel, D = Axis::DHead;
  using A = Axis;
  const RangePolicy sym = RangePolicy::Symmetric;
  const ColorKind div = ColorKind::Diverging;
  // clang-format off
  return {
      // id                  dump file        explorer's dump  title                     axes
      //  which models, range policy (window, thumbnail), causal-masked, colormap, export formats, reader,
      //  head matrix (tensors of heads)
      {TensorId::StreamIn, "x.npy",         "x.npy",        "stream in",              {T, E},
       Needs::Always, sym, sym, false, div, kTensorNpy, read_stream_in, nullptr},
      {TensorId::Ln1,      "ln1.npy",       nullptr,        "LayerNorm 1",            {T, E},
       Needs::LayerNorm, sym, sym, false, div, kTensorNpy, read_ln1, nullptr},
      {TensorId::Qkv,      "qkv.npy",       nullptr,        "q | k | v",              {T, A::Qkv},
       Needs::Always, sym, sym, false, div, kTensorNpy, read_qkv, nullptr},
      {TensorId::Q,        "q.npy",         "q.npy",        "Q",                      {H, T, D},
       Needs::Always, sym, sym, false, div, kTensorCsv | kTensorNpy | kTensorFigure, read_q, head_q},
      {TensorId::K,        "k.npy",         "k.npy",        "K",                      {H, T, D},
       Needs::Always, sym, sym, false, div, kTensorCsv | kTensorNpy | kTensorFigure, read_k, head_k},
      {TensorId::V,        "v.npy",         "v.npy",        "V",                      {H, T, D},
       Needs::Always, sym, sym, false, div, kTensorCsv | kTensorNpy | kTensorFigure, read_v, head_v},
      {TensorId::Scores,   "scores.npy",    "scores.npy",   "raw score",              {H, T, K},
       Needs::Always, sym, sym, true, div, kTensorNpy, read_scores, head_scores},
      {TensorId::Attn,     "attn.npy",      "attn.npy",     "attention",              {H, T, K},
       Needs::Always, RangePolicy::MinMax, RangePolicy::FromZero, false, ColorKind::Chosen, kTensorCsv | kTensorNpy | kTensorFigure, read_attn, head_attn},
      {TensorId::HeadOut,  "head_out.npy",  "head_out.npy", "head output",            {H, T, D},
       Needs::Always, sym, sym, false, div, kTensorCsv | kTensorNpy | kTensorFigure, read_head_out, head_head_out},
      {TensorId::Concat,   "concat.npy",    "concat.npy",   "heads concatenated",     {T, A::Inner},
       Needs::Always, sym, sym, false, div, kTensorNpy, read_concat, nullptr},
      {TensorId::AttnOut,  "attn_out.npy",  "out.npy",      "attention output",       {T, E},
       Needs::Always, sym, sym, false, div, kTensorNpy, read_attn_out, nullptr},
      {TensorId::ResidMid, "resid_mid.npy", nullptr,        "stream after attention", {T, E},
       Needs::Always, sym, sym, false, div, kTensorNpy, read_resid_mid, nullptr},
      {TensorId::Ln2,      "ln2.npy",       nullptr,        "LayerNorm 2",            {T, E},
       Needs::LayerNormAndMlp, sym, sym, false, div, kTensorNpy, read_ln2, nullptr},
      {TensorId::Fc,       "fc.npy",        nullptr,        "MLP hidden",             {T, A::Mlp},
       Needs::Mlp, sym, sym, false, div, kTensorNpy, read_fc, nullptr},
      {TensorId::Gelu,     "gelu.npy",      nullptr,        "MLP hidden after GELU",  {T, A::Mlp},
       Needs::Mlp, sym, sym, false, div, kTensorNpy, read_gelu, nullptr},
      {TensorId::MlpOut,   "mlp_out.npy",   nullptr,        "MLP output",             {T, E},
       Needs::Mlp, sym, sym, false, div, kTensorNpy, read_mlp_out, nullptr},
      {TensorId::ResidOut, "resid_out.npy", nullptr,        "stream out",             {T, E},
       Needs::Mlp, sym, sym, false, div, kTensorNpy, read_resid_out, nullptr},
  };
  // clang-format on
}

}  // namespace

const std::vector<TensorRow>& tensor_catalog() {
  static const std::vector<TensorRow> catalog = make_catalog();
  return catalog;
}

const TensorRow& catalog_row(TensorId id) {
  for (const TensorRow& row : tensor_catalog())
    if (row.id == id) return row;
  throw std::logic_error("tensor id " + std::to_string(static_cast<int>(id)) + " has no row in the catalog");
}

TensorData read_tensor(TensorId id, const attn::LayerView& layer) {
  return catalog_row(id).read(layer.arch(), layer.activations(), layer.layer());
}

std::vector<float> read_head(TensorId id, const attn::LayerView& layer, int head) {
  const HeadMatrix m = head_matrix(id, layer, static_cast<std::size_t>(head));
  std::vector<float> values;
  values.reserve(m.rows * m.cols);
  for (std::size_t r = 0; r < m.rows; ++r)
    values.insert(values.end(), m.first + r * m.stride, m.first + r * m.stride + m.cols);
  return values;
}

Colormap tensor_colormap(TensorId id, Colormap chosen) {
  return catalog_row(id).color == ColorKind::Diverging ? Colormap::Diverging : chosen;
}

ValueRange tensor_range(TensorId id, const float* values, std::size_t rows, std::size_t cols, bool causal,
                        bool thumbnail, std::size_t stride) {
  const TensorRow& row = catalog_row(id);
  return value_range(values, rows, cols, stride ? stride : cols, thumbnail ? row.thumbnail_range : row.range,
                     causal && row.causal_masked);
}

ValueRange head_range(TensorId id, const attn::LayerView& layer, std::size_t head, bool thumbnail) {
  const HeadMatrix m = head_matrix(id, layer, head);
  return tensor_range(id, m.first, m.rows, m.cols, layer.config.causal, thumbnail, m.stride);
}

HeadMatrix head_matrix(TensorId id, const attn::LayerView& layer, std::size_t head) {
  const TensorRow& row = catalog_row(id);
  if (!row.head) throw std::logic_error(std::string(row.title) + " is not a tensor of heads");
  return row.head(layer, head);
}

bool offers(TensorId id, TensorFormat format) { return (catalog_row(id).formats & format) != 0u; }

bool has_tensor(const TensorRow& row, const attn::Arch& arch) {
  switch (row.needs) {
    case Needs::Always:
      return true;
    case Needs::LayerNorm:
      return arch.layer_norm;
    case Needs::Mlp:
      return arch.mlp;
    case Needs::LayerNormAndMlp:
      return arch.layer_norm && arch.mlp;
  }
  return false;
}

std::vector<std::size_t> tensor_shape(const TensorRow& row, const attn::Arch& a, std::size_t n) {
  std::vector<std::size_t> shape;
  for (const Axis axis : row.axes) {
    switch (axis) {
      case Axis::Tokens:
      case Axis::Keys:
        shape.push_back(n);
        break;
      case Axis::Heads:
        shape.push_back(static_cast<std::size_t>(a.n_heads));
        break;
      case Axis::DModel:
        shape.push_back(static_cast<std::size_t>(a.d_model));
        break;
      case Axis::DHead:
        shape.push_back(static_cast<std::size_t>(a.d_head));
        break;
      case Axis::Qkv:
        shape.push_back(3 * static_cast<std::size_t>(a.inner_dim()));
        break;
      case Axis::Inner:
        shape.push_back(static_cast<std::size_t>(a.inner_dim()));
        break;
      case Axis::Mlp:
        shape.push_back(static_cast<std::size_t>(a.mlp_dim()));
        break;
    }
  }
  return shape;
}

}  // namespace app
