// Checkpoints: a round trip keeps every number and setting, and every kind of bad file is refused
// with a message that names what is wrong.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>

#include "engine/model/checkpoint.hpp"
#include "engine/npy.hpp"
#include "engine/npz.hpp"
#include "engine/train/trainer.hpp"
#include "engine/weights.hpp"
#include "temp_dir.hpp"

namespace {

attn::Checkpoint small_checkpoint(bool mlp = true) {
  attn::TrainSettings settings;
  settings.batch = 2;
  settings.seq_len = 12;
  attn::Arch arch;
  arch.mlp = mlp;
  arch.d_model = 16;
  arch.n_heads = 2;
  arch.d_head = 8;
  attn::Trainer trainer(arch, attn::RunOptions{}, settings, attn::make_task("reverse"));
  trainer.step();
  return trainer.checkpoint();
}

// The archive's entries, to be edited and written back.
std::map<std::string, std::string> entries_of(const attn::Checkpoint& c, const std::string& path) {
  attn::save_checkpoint(c, path);
  return attn::npz_read(attn::read_file(path), path);
}

std::string refusal(const std::string& path) {
  try {
    attn::load_checkpoint(path);
  } catch (const attn::FileError& e) {
    return e.what();
  }
  return "(loaded)";
}

}  // namespace

TEST_CASE("a checkpoint round trip keeps parameters, configuration, vocabulary and settings", "[checkpoint]") {
  test_support::TempDir dir;
  const attn::Checkpoint c = small_checkpoint();
  const std::string path = (dir.path / "m.npz").string();
  attn::save_checkpoint(c, path);
  const attn::Checkpoint back = attn::load_checkpoint(path);
  CHECK(back.model.arch == c.model.arch);
  CHECK(back.model.run.causal == c.model.run.causal);
  CHECK(back.model.run.positional == c.model.run.positional);
  CHECK(back.model.params == c.model.params);
  CHECK(back.vocab == c.vocab);
  CHECK(back.task == "reverse");
  CHECK(back.step == 1);
  CHECK(back.train.lr == c.train.lr);
  CHECK(back.train.seq_len == 12);
  CHECK(attn::checkpoint_meta_json(back) == attn::checkpoint_meta_json(c));
}

TEST_CASE("bad checkpoints are refused with the reason", "[checkpoint]") {
  test_support::TempDir dir;
  const attn::Checkpoint c = small_checkpoint();
  const std::string good = (dir.path / "good.npz").string(), bad = (dir.path / "bad.npz").string();
  const auto with = [&](const std::function<void(std::map<std::string, std::string>&)>& edit) {
    auto entries = entries_of(c, good);
    edit(entries);
    attn::write_file_atomic(bad, attn::npz_write(entries));
    return refusal(bad);
  };

  CHECK_THAT(with([](auto& e) { e.erase("blocks.1.mlp.fc.bias"); }),
             Catch::Contains("missing tensor 'blocks.1.mlp.fc.bias' (64,)"));
  CHECK_THAT(with([](auto& e) {
               const float z[3] = {0, 0, 0};
               e["blocks.7.extra"] = attn::npy_encode(z, {3});
             }),
             Catch::Contains("unexpected tensor 'blocks.7.extra'"));
  CHECK_THAT(with([](auto& e) {
               const std::vector<float> z(16 * 3, 0.0f);
               e["ln_f.weight"] = attn::npy_encode(z.data(), {3, 16});
             }),
             Catch::Contains("tensor 'ln_f.weight' is (3, 16) but the model needs (16,)"));
  CHECK_THAT(with([](auto& e) {
               std::vector<float> w(16, 1.0f);
               w[3] = std::numeric_limits<float>::quiet_NaN();
               e["ln_f.weight"] = attn::npy_encode(w.data(), {16});
             }),
             Catch::Contains("'ln_f.weight' holds a non-finite value"));
  CHECK_THAT(with([](auto& e) { e.erase(attn::kCheckpointMetaKey); }), Catch::Contains("has no attnlab.json"));
  CHECK_THAT(with([&](auto& e) {
               std::string meta = attn::checkpoint_meta_json(c);
               meta.replace(meta.find("\"|\""), 3, "\"<bos>\"");  // a word twice
               e[attn::kCheckpointMetaKey] = attn::npy_encode_u8(meta);
             }),
             Catch::Contains("lists '<bos>' twice"));
  CHECK_THAT(with([&](auto& e) {
               std::string meta = attn::checkpoint_meta_json(c);
               meta.replace(meta.find("\"vocab_size\": 20"), 16, "\"vocab_size\": 21");
               e[attn::kCheckpointMetaKey] = attn::npy_encode_u8(meta);
             }),
             Catch::Contains("the vocabulary has 20 words but the model has vocab_size 21"));
  CHECK_THAT(with([&](auto& e) {
               std::string meta = attn::checkpoint_meta_json(c);
               meta.replace(meta.find("\"n_layers\": 2"), 13, "\"n_layers\": 99");
               e[attn::kCheckpointMetaKey] = attn::npy_encode_u8(meta);
             }),
             Catch::Contains("'arch.n_layers' (99) must be between 1 and 12"));
  CHECK_THAT(with([&](auto& e) { e[attn::kCheckpointMetaKey] = attn::npy_encode_u8("{not json"); }),
             Catch::Contains("not valid JSON"));

  // A truncated archive, and an attention weights file where a model is expected.
  const std::string bytes = attn::read_file(good);
  attn::write_file_atomic(bad, bytes.substr(0, bytes.size() / 2));
  CHECK(refusal(bad) != "(loaded)");
  attn::ModelConfig mha;
  attn::save_weights_npz(attn::init_weights(mha), bad);
  CHECK_THAT(refusal(bad), Catch::Contains("attention weights file"));
  CHECK_THAT(refusal((dir.path / "missing.npz").string()), Catch::Contains("cannot read"));
}

TEST_CASE("a checkpoint of an unknown task loads but cannot be trained further", "[checkpoint]") {
  attn::Checkpoint c = small_checkpoint(false);
  c.task = "custom";
  CHECK_THROWS_AS(attn::Trainer(c), std::invalid_argument);
  c.task = "sort";  // same vocabulary as reverse: accepted
  CHECK_NOTHROW(attn::Trainer(c));
  c.task = "induction";  // another vocabulary
  CHECK_THROWS_AS(attn::Trainer(c), std::invalid_argument);
}
