// The outside oracle: cases computed by PyTorch's nn.MultiheadAttention (committed fixtures made
// by tests/fixtures/make_torch_fixtures.py) must come out the same from our engine.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "engine/attention.hpp"
#include "engine/npy.hpp"
#include "engine/weights.hpp"

namespace fs = std::filesystem;

namespace {

attn::NpyArray load(const fs::path& p) { return attn::npy_decode(attn::read_file(p.string()), p.string()); }

// "h4_n9_e32_causal" -> heads 4, causal.
attn::ModelConfig config_of(const std::string& name, int d_model) {
  attn::ModelConfig c;
  c.n_heads = std::stoi(name.substr(1, name.find('_') - 1));
  c.d_model = d_model;
  c.causal = name.find("_causal") != std::string::npos;
  c.positional = attn::Positional::None;
  return c;
}

}  // namespace

TEST_CASE("the engine matches PyTorch nn.MultiheadAttention on the committed cases", "[torch]") {
  const fs::path root = fs::path(ATTN_TEST_DATA_DIR) / "fixtures" / "torch";
  int cases = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    const std::string name = dir.path().filename().string();
    INFO("case " << name);
    const attn::MhaWeights w = attn::load_weights_npz((dir.path() / "params.npz").string());
    const attn::NpyArray x_file = load(dir.path() / "x.npy");
    const attn::NpyArray expected_attn = load(dir.path() / "attn.npy");
    const attn::NpyArray expected_out = load(dir.path() / "out.npy");
    xt::xtensor<float, 2> x = xt::xtensor<float, 2>::from_shape({x_file.shape[0], x_file.shape[1]});
    std::copy(x_file.data.begin(), x_file.data.end(), x.begin());
    const attn::SequenceRun t = attn::forward(x, w, config_of(name, static_cast<int>(x_file.shape[1])));
    const attn::LayerActivations& layer = t.acts.layers[0];

    REQUIRE(layer.attn.size() == expected_attn.data.size());
    REQUIRE(layer.attn_out.size() == expected_out.data.size());
    std::ostringstream mismatches;
    double worst = 0.0;
    const auto compare = [&](const float* ours, const std::vector<float>& theirs, const char* what) {
      int shown = 0;
      for (std::size_t i = 0; i < theirs.size(); ++i) {
        const double err = std::fabs(double(ours[i]) - double(theirs[i]));
        worst = std::max(worst, err);
        if (err > 1e-5 && shown++ < 5)
          mismatches << what << "[" << i << "] ours " << ours[i] << " torch " << theirs[i] << "\n";
      }
    };
    compare(layer.attn.data(), expected_attn.data, "attn");
    compare(layer.attn_out.data(), expected_out.data, "out");
    INFO(mismatches.str() << "worst " << worst);
    CHECK(worst <= 1e-5);
    ++cases;
  }
  CHECK(cases >= 7);
}
