// `attnlab dump/export/bench --model HF_FOLDER`: the dump layout of other models with GPT-2's ids
// and readable token text, its logits those of the engine's forward, and clear refusals.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "engine/file_io.hpp"
#include "engine/io/hf_gpt2.hpp"
#include "engine/npy.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

using test_support::Result;
using test_support::run;

const std::string kModel = std::string(ATTN_TEST_DATA_DIR) + "/engine/gpt2/bf16_plain_head";

attn::NpyArray npy(const fs::path& p) { return attn::npy_decode(attn::read_file(p.string()), p.string()); }

}  // namespace

TEST_CASE("dump --model on a GPT-2 folder writes the model dump layout with its token ids", "[cli][gpt2]") {
  test_support::TempDir dir;
  const fs::path out = dir.path / "dump";
  const Result r = run("dump --model " + kModel + " --ids 3,230,299,17 --out " + out.string());
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(npy(out / "layer0" / "attn.npy").shape == std::vector<std::size_t>{4, 4, 4});
  CHECK(npy(out / "layer1" / "q.npy").shape == std::vector<std::size_t>{4, 4, 8});
  CHECK(npy(out / "layer1" / "fc.npy").shape == std::vector<std::size_t>{4, 128});
  const attn::NpyArray logits = npy(out / "logits.npy");
  REQUIRE(logits.shape == std::vector<std::size_t>{4, 300});
  const nlohmann::json tokens = nlohmann::json::parse(attn::read_file((out / "tokens.json").string()));
  CHECK(tokens.at("model_type") == "gpt2");
  CHECK(tokens.at("tokens").at(2).at("id") == 299);
  CHECK(tokens.at("tokens").at(2).at("text") == "<|endoftext|>");
  // The logits are the engine's forward on the same ids.
  const attn::HfGpt2 hf = attn::load_hf_gpt2(kModel);
  const std::vector<std::int32_t> ids{3, 230, 299, 17};
  attn::Activations acts;
  attn::model_forward(hf.model, ids.data(), 1, 4, acts);
  CHECK(std::equal(logits.data.begin(), logits.data.end(), acts.logits.begin()));
}

TEST_CASE("a GPT-2 folder splits the text of --text with its own BPE", "[cli][gpt2]") {
  test_support::TempDir dir;
  const fs::path out = dir.path / "text";
  // The fixture's merges were learned from tests/gpt2_twin.py's CORPUS, which has these words.
  const Result r = run("dump --model " + kModel + " --text 'the cat sat' --out " + out.string());
  INFO(r.out);
  REQUIRE(r.code == 0);
  const nlohmann::json tokens = nlohmann::json::parse(attn::read_file((out / "tokens.json").string()));
  // The pieces tile the text, and the merges made fewer tokens than its 11 bytes.
  std::string joined;
  for (const auto& t : tokens.at("tokens")) joined += t.at("text").get<std::string>();
  CHECK(joined ==
        "the\xE2\x90\xA3"
        "cat\xE2\x90\xA3"
        "sat");
  CHECK(tokens.at("tokens").size() < 11);
  CHECK(tokens.at("text") == "the cat sat");
}

TEST_CASE("export and bench take a GPT-2 folder", "[cli][gpt2]") {
  test_support::TempDir dir;
  for (const char* what : {"grid", "model", "step:2:3", "lines"}) {
    const fs::path out = dir.path / (std::string("f") + what[0] + ".png");
    const Result r =
        run("export --model " + kModel + " --ids 3,230,299,17 --layer 2 --what " + what + " --out " + out.string());
    INFO(what << ": " << r.out);
    CHECK(r.code == 0);
    CHECK(fs::file_size(out) > 1000);
  }
  const Result b = run("bench --model " + kModel + " --n 8 --reps 3");
  INFO(b.out);
  CHECK(b.code == 0);
  CHECK(b.out.find("load_s=") != std::string::npos);
  CHECK(b.out.find("n=8 median_ms=") != std::string::npos);
}

TEST_CASE("a GPT-2 folder refuses text, bad ids and a broken folder with a message", "[cli][gpt2]") {
  test_support::TempDir dir;
  const std::string out = (dir.path / "d").string();
  const Result both = run("dump --model " + kModel + " --text hello --ids 1 --out " + out);
  CHECK(both.code == 2);
  CHECK(both.out.find("give the sentence once") != std::string::npos);
  const Result range = run("dump --model " + kModel + " --ids 1,300 --out " + out);
  CHECK(range.code == 2);
  CHECK(range.out.find("token id 300 is outside the vocabulary of 300") != std::string::npos);

  const fs::path broken = dir.path / "broken";
  fs::copy(kModel, broken, fs::copy_options::recursive);
  fs::remove(broken / "model.safetensors");
  const Result missing = run("dump --model " + broken.string() + " --ids 1 --out " + out);
  CHECK(missing.code == 1);
  CHECK(missing.out.find("neither model.safetensors nor model.safetensors.index.json") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("train --save DIR/ writes a GPT-2 folder that dump reads, and refuses what GPT-2 cannot be", "[cli][gpt2]") {
  test_support::TempDir dir;
  const std::string folder = (dir.path / "sorter").string() + "/";
  const Result t = run("train --task sort --mlp --steps 3 --save " + folder);
  INFO(t.out);
  REQUIRE(t.code == 0);
  for (const char* f : {"config.json", "model.safetensors", "vocab.json", "merges.txt"}) CHECK(fs::exists(folder + f));
  const nlohmann::json config = nlohmann::json::parse(attn::read_file(folder + "config.json"));
  CHECK(config.at("model_type") == "gpt2");
  CHECK(config.at("activation_function") == "gelu");
  CHECK(config.at("tie_word_embeddings") == false);
  const Result d = run("dump --model " + folder + " --ids 1,2,3 --out " + (dir.path / "d").string());
  INFO(d.out);
  CHECK(d.code == 0);
  const Result refused = run("train --task sort --steps 3 --save " + (dir.path / "attn-only").string() + "/");
  CHECK(refused.code == 2);
  CHECK(refused.out.find("cannot be saved as a Hugging Face GPT-2 folder: it has no MLP") != std::string::npos);
  const Result no_parent = run("train --task sort --mlp --steps 3 --save " + (dir.path / "a" / "b").string() + "/");
  CHECK(no_parent.code == 2);
  CHECK(no_parent.out.find("does not exist") != std::string::npos);
  CHECK(no_parent.out.find("step=") == std::string::npos);
}
