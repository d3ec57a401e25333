// Hugging Face GPT-2 folders made by tests/gpt2_twin.py (random weights, every variant: F32, F16,
// BF16; with and without the "transformer." prefix; tied, tied with a stored lm_head, explicit
// head; one file or shards; gelu_new or gelu with n_inner and another epsilon) compute the
// twin's attention (1e-5 absolute) and logits (1e-4 relative) on the twin's token ids.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/file_io.hpp"
#include "engine/io/hf_gpt2.hpp"
#include "engine/npy.hpp"
#include "engine/text/bpe_train.hpp"
#include "engine/text/token_text.hpp"
#include "temp_dir.hpp"

namespace {

const std::string kDir = std::string(ATTN_TEST_DATA_DIR) + "/engine/gpt2/";

attn::NpyArray expected(const std::string& variant, const std::string& name) {
  const std::string path = kDir + variant + "/expected/" + name;
  return attn::npy_decode(attn::read_file(path), path);
}

void check_variant(const std::string& variant) {
  INFO("fixture " << variant);
  const attn::HfGpt2 hf = attn::load_hf_gpt2(kDir + variant);
  const std::string ids_path = kDir + variant + "/expected/ids.npy";
  const attn::NpyIntArray ids = attn::npy_decode_i32(attn::read_file(ids_path), ids_path);
  const int T = static_cast<int>(ids.data.size());
  attn::Activations acts;
  attn::model_forward(hf.model, ids.data.data(), 1, T, acts);
  for (int l = 0; l < hf.model.arch.n_layers; ++l) {
    const attn::NpyArray want = expected(variant, "attn" + std::to_string(l) + ".npy");
    const std::vector<float>& got = acts.layers[static_cast<std::size_t>(l)].attn;
    REQUIRE(want.data.size() == got.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(double(got[i]) - want.data[i]));
    INFO("layer " << l << ": largest attention difference " << worst);
    CHECK(worst <= 1e-5);
  }
  const attn::NpyArray want = expected(variant, "logits.npy");
  REQUIRE(want.shape ==
          std::vector<std::size_t>{static_cast<std::size_t>(T), static_cast<std::size_t>(hf.model.arch.vocab_size)});
  double worst = 0.0;
  for (std::size_t i = 0; i < want.data.size(); ++i)
    worst = std::max(worst,
                     std::fabs(double(acts.logits[i]) - want.data[i]) / std::max(1.0, std::fabs(double(want.data[i]))));
  INFO("largest relative logit difference " << worst);
  CHECK(worst <= 1e-4);
}

}  // namespace

TEST_CASE("GPT-2 folders compute the PyTorch twin's attention and logits: F32 with the transformer prefix", "[gpt2]") {
  check_variant("f32_prefixed_tied");
}
TEST_CASE("GPT-2 folders compute the PyTorch twin's attention and logits: F16 without prefix", "[gpt2]") {
  check_variant("f16_plain_tied");
}
TEST_CASE("GPT-2 folders compute the PyTorch twin's attention and logits: BF16 with an explicit lm_head", "[gpt2]") {
  check_variant("bf16_plain_head");
}
TEST_CASE("GPT-2 folders compute the PyTorch twin's attention and logits: three shards and a stored tied head",
          "[gpt2]") {
  check_variant("f32_sharded_tied");
}
TEST_CASE("GPT-2 folders compute the PyTorch twin's attention and logits: exact GELU with n_inner and epsilon 1e-3",
          "[gpt2]") {
  check_variant("f32_gelu_inner");
}

TEST_CASE("a GPT-2 folder's config becomes the engine's switches", "[gpt2]") {
  const attn::HfGpt2 tied = attn::load_hf_gpt2(kDir + "f32_prefixed_tied");
  const attn::Arch& a = tied.model.arch;
  CHECK(a.n_layers == 2);
  CHECK(a.n_heads == 4);
  CHECK(a.d_head == 8);
  CHECK(a.mlp_dim() == 128);
  CHECK(a.gelu == attn::Gelu::Tanh);
  CHECK(a.tied_embeddings);
  CHECK(a.ln_eps == 1e-5);
  CHECK(a.max_seq_len == 64);
  CHECK(tied.model.run.causal);
  CHECK(tied.model.layout.find("unembed.weight") == nullptr);
  const attn::HfGpt2 inner = attn::load_hf_gpt2(kDir + "f32_gelu_inner");
  CHECK(inner.model.arch.gelu == attn::Gelu::Exact);
  CHECK(inner.model.arch.mlp_dim() == 48);
  CHECK(inner.model.arch.ln_eps == 1e-3);
  const attn::HfGpt2 head = attn::load_hf_gpt2(kDir + "bf16_plain_head");
  CHECK_FALSE(head.model.arch.tied_embeddings);
  CHECK(head.model.layout.find("unembed.weight") != nullptr);
  // The vocabulary by id, and as people read it.
  REQUIRE(tied.vocab.size() == 300);
  CHECK(tied.vocab[0] == "!");
  CHECK(tied.vocab[299] == "<|endoftext|>");
  CHECK(attn::gpt2_token_bytes("\xC4\xA0the") == " the");                               // Ġthe
  CHECK(attn::token_text(attn::gpt2_token_bytes("\xC4\xA0the")) == "\xE2\x90\xA3the");  // ␣the
  CHECK(attn::gpt2_token_bytes("<|endoftext|>") == "<|endoftext|>");
  CHECK(attn::gpt2_token_bytes("\xC4\x8A") == "\n");    // Ċ is byte 10
  CHECK(attn::gpt2_token_bytes("\xC3\xA2") == "\xE2");  // â is byte 0xE2, a part of a UTF-8 character
}

TEST_CASE("a model saved as a GPT-2 folder loads back with the same parameters", "[gpt2]") {
  for (const bool tied : {true, false}) {
    attn::Arch a;
    a.n_layers = 2;
    a.d_model = 16;
    a.n_heads = 2;
    a.d_head = 8;
    a.mlp = true;
    a.vocab_size = 6;
    a.max_seq_len = 8;
    a.learned_positions = true;
    a.d_mlp = 40;
    a.gelu = tied ? attn::Gelu::Tanh : attn::Gelu::Exact;
    a.tied_embeddings = tied;
    const attn::Model m = attn::Model::create(a, attn::RunOptions{}, 9);
    const std::vector<std::string> vocab{"<bos>", "a", "b", "c", "\xC4\xA0the", "."};
    test_support::TempDir dir;
    const std::string folder = (dir.path / "saved").string();
    attn::save_hf_gpt2(m, vocab, folder);
    const attn::HfGpt2 back = attn::load_hf_gpt2(folder);
    INFO("tied " << tied);
    CHECK(back.model.arch == m.arch);
    CHECK(back.model.params == m.params);  // Conv1D transposed out and back in, bit for bit
    CHECK(back.vocab == vocab);
  }
  attn::Arch a;
  a.mlp = false;
  a.learned_positions = true;
  const attn::Model attention_only = attn::Model::create(a, attn::RunOptions{}, 1);
  test_support::TempDir dir;
  CHECK_THROWS_WITH(attn::save_hf_gpt2(attention_only, std::vector<std::string>(64, "x"), (dir.path / "x").string()),
                    Catch::Contains("cannot be saved as GPT-2: it has no MLP"));
  attn::RunOptions rope;
  rope.positional = attn::Positional::Rope;
  attn::Model with_rope = attention_only;
  with_rope.arch.mlp = true;
  with_rope.run = rope;
  CHECK_THAT(attn::hf_gpt2_refusal(with_rope), Catch::Contains("positions are not learned"));
}

TEST_CASE("a model with a trained BPE saved as a GPT-2 folder reads back the same ids and logits", "[gpt2]") {
  // A BPE learned on a little English (with a few non-ASCII words, so some tokens hold bytes GPT-2
  // writes shifted: 'é' is two bytes, a newline is 'Ċ').
  attn::PieceCounts counts;
  const std::string corpus =
      "It is a truth universally acknowledged, that a single man in possession of a good fortune,\n"
      "must be in want of a wife. The café served crème brûlée; the naïve reader\tsmiled.\n"
      "However little known the feelings or views of such a man may be on his first entering a\n"
      "neighbourhood, this truth is so well fixed in the minds of the surrounding families.\n";
  for (int i = 0; i < 4; ++i) counts.add_text(corpus);
  const attn::Bpe bpe = attn::train_bpe(counts, 340).bpe;
  REQUIRE(bpe.vocab_size() == 340);

  attn::Arch a;
  a.n_layers = 2;
  a.d_model = 16;
  a.n_heads = 2;
  a.d_head = 8;
  a.mlp = true;
  a.vocab_size = static_cast<int>(bpe.vocab_size());
  a.max_seq_len = 64;
  a.learned_positions = true;
  const attn::Model m = attn::Model::create(a, attn::RunOptions{}, 3);
  test_support::TempDir dir;
  const std::string folder = (dir.path / "english").string();
  attn::save_hf_gpt2(m, bpe, folder);

  const attn::HfGpt2 back = attn::load_hf_gpt2(folder);
  const attn::Bpe read = attn::load_bpe(folder);
  REQUIRE(read.vocab_size() == bpe.vocab_size());
  CHECK(read.n_merges() == bpe.n_merges());
  CHECK(back.model.params == m.params);
  CHECK(attn::gpt2_token_bytes(back.vocab[static_cast<std::size_t>(bpe.id_of(" the"))]) == " the");
  const std::vector<std::string> texts{"It is a truth universally acknowledged.", "The café's crème brûlée\n\tsmiled",
                                       "neighbourhood families, fixed minds", "\xFF\xFE bytes that are not UTF-8 \x01",
                                       "  many   spaces and 123 digits!"};
  for (const std::string& text : texts) {
    INFO("text: " << text);
    const std::vector<std::int32_t> ids = bpe.encode(text);
    REQUIRE(read.encode(text) == ids);
    CHECK(read.decode(ids) == text);
    attn::Activations ours, theirs;
    const int T = static_cast<int>(ids.size());
    attn::model_forward(m, ids.data(), 1, T, ours);
    attn::model_forward(back.model, ids.data(), 1, T, theirs);
    CHECK(ours.logits == theirs.logits);
  }
  // Merges were made: the round trip is more than single bytes.
  CHECK(bpe.encode("It is a truth").size() < std::string("It is a truth").size());

  // A tokenizer of another size than the model's embedding is refused, naming both.
  attn::Model smaller = m;
  smaller.arch.vocab_size = 300;
  CHECK_THROWS_WITH(attn::save_hf_gpt2(smaller, bpe, (dir.path / "bad").string()),
                    Catch::Contains("the tokenizer has 340 tokens but the model 300"));
}
