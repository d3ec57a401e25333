// The outside oracle for training: the PyTorch twin (tests/tiny_transformer.py, fixtures made by
// tests/fixtures/make_train_fixtures.py in float64) gives logits, loss, attention, every
// parameter's gradient and the parameters after three AdamW steps; ours must agree within 1e-4.
// The cases include GPT-2's switches (tanh GELU, MLP width, tied embeddings, LayerNorm epsilon).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "engine/model/checkpoint.hpp"
#include "engine/npy.hpp"
#include "engine/npz.hpp"
#include "engine/train/adamw.hpp"

namespace fs = std::filesystem;

namespace {

attn::NpyArray load(const fs::path& p) { return attn::npy_decode(attn::read_file(p.string()), p.string()); }

std::map<std::string, attn::NpyArray> load_npz(const fs::path& p) {
  std::map<std::string, attn::NpyArray> out;
  for (const auto& [name, bytes] : attn::npz_read(attn::read_file(p.string()), p.string()))
    if (name != attn::kCheckpointMetaKey) out[name] = attn::npy_decode(bytes, name);
  return out;
}

// |got - want| <= tol * (|want| + max|want|): relative to the value, with the tensor's scale as
// the floor so entries near 0 are judged against what float32 arithmetic can resolve there.
void check_close(const std::string& what, const float* got, const std::vector<float>& want, float tol = 1e-4f) {
  float scale = 0.0f;
  for (float w : want) scale = std::max(scale, std::fabs(w));
  int shown = 0;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    const float err = std::fabs(got[i] - want[i]);
    if (err <= tol * (std::fabs(want[i]) + scale)) continue;
    ++bad;
    if (shown++ < 3) UNSCOPED_INFO(what << "[" << i << "] = " << got[i] << ", PyTorch " << want[i]);
  }
  INFO(what << ": " << bad << " of " << want.size() << " entries differ");
  CHECK(bad == 0);
}

}  // namespace

TEST_CASE("training matches the PyTorch twin: logits, loss, attention, gradients, three AdamW steps", "[torch]") {
  const fs::path root = fs::path(ATTN_TEST_DATA_DIR) / "fixtures" / "train";
  int cases = 0;
  // The switches each fixture folder exercises: every one must be covered by at least one case.
  int tanh_gelu = 0, mlp_width = 0, tied = 0, rope = 0, ln_eps = 0, hidden_checked = 0;
  for (const auto& dir : fs::directory_iterator(root)) {
    const std::string name = dir.path().filename().string();
    INFO("case " << name);
    attn::Checkpoint ck = attn::load_checkpoint((dir.path() / "model.npz").string());
    attn::Model& model = ck.model;
    const attn::Arch& arch = model.arch;
    tanh_gelu += arch.mlp && arch.gelu == attn::Gelu::Tanh;
    mlp_width += arch.mlp && arch.mlp_dim() != 4 * arch.d_model;
    tied += arch.tied_embeddings;
    rope += model.run.positional == attn::Positional::Rope;
    ln_eps += arch.ln_eps != 1e-5;
    const attn::NpyIntArray tokens = attn::npy_decode_i32(attn::read_file((dir.path() / "tokens.npy").string()), name);
    const attn::NpyIntArray targets =
        attn::npy_decode_i32(attn::read_file((dir.path() / "targets.npy").string()), name);
    REQUIRE(tokens.shape.size() == 2);
    const int B = static_cast<int>(tokens.shape[0]), T = static_cast<int>(tokens.shape[1]);

    attn::Activations acts;
    attn::model_forward(model, tokens.data.data(), B, T, acts);
    const float loss = attn::model_loss(acts, targets.data.data(), model.arch.vocab_size);
    check_close("logits", acts.logits.data(), load(dir.path() / "logits.npy").data);
    CHECK(loss == Approx(load(dir.path() / "loss.npy").data[0]).epsilon(1e-4));
    const attn::NpyArray attn_all = load(dir.path() / "attn.npy");  // (L, B, H, T, T)
    const std::size_t per_layer = attn_all.data.size() / static_cast<std::size_t>(model.arch.n_layers);
    for (int l = 0; l < model.arch.n_layers; ++l)
      check_close("attn layer " + std::to_string(l), acts.layers[static_cast<std::size_t>(l)].attn.data(),
                  std::vector<float>(attn_all.data.begin() + static_cast<std::ptrdiff_t>(per_layer * l),
                                     attn_all.data.begin() + static_cast<std::ptrdiff_t>(per_layer * (l + 1))));

    // GELU's output in every MLP layer, where present. Tighter than the rest: the tanh and the
    // exact GELU differ by at most 4.7e-4, under 1e-4 of this tensor's scale (about 2), while
    // float rounding here stays near 1e-6 of it.
    const fs::path hidden_file = dir.path() / "mlp_hidden.npy";
    if (fs::exists(hidden_file)) {
      REQUIRE(arch.mlp);
      const attn::NpyArray hidden = load(hidden_file);  // (L, B, T, M)
      const std::size_t per = hidden.data.size() / static_cast<std::size_t>(arch.n_layers);
      REQUIRE(per == static_cast<std::size_t>(B * T * arch.mlp_dim()));
      for (int l = 0; l < arch.n_layers; ++l)
        check_close("GELU output layer " + std::to_string(l), acts.layers[static_cast<std::size_t>(l)].gelu.data(),
                    std::vector<float>(hidden.data.begin() + static_cast<std::ptrdiff_t>(per * l),
                                       hidden.data.begin() + static_cast<std::ptrdiff_t>(per * (l + 1))),
                    1e-5f);
      ++hidden_checked;
    }

    std::vector<float> grads(model.layout.total, 0.0f);
    attn::BackwardBuffers buffers;
    attn::model_backward(model, tokens.data.data(), targets.data.data(), acts, buffers, grads.data());
    const auto want_grads = load_npz(dir.path() / "grads.npz");
    REQUIRE(want_grads.size() == model.layout.tensors.size());
    for (const attn::ParamTensor& t : model.layout.tensors)
      check_close("grad " + t.name, grads.data() + t.offset, want_grads.at(t.name).data);

    // Three updates on the same batch, as the fixture script does.
    attn::AdamW adam;
    adam.reset(model.layout.total);
    for (int step = 0; step < 3; ++step) {
      attn::model_forward(model, tokens.data.data(), B, T, acts);
      attn::model_loss(acts, targets.data.data(), model.arch.vocab_size);
      std::fill(grads.begin(), grads.end(), 0.0f);
      attn::model_backward(model, tokens.data.data(), targets.data.data(), acts, buffers, grads.data());
      attn::adamw_update(model.layout, ck.train, attn::gradient_norm(grads.data(), grads.size()), model.params.data(),
                         grads.data(), adam);
    }
    const auto want_params = load_npz(dir.path() / "after_adamw.npz");
    for (const attn::ParamTensor& t : model.layout.tensors)
      check_close("after AdamW " + t.name, model.params.data() + t.offset, want_params.at(t.name).data);
    ++cases;
  }
  CHECK(cases == 9);
  CHECK(tanh_gelu >= 1);
  CHECK(mlp_width >= 1);
  CHECK(tied >= 1);
  CHECK(rope >= 1);
  CHECK(ln_eps >= 1);
  CHECK(hidden_checked == 3);  // the three cases with GPT-2's switches and an MLP
}
