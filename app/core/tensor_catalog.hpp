// The viewable tensors of one layer of a forward, one row each: its id, the file `dump` writes it
// to, its title, its axes, its color range policy, its colormap, the export formats that offer it
// and how to read it from per-layer Activations.
// Adding a tensor is adding a row; tests/core/tensor_catalog_test.cpp checks every row's reader.
#pragma once
#include <cstddef>
#include <vector>

#include "core/colormap.hpp"
#include "core/value_range.hpp"
#include "engine/model/sequence_run.hpp"
#include "engine/model/transformer.hpp"

namespace app {

enum class TensorId {
  StreamIn,  // the residual stream entering the block
  Ln1,       // its LayerNorm: the attention input
  Qkv,       // all heads' q | k | v side by side
  Q,
  K,
  V,
  Scores,
  Attn,
  HeadOut,
  Concat,
  AttnOut,
  ResidMid,
  Ln2,
  Fc,
  Gelu,
  MlpOut,
  ResidOut,
};
inline constexpr std::size_t kTensorCount = static_cast<std::size_t>(TensorId::ResidOut) + 1;

// An axis by what it counts: n tokens (as queries), n keys, H heads, E = d_model, D = d_head,
// 3I (q | k | v of every head), I = H * D, M = the MLP width.
enum class Axis { Tokens, Keys, Heads, DModel, DHead, Qkv, Inner, Mlp };

// Which models have the tensor at all.
enum class Needs { Always, LayerNorm, Mlp, LayerNormAndMlp };

// The map a tensor is drawn with: Diverging for signed values (0 white at the centre, blue below,
// red above); Chosen for attention weights, on the sequential map the person chose.
enum class ColorKind { Diverging, Chosen };

// The export formats that offer a tensor, or-ed: CSV and NPY (data_export, and `dump`'s .npy
// files), figure (the SVG/PNG/PDF figures).
enum TensorFormat : unsigned { kTensorCsv = 1u, kTensorNpy = 2u, kTensorFigure = 4u };

// A tensor read out of a forward: float32, C order.
struct TensorData {
  std::vector<std::size_t> shape;
  std::vector<float> values;
};

// One head's matrix of a tensor of heads, where the forward left it: `rows` x `cols` floats whose
// rows start `stride` floats apart (a head's columns of q | k | v, of the concatenated outputs,
// or its own (n, n) block of scores or weights).
struct HeadMatrix {
  const float* first;
  std::size_t rows, cols, stride;
};

struct TensorRow {
  TensorId id;
  const char* file;           // `attnlab dump --model`'s name in each layerI/ folder
  const char* explorer_file;  // the explorer's `attnlab dump` name; null: not in that dump
  const char* title;
  std::vector<Axis> axes;  // outermost first
  Needs needs;
  RangePolicy range;            // the color range of one head's (or the whole) matrix; NaN skipped (value_range)
  RangePolicy thumbnail_range;  // its thumbnails in the model overview (every head side by side)
  bool causal_masked;           // (H, n, n) whose cells after the diagonal a causal model masks: not in its range
  ColorKind color;
  unsigned formats;  // TensorFormat bits
  // The tensor of block `layer` of a B = 1 forward (acts) of a model of `arch`, shaped by axes.
  // Null only in a row the catalog test then fails.
  TensorData (*read)(const attn::Arch& arch, const attn::Activations& acts, int layer);
  // A tensor of heads (first axis Heads): head `head`'s matrix of the layer, in place (what the
  // views draw and range without copying). Null for every other tensor.
  HeadMatrix (*head)(const attn::LayerView& layer, std::size_t head);
};

// Every row, in TensorId order.
const std::vector<TensorRow>& tensor_catalog();
const TensorRow& catalog_row(TensorId id);

// The tensor of the block a view shows (the row's reader on the view's run).
TensorData read_tensor(TensorId id, const attn::LayerView& layer);
// One head's matrix of a tensor whose first axis is the heads ((n, D) or (n, n)), C order.
std::vector<float> read_head(TensorId id, const attn::LayerView& layer, int head);
// The same in place (the row's `head`); throws std::logic_error for a tensor that is not of heads.
HeadMatrix head_matrix(TensorId id, const attn::LayerView& layer, std::size_t head);

// The colormap the tensor is drawn with, `chosen` being the person's map for attention weights.
Colormap tensor_colormap(TensorId id, Colormap chosen);
// The color range of one (rows, cols) matrix of the tensor by its row's policy (`thumbnail`: its
// overview thumbnail's), NaN and ±inf skipped; in a causal model a causal_masked tensor's cells
// after the diagonal are skipped too, so masked cells cannot stretch the colors of those that count.
// `stride`: floats from one row to the next (0: cols).
ValueRange tensor_range(TensorId id, const float* values, std::size_t rows, std::size_t cols, bool causal,
                        bool thumbnail = false, std::size_t stride = 0);
// The range of head `head` of a tensor of heads of the layer, read in place.
ValueRange head_range(TensorId id, const attn::LayerView& layer, std::size_t head, bool thumbnail = false);
// Whether the tensor's row offers `format`.
bool offers(TensorId id, TensorFormat format);

// Whether a model of `arch` has the tensor.
bool has_tensor(const TensorRow& row, const attn::Arch& arch);
// The size of each of the row's axes for a model of `arch` on n tokens.
std::vector<std::size_t> tensor_shape(const TensorRow& row, const attn::Arch& arch, std::size_t n_tokens);

}  // namespace app
