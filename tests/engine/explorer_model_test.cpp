// The explorer as a one-block transformer: its parameters are nn.MultiheadAttention's four tensors,
// its switches size the activations as activation_floats says, and only the explorer goes without
// LayerNorms, a token embedding or an unembedding.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "engine/attention.hpp"
#include "engine/model/transformer.hpp"
#include "engine/weights.hpp"

namespace {

attn::ModelConfig config(int d_model, int heads, int d_head, attn::Positional p) {
  attn::ModelConfig c;
  c.d_model = d_model;
  c.n_heads = heads;
  c.d_head = d_head;
  c.positional = p;
  c.causal = true;
  c.temperature = 0.5f;
  return c;
}

}  // namespace

TEST_CASE("the explorer model holds the four nn.MultiheadAttention tensors and the config's run options",
          "[explorer]") {
  const attn::ModelConfig c = config(12, 3, 6, attn::Positional::Rope);
  attn::MhaWeights w = attn::init_weights(c);
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 0.5f);
  for (float& v : w.in_proj_bias) v = normal(rng);
  for (float& v : w.out_proj_bias) v = normal(rng);
  const attn::Model m = attn::explorer_model(c, w);
  REQUIRE(m.layout.tensors.size() == 4);
  CHECK(m.layout.tensors[0].name == "blocks.0.attn.in_proj_weight");
  CHECK(m.layout.tensors[0].shape == std::vector<std::size_t>{54, 12});
  CHECK(m.layout.tensors[1].name == "blocks.0.attn.in_proj_bias");
  CHECK(m.layout.tensors[2].name == "blocks.0.attn.out_proj.weight");
  CHECK(m.layout.tensors[2].shape == std::vector<std::size_t>{12, 18});
  CHECK(m.layout.tensors[3].name == "blocks.0.attn.out_proj.bias");
  CHECK(m.layout.total ==
        w.in_proj_weight.size() + w.in_proj_bias.size() + w.out_proj_weight.size() + w.out_proj_bias.size());
  const attn::ParamView<const float> p = m.weights();
  CHECK(p.tok_emb == nullptr);
  CHECK(p.unembed == nullptr);
  CHECK(p.ln_f_w == nullptr);
  REQUIRE(p.blocks.size() == 1);
  CHECK(p.blocks[0].ln1_w == nullptr);
  CHECK(std::equal(w.in_proj_weight.begin(), w.in_proj_weight.end(), p.blocks[0].in_proj_w));
  CHECK(std::equal(w.in_proj_bias.begin(), w.in_proj_bias.end(), p.blocks[0].in_proj_b));
  CHECK(std::equal(w.out_proj_weight.begin(), w.out_proj_weight.end(), p.blocks[0].out_proj_w));
  CHECK(std::equal(w.out_proj_bias.begin(), w.out_proj_bias.end(), p.blocks[0].out_proj_b));
  CHECK(m.run.causal);
  CHECK(m.run.positional == attn::Positional::Rope);
  CHECK(m.run.temperature == 0.5f);
  CHECK_THROWS_WITH(attn::explorer_model(config(12, 3, 6, attn::Positional::None),
                                         attn::init_weights(config(12, 2, 6, attn::Positional::None))),
                    Catch::Contains("in_proj_weight"));
}

TEST_CASE("the explorer's switches size the activations as activation_floats says", "[explorer][memory]") {
  for (const attn::Positional p :
       {attn::Positional::None, attn::Positional::Sinusoidal, attn::Positional::Learned, attn::Positional::Rope}) {
    INFO("positional " << attn::to_string(p));
    const attn::ModelConfig c = config(16, 2, 4, p);
    const attn::Model m = attn::explorer_model(c, attn::init_weights(c));
    attn::Activations acts;
    acts.resize(m.arch, m.run, 1, 9);
    CHECK(acts.floats() == attn::activation_floats(m.arch, m.run, 1, 9));
    CHECK(acts.pos_table.empty());  // the stream arrives with its positions
    CHECK(acts.layers[0].ln1.empty());
    CHECK(acts.ln_f.empty());
    CHECK(acts.logits.empty());
    acts.resize(m.arch, m.run, 1, 4);
    CHECK(acts.floats() == attn::activation_floats(m.arch, m.run, 1, 4));
  }
}

TEST_CASE("only the explorer goes without LayerNorms, a token embedding or an unembedding", "[explorer]") {
  for (int off = 0; off < 3; ++off) {
    attn::Arch a;
    a.layer_norm = off != 0;
    a.token_embedding = off != 1;
    a.unembedding = off != 2;
    INFO("switch " << off << " off");
    CHECK_THROWS_WITH(attn::validate(a, attn::RunOptions{}), Catch::Contains("LayerNorms, a token embedding"));
    CHECK_THROWS_WITH(attn::validate_model(a, attn::RunOptions{}), Catch::Contains("LayerNorms, a token embedding"));
  }
  const attn::ModelConfig c = config(8, 2, 4, attn::Positional::None);
  const attn::Model m = attn::explorer_model(c, attn::init_weights(c));
  const std::int32_t ids[2] = {0, 1};
  attn::Activations acts;
  CHECK_THROWS_WITH(attn::model_forward(m, ids, 1, 2, acts), Catch::Contains("no token embedding"));
  const std::vector<float> x(16, 0.25f);
  attn::model_forward_stream(m, x.data(), 1, 2, acts);
  CHECK_THROWS_WITH(attn::model_logits(m, acts), Catch::Contains("no unembedding"));
  attn::BackwardBuffers buffers;
  std::vector<float> grads(m.layout.total, 0.0f);
  CHECK_THROWS_WITH(attn::model_backward(m, ids, ids, acts, buffers, grads.data()), Catch::Contains("trains"));
}

TEST_CASE("model_forward_stream of a model's own embedding stream is its model_forward", "[explorer][model]") {
  attn::Arch a;
  a.n_layers = 2;
  a.d_model = 16;
  a.n_heads = 2;
  a.d_head = 8;
  a.mlp = true;
  a.vocab_size = 11;
  a.max_seq_len = 8;
  attn::RunOptions run;
  run.positional = attn::Positional::Sinusoidal;
  const attn::Model m = attn::Model::create(a, run, 3);
  const std::vector<std::int32_t> ids = {1, 4, 9, 2, 2, 7};
  attn::Activations by_ids, by_stream;
  attn::model_forward(m, ids.data(), 1, 6, by_ids);
  attn::model_forward_stream(m, by_ids.embed.data(), 1, 6, by_stream);
  CHECK(by_stream.layers[1].attn == by_ids.layers[1].attn);
  CHECK(by_stream.logits == by_ids.logits);
}
