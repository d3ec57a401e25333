// The tensor catalog: one row per tensor id, each with a reader whose tensor has the shape its
// axes say, on a trained-model shape with MLPs and on the explorer's one block.
#include <catch2/catch.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "../engine/reference_attention.hpp"
#include "core/tensor_catalog.hpp"
#include "engine/attention.hpp"
#include "engine/weights.hpp"

namespace {

void check_every_row(const attn::Model& m, const attn::Activations& acts, std::size_t n, std::size_t expect_present) {
  std::size_t present = 0;
  for (const app::TensorRow& row : app::tensor_catalog()) {
    INFO("tensor " << row.file << " (" << row.title << ")");
    REQUIRE(row.read != nullptr);
    if (!app::has_tensor(row, m.arch)) continue;
    ++present;
    for (int l = 0; l < m.arch.n_layers; ++l) {
      const app::TensorData t = row.read(m.arch, acts, l);
      CHECK(t.shape == app::tensor_shape(row, m.arch, n));
      std::size_t count = 1;
      for (const std::size_t d : t.shape) count *= d;
      CHECK(t.values.size() == count);
    }
  }
  CHECK(present == expect_present);
}

}  // namespace

TEST_CASE("the tensor catalog has one row per id, each with a file, a title and axes", "[catalog]") {
  REQUIRE(app::tensor_catalog().size() == app::kTensorCount);
  std::set<std::string> files;
  for (std::size_t i = 0; i < app::kTensorCount; ++i) {
    const app::TensorRow& row = app::tensor_catalog()[i];
    INFO("row " << i);
    CHECK(static_cast<std::size_t>(row.id) == i);
    CHECK(&app::catalog_row(row.id) == &row);
    CHECK(std::string(row.file).size() > 4);
    CHECK(std::string(row.title).size() > 0);
    CHECK_FALSE(row.axes.empty());
    files.insert(row.file);
  }
  CHECK(files.size() == app::kTensorCount);
  std::vector<std::string> explorer_files;
  for (const app::TensorRow& row : app::tensor_catalog())
    if (row.explorer_file) explorer_files.push_back(row.explorer_file);
  CHECK(explorer_files == std::vector<std::string>{"x.npy", "q.npy", "k.npy", "v.npy", "scores.npy", "attn.npy",
                                                   "head_out.npy", "concat.npy", "out.npy"});
  CHECK(app::catalog_row(app::TensorId::Attn).range == app::RangePolicy::MinMax);
  CHECK(app::catalog_row(app::TensorId::Scores).range == app::RangePolicy::Symmetric);
}

TEST_CASE("every catalog row has a colormap and at least one export format", "[catalog]") {
  const unsigned all = app::kTensorCsv | app::kTensorNpy | app::kTensorFigure;
  for (const app::TensorRow& row : app::tensor_catalog()) {
    INFO(row.title);
    CHECK((row.color == app::ColorKind::Diverging || row.color == app::ColorKind::Chosen));
    CHECK(row.formats != 0u);
    CHECK((row.formats & ~all) == 0u);
    // Signed values are drawn around 0 on the diverging map; only the weights take the person's map.
    const bool signed_values = row.range == app::RangePolicy::Symmetric;
    CHECK(signed_values == (row.color == app::ColorKind::Diverging));
  }
  CHECK(app::tensor_colormap(app::TensorId::Attn, app::Colormap::Magma) == app::Colormap::Magma);
  CHECK(app::tensor_colormap(app::TensorId::Scores, app::Colormap::Magma) == app::Colormap::Diverging);
  CHECK(app::tensor_colormap(app::TensorId::Q, app::Colormap::Viridis) == app::Colormap::Diverging);
  for (const app::TensorId id :
       {app::TensorId::Attn, app::TensorId::Q, app::TensorId::K, app::TensorId::V, app::TensorId::HeadOut}) {
    CHECK(app::offers(id, app::kTensorCsv));
    CHECK(app::offers(id, app::kTensorFigure));
  }
  CHECK_FALSE(app::offers(app::TensorId::Scores, app::kTensorCsv));
}

TEST_CASE("every catalog row reads a tensor of the shape its axes say", "[catalog]") {
  attn::Arch a;
  a.n_layers = 2;
  a.d_model = 16;
  a.n_heads = 2;
  a.d_head = 6;
  a.mlp = true;
  a.d_mlp = 24;
  a.vocab_size = 9;
  a.max_seq_len = 8;
  const attn::Model m = attn::Model::create(a, attn::RunOptions{true, attn::Positional::Rope, 1.0f}, 4);
  const std::vector<std::int32_t> ids = {3, 1, 4, 1, 5};
  attn::Activations acts;
  attn::model_forward(m, ids.data(), 1, 5, acts);
  check_every_row(m, acts, 5, app::kTensorCount);

  attn::ModelConfig c;
  c.d_model = 12;
  c.n_heads = 3;
  const attn::Model explorer = attn::explorer_model(c, attn::init_weights(c));
  std::vector<float> x(7 * 12, 0.5f);
  attn::model_forward_stream(explorer, x.data(), 1, 7, acts);
  check_every_row(explorer, acts, 7, app::kTensorCount - 6);  // no LayerNorms, no MLP
}

TEST_CASE("the catalog's Q, K, V, scores, attention and output are the plain-loop reference's", "[catalog]") {
  attn::ModelConfig c;
  c.d_model = 8;
  c.n_heads = 2;
  c.causal = true;
  const attn::MhaWeights w = attn::init_weights(c);
  const attn::SequenceRun run = attn::run("the cat sat on the mat", attn::TokenizerMode::Word, c, w);
  const attn::LayerView layer = run.layer(0);
  const std::size_t n = layer.n_tokens();
  REQUIRE(n == 6);
  xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({n, 8});
  std::copy(layer.x(0), layer.x(0) + n * 8, x.begin());
  const reference::Result r = reference::attention(x, w, c);
  const auto check = [&](app::TensorId id, const std::vector<double>& expected) {
    const app::TensorData t = app::read_tensor(id, layer);
    INFO(app::catalog_row(id).title);
    REQUIRE(t.values.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) CHECK(t.values[i] == Approx(expected[i]).margin(1e-5));
  };
  check(app::TensorId::Q, r.q);
  check(app::TensorId::K, r.k);
  check(app::TensorId::V, r.v);
  check(app::TensorId::Scores, r.scores);
  check(app::TensorId::Attn, r.attn);
  check(app::TensorId::AttnOut, r.out);
  // One head's matrix is that head's slice.
  const std::vector<float> k1 = app::read_head(app::TensorId::K, layer, 1);
  REQUIRE(k1.size() == n * 4);
  for (std::size_t i = 0; i < k1.size(); ++i) CHECK(k1[i] == Approx(r.k[n * 4 + i]).margin(1e-5));
  CHECK_THROWS_AS(app::read_head(app::TensorId::AttnOut, layer, 0), std::logic_error);
}

TEST_CASE("tensor_range applies the row's policy and skips a causal model's masked scores", "[catalog]") {
  // 2 x 2 scores: the masked cell (query 0, key 1) is the largest and must not set the range.
  const std::vector<float> scores = {1.0f, 8.0f, -2.0f, 0.5f};
  const app::ValueRange causal = app::tensor_range(app::TensorId::Scores, scores.data(), 2, 2, true);
  CHECK(causal.low == -2.0f);
  CHECK(causal.high == 2.0f);
  const app::ValueRange full = app::tensor_range(app::TensorId::Scores, scores.data(), 2, 2, false);
  CHECK(full.high == 8.0f);
  // Attention weights are not masked (their masked cells are 0): min..max, and 0..max in a thumbnail.
  const std::vector<float> weights = {1.0f, 0.0f, 0.25f, 0.75f};
  CHECK(app::tensor_range(app::TensorId::Attn, weights.data(), 2, 2, true).low == 0.0f);
  const std::vector<float> faint = {0.5f, 0.25f, 0.25f, 0.5f};
  const app::ValueRange head = app::tensor_range(app::TensorId::Attn, faint.data(), 2, 2, false);
  CHECK(head.low == 0.25f);
  const app::ValueRange thumb = app::tensor_range(app::TensorId::Attn, faint.data(), 2, 2, false, true);
  CHECK(thumb.low == 0.0f);
  CHECK(thumb.high == 0.5f);
  CHECK(app::catalog_row(app::TensorId::Attn).thumbnail_range == app::RangePolicy::FromZero);
  for (const app::TensorRow& row : app::tensor_catalog()) CHECK(row.causal_masked == (row.id == app::TensorId::Scores));
}

TEST_CASE("a tensor of heads reads each head in place, the same as its reader's slice", "[catalog]") {
  attn::ModelConfig c;
  c.d_model = 12;
  c.n_heads = 3;
  c.causal = true;
  const attn::MhaWeights w = attn::init_weights(c);
  const attn::SequenceRun run = attn::run("the cat sat on the mat", attn::TokenizerMode::Word, c, w);
  const attn::LayerView layer = run.layer(0);
  for (const app::TensorRow& row : app::tensor_catalog()) {
    INFO(row.title);
    REQUIRE((row.head != nullptr) == (row.axes.front() == app::Axis::Heads));
    if (!row.head) {
      CHECK_THROWS_AS(app::head_matrix(row.id, layer, 0), std::logic_error);
      continue;
    }
    const app::TensorData t = app::read_tensor(row.id, layer);
    const std::size_t size = t.shape[1] * t.shape[2];
    for (std::size_t h = 0; h < 3; ++h) {
      const app::HeadMatrix m = app::head_matrix(row.id, layer, h);
      REQUIRE(m.rows == t.shape[1]);
      REQUIRE(m.cols == t.shape[2]);
      for (std::size_t r = 0; r < m.rows; ++r)
        for (std::size_t col = 0; col < m.cols; ++col)
          CHECK(m.first[r * m.stride + col] == t.values[h * size + r * m.cols + col]);
      // Its range is the range of the copied slice.
      const app::ValueRange in_place = app::head_range(row.id, layer, h);
      const app::ValueRange copied = app::tensor_range(row.id, t.values.data() + h * size, m.rows, m.cols, true);
      CHECK(in_place.low == copied.low);
      CHECK(in_place.high == copied.high);
    }
  }
}
