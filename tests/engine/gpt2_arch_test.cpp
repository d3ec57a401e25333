// GPT-2's architecture switches on the one transformer: tied embeddings, the MLP width, the tanh
// GELU and the LayerNorm epsilon change the parameters and the forward as Arch says, and the
// backward of a tied model is the sum of the untied model's two embedding gradients.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/model/transformer.hpp"

namespace {

attn::Arch gpt2_like(bool tied) {
  attn::Arch a;
  a.n_layers = 2;
  a.d_model = 16;
  a.n_heads = 2;
  a.d_head = 8;
  a.mlp = true;
  a.vocab_size = 11;
  a.max_seq_len = 8;
  a.learned_positions = true;
  a.d_mlp = 24;
  a.gelu = attn::Gelu::Tanh;
  a.tied_embeddings = tied;
  a.ln_eps = 1e-4;
  return a;
}

struct Run {
  float loss;
  std::vector<float> grads;
};

Run loss_and_grads(const attn::Model& m, const std::vector<std::int32_t>& ids,
                   const std::vector<std::int32_t>& targets) {
  attn::Activations acts;
  attn::model_forward(m, ids.data(), 1, static_cast<int>(ids.size()), acts);
  Run r{attn::model_loss(acts, targets.data(), m.arch.vocab_size), std::vector<float>(m.layout.total, 0.0f)};
  attn::BackwardBuffers buffers;
  attn::model_backward(m, ids.data(), targets.data(), acts, buffers, r.grads.data());
  return r;
}

const std::vector<std::int32_t> kIds{3, 1, 4, 1, 5, 9}, kTargets{1, 4, 1, 5, 9, 2};

}  // namespace

TEST_CASE("GPT-2's switches shape the parameter list", "[gpt2]") {
  const attn::ParamLayout tied = attn::ParamLayout::of(gpt2_like(true));
  const attn::ParamLayout untied = attn::ParamLayout::of(gpt2_like(false));
  CHECK(tied.find("unembed.weight") == nullptr);
  REQUIRE(untied.find("unembed.weight") != nullptr);
  CHECK(untied.total - tied.total == 11u * 16u);
  REQUIRE(tied.find("blocks.1.mlp.fc.weight") != nullptr);
  CHECK(tied.find("blocks.1.mlp.fc.weight")->shape == std::vector<std::size_t>{24, 16});
  CHECK(tied.find("blocks.1.mlp.proj.weight")->shape == std::vector<std::size_t>{16, 24});
  std::vector<float> arena(tied.total);
  const auto v = attn::view(tied, arena.data());
  CHECK(v.unembed == v.tok_emb);
  CHECK(gpt2_like(true) != gpt2_like(false));
  attn::Arch a = gpt2_like(true), b = a;
  b.d_mlp = 0;
  a.d_mlp = 4 * a.d_model;
  CHECK(a == b);  // 0 means 4 * d_model
}

TEST_CASE("a tied model equals an untied one whose unembedding is its embedding", "[gpt2]") {
  const attn::RunOptions run;
  const attn::Model tied = attn::Model::create(gpt2_like(true), run, 3);
  attn::Model untied = attn::Model::create(gpt2_like(false), run, 3);
  // The same values for every shared tensor, and unembed = tok_emb.
  for (const attn::ParamTensor& t : tied.layout.tensors) {
    const attn::ParamTensor* u = untied.layout.find(t.name);
    REQUIRE(u != nullptr);
    std::copy_n(tied.params.begin() + static_cast<std::ptrdiff_t>(t.offset), t.size,
                untied.params.begin() + static_cast<std::ptrdiff_t>(u->offset));
  }
  const attn::ParamTensor* tok = untied.layout.find("tok_emb.weight");
  const attn::ParamTensor* unembed = untied.layout.find("unembed.weight");
  std::copy_n(untied.params.begin() + static_cast<std::ptrdiff_t>(tok->offset), tok->size,
              untied.params.begin() + static_cast<std::ptrdiff_t>(unembed->offset));

  const Run a = loss_and_grads(tied, kIds, kTargets), b = loss_and_grads(untied, kIds, kTargets);
  CHECK(a.loss == b.loss);
  // Tied: the embedding's gradient collects the lookup's and the logits' parts.
  for (const attn::ParamTensor& t : tied.layout.tensors) {
    const attn::ParamTensor* u = untied.layout.find(t.name);
    for (std::size_t i = 0; i < t.size; ++i) {
      float want = b.grads[u->offset + i];
      if (t.name == "tok_emb.weight") want += b.grads[unembed->offset + i];
      INFO(t.name << "[" << i << "]");
      CHECK(a.grads[t.offset + i] == Approx(want).margin(1e-6));
    }
  }
}

TEST_CASE("the GPT-2 switches' backward matches finite differences of the loss", "[gpt2]") {
  // float32 central differences: a coarse check (1e-2) that catches a missing or misplaced term,
  // on the entries each switch touches: the tied embedding, the MLP's weights, the LayerNorms.
  attn::Model m = attn::Model::create(gpt2_like(true), attn::RunOptions{}, 5);
  const Run base = loss_and_grads(m, kIds, kTargets);
  for (const char* name :
       {"tok_emb.weight", "blocks.0.mlp.fc.weight", "blocks.1.mlp.proj.bias", "blocks.0.ln2.weight", "ln_f.bias"}) {
    const attn::ParamTensor* t = m.layout.find(name);
    REQUIRE(t != nullptr);
    for (std::size_t i = 0; i < t->size; i += 7) {
      float& w = m.params[t->offset + i];
      const float saved = w, eps = 1e-2f;
      attn::Activations acts;
      w = saved + eps;
      attn::model_forward(m, kIds.data(), 1, 6, acts);
      const double plus = attn::model_loss(acts, kTargets.data(), m.arch.vocab_size);
      w = saved - eps;
      attn::model_forward(m, kIds.data(), 1, 6, acts);
      const double minus = attn::model_loss(acts, kTargets.data(), m.arch.vocab_size);
      w = saved;
      const double numeric = (plus - minus) / (2.0 * eps);
      INFO(name << "[" << i << "]: backward " << base.grads[t->offset + i] << ", finite difference " << numeric);
      CHECK(std::fabs(base.grads[t->offset + i] - numeric) < 1e-2 * std::max(1.0, std::fabs(numeric)));
    }
  }
}

TEST_CASE("validate_model takes GPT-2 medium and validate keeps train's limits", "[gpt2]") {
  attn::Arch a;
  a.n_layers = 24;
  a.d_model = 1024;
  a.n_heads = 16;
  a.d_head = 64;
  a.mlp = true;
  a.vocab_size = 50257;
  a.max_seq_len = 1024;
  a.learned_positions = true;
  a.gelu = attn::Gelu::Tanh;
  a.tied_embeddings = true;
  const attn::RunOptions run;
  CHECK_NOTHROW(attn::validate_model(a, run));
  CHECK_THROWS_WITH(attn::validate(a, run), Catch::Contains("layers (24) must be between 1 and 12"));
  a.ln_eps = 0.0;
  CHECK_THROWS_WITH(attn::validate_model(a, run), Catch::Contains("LayerNorm epsilon"));
  a.ln_eps = 1e-5;
  a.n_layers = 1000000000;
  CHECK_THROWS_WITH(attn::validate_model(a, run), Catch::Contains("layers (1000000000)"));
}

TEST_CASE("a forward of the last logits row only computes that row exactly and model_logits fills the rest", "[gpt2]") {
  for (const bool tied : {true, false}) {
    const attn::Model m = attn::Model::create(gpt2_like(tied), attn::RunOptions{}, 7);
    attn::Activations all, last;
    attn::model_forward(m, kIds.data(), 1, static_cast<int>(kIds.size()), all);
    attn::model_forward(m, kIds.data(), 1, static_cast<int>(kIds.size()), last,
                        attn::ForwardOptions{attn::LogitRows::Last});
    const std::size_t V = 11, n = kIds.size();
    REQUIRE(last.logits.size() == all.logits.size());
    for (std::size_t i = 0; i < (n - 1) * V; ++i) CHECK(std::isnan(last.logits[i]));
    for (std::size_t i = (n - 1) * V; i < n * V; ++i) CHECK(last.logits[i] == all.logits[i]);
    CHECK(last.layers[1].attn == all.layers[1].attn);  // everything before the unembedding is the same
    attn::model_logits(m, last);
    CHECK(last.logits == all.logits);
  }
}

TEST_CASE("a forward from a later layer with a knock-out there equals the whole forward with it", "[gpt2]") {
  const attn::Model m = attn::Model::create(gpt2_like(true), attn::RunOptions{}, 11);
  const int T = static_cast<int>(kIds.size());
  std::vector<std::uint8_t> mask(4, 0);  // 2 layers x 2 heads
  mask[3] = 1;                           // layer 2, head 2
  attn::ForwardOptions whole;
  whole.knocked_out = mask.data();
  attn::Activations expected, resumed;
  attn::model_forward(m, kIds.data(), 1, T, expected, whole);
  attn::model_forward(m, kIds.data(), 1, T, resumed);  // no knock-out
  attn::ForwardOptions from_second = whole;
  from_second.from_layer = 1;
  attn::model_forward(m, kIds.data(), 1, T, resumed, from_second);
  CHECK(resumed.logits == expected.logits);
  CHECK(resumed.layers[1].concat == expected.layers[1].concat);
  // The model's own knock-outs are what a null mask means.
  attn::Model own = m;
  own.knocked_out = mask;
  attn::Activations by_model;
  attn::model_forward(own, kIds.data(), 1, T, by_model);
  CHECK(by_model.logits == expected.logits);
  attn::ForwardOptions bad;
  bad.from_layer = 3;
  CHECK_THROWS_AS(attn::model_forward(m, kIds.data(), 1, T, resumed, bad), std::invalid_argument);
  attn::Activations fresh;
  CHECK_THROWS_AS(attn::model_forward(m, kIds.data(), 1, T, fresh, from_second), std::invalid_argument);
}
