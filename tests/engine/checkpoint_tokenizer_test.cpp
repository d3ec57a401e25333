// The trained BPE travels inside a checkpoint: a round trip keeps its merges, a checkpoint without
// one (every one written before) still loads, and a tokenizer that does not fit is refused.
#include <catch2/catch.hpp>

#include "engine/model/checkpoint.hpp"
#include "engine/npy.hpp"
#include "engine/npz.hpp"
#include "engine/text/bpe_train.hpp"
#include "engine/text/token_text.hpp"
#include "temp_dir.hpp"

namespace {

attn::Checkpoint bpe_checkpoint(std::size_t vocab) {
  attn::PieceCounts counts;
  counts.add_text("the cat sat on the mat; the dog sat on the log; cats and dogs sat together on mats and logs");
  attn::Bpe bpe = attn::train_bpe(counts, vocab).bpe;
  attn::Arch arch;
  arch.n_layers = 1;
  arch.d_model = 16;
  arch.n_heads = 2;
  arch.d_head = 8;
  arch.vocab_size = static_cast<int>(bpe.vocab_size());
  arch.learned_positions = true;  // RunOptions{} has learned positions
  attn::Checkpoint c;
  c.model = attn::Model::create(arch, attn::RunOptions{}, 5);
  c.task = "custom";
  for (std::size_t id = 0; id < bpe.vocab_size(); ++id)
    c.vocab.push_back(attn::token_text(bpe.token_bytes(static_cast<std::int32_t>(id))) + "#" + std::to_string(id));
  c.tokenizer = std::move(bpe);
  return c;
}

}  // namespace

TEST_CASE("a checkpoint carries its trained BPE tokenizer through a round trip", "[checkpoint]") {
  test_support::TempDir dir;
  const attn::Checkpoint c = bpe_checkpoint(272);
  REQUIRE(c.tokenizer->vocab_size() == 272);
  const std::string path = (dir.path / "bpe.npz").string();
  attn::save_checkpoint(c, path);
  const attn::Checkpoint back = attn::load_checkpoint(path);
  REQUIRE(back.tokenizer.has_value());
  CHECK(back.tokenizer->to_json() == c.tokenizer->to_json());
  CHECK(back.tokenizer->encode("the cats sat") == c.tokenizer->encode("the cats sat"));
  CHECK(back.model.params == c.model.params);
  CHECK(attn::checkpoint_meta_json(back) == attn::checkpoint_meta_json(c));
}

TEST_CASE("a checkpoint without a tokenizer loads without one, and a wrong tokenizer is refused", "[checkpoint]") {
  test_support::TempDir dir;
  attn::Checkpoint c = bpe_checkpoint(270);
  const attn::Bpe bpe = *c.tokenizer;
  c.tokenizer.reset();
  const std::string path = (dir.path / "plain.npz").string();
  attn::save_checkpoint(c, path);
  CHECK(attn::checkpoint_meta_json(c).find("tokenizer") == std::string::npos);
  CHECK_FALSE(attn::load_checkpoint(path).tokenizer.has_value());

  const auto refusal_with_meta = [&](const std::string& meta) {
    auto entries = attn::npz_read(attn::read_file(path), path);
    entries[attn::kCheckpointMetaKey] = attn::npy_encode_u8(meta);
    attn::write_file_atomic(path, attn::npz_write(entries));
    try {
      attn::load_checkpoint(path);
    } catch (const attn::FileError& e) {
      return std::string(e.what());
    }
    return std::string("(loaded)");
  };
  std::string meta = attn::checkpoint_meta_json(c);
  const std::string tail = meta.substr(meta.rfind('}'));
  meta.erase(meta.rfind('}'));
  CHECK_THAT(refusal_with_meta(meta + ", \"tokenizer\": {\"format\": \"other\"}" + tail),
             Catch::Contains("attnlab.json's tokenizer: not an attnlab BPE tokenizer"));
  attn::PieceCounts counts;
  counts.add_text("aaa bbb aaa bbb ccc ccc");
  const std::string small = attn::train_bpe(counts, 260).bpe.to_json();
  CHECK_THAT(refusal_with_meta(meta + ", \"tokenizer\": " + small + tail),
             Catch::Contains("the tokenizer has 260 tokens but the model has vocab_size 270"));
  CHECK(refusal_with_meta(meta + ", \"tokenizer\": " + bpe.to_json() + tail) == "(loaded)");
}
