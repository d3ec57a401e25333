// attnlab train --task text as a user runs it: a small corpus trains, reports bits per byte beside
// its baselines and saves a checkpoint that dump reads through its own BPE; every bad corpus or
// setting is one message naming the file, exit 1 or 2, and nothing written.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

using test_support::Result;
using test_support::run;

const std::string kCorpus = (fs::path(ATTN_TEST_DATA_DIR) / "fixtures" / "bpe" / "train_corpus.txt").string();
const std::string kSmall = "--layers 1 --d-model 16 --heads 2 --seq-len 16 --batch 4 --vocab 300";

std::string write(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

}  // namespace

TEST_CASE("train --task text trains on a corpus and dump reads the checkpoint through its BPE", "[cli]") {
  test_support::TempDir dir;
  const std::string ckpt = (dir.path / "text.npz").string();
  const Result r =
      run("train --task text --corpus " + kCorpus + " " + kSmall +
          " --mlp-width 24 --gelu tanh --tied-embeddings --repeat-fraction 0.5 --steps 10 --every 5 --save " + ckpt);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("# trained a BPE of 300 tokens"));
  CHECK_THAT(r.out, Catch::Contains("repeated spans in 50% of training sequences"));
  CHECK_THAT(r.out, Catch::Contains("# held-out baselines (bits per byte): unigram "));
  CHECK_THAT(r.out, Catch::Contains("# mlp width 24, gelu tanh, tied embeddings"));
  CHECK_THAT(r.out, Catch::Contains("step=10 loss="));
  CHECK_THAT(r.out, Catch::Contains(" bpb="));
  CHECK_THAT(r.out, Catch::Contains("duplicate-token="));
  CHECK_THAT(r.out, Catch::Contains("# held-out bits per byte "));
  CHECK_THAT(r.out, Catch::Contains("# copying: "));
  REQUIRE(fs::exists(ckpt));

  const std::string out = (dir.path / "dump").string();
  const std::string text = "the cat sat";  // at most 11 tokens: the model takes 16
  const Result d = run("dump --model " + ckpt + " --text '" + text + "' --out " + out);
  INFO(d.out);
  REQUIRE(d.code == 0);
  for (const char* f : {"tokens.json", "logits.npy", "embed.npy", "layer0/attn.npy", "layer0/gelu.npy"})
    CHECK(fs::exists(fs::path(out) / f));
  std::ifstream in(fs::path(out) / "tokens.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  CHECK(j["task"] == "text");
  // BPE tokens tile the text, spaces included, and read as people read them.
  std::size_t at = 0;
  std::string readable;
  for (const auto& t : j["tokens"]) {
    CHECK(t["start"] == at);
    at = t["end"].get<std::size_t>();
    CHECK(t["unknown"] == false);
    readable += t["text"].get<std::string>();
  }
  CHECK(at == text.size());
  CHECK_THAT(readable, Catch::Contains("\xE2\x90\xA3"));  // ␣ for the spaces
}

TEST_CASE("train --task text --save DIR/ writes a GPT-2 folder with its BPE that dump reads", "[cli][gpt2]") {
  test_support::TempDir dir;
  const std::string folder = (dir.path / "hf").string() + "/";
  const Result r =
      run("train --task text --corpus " + kCorpus + " " + kSmall + " --mlp --steps 4 --every 2 --save " + folder);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("Hugging Face GPT-2"));
  // merges.txt lists the BPE's 300 - 256 merges after its version line.
  std::ifstream merges(dir.path / "hf" / "merges.txt");
  std::string line;
  int lines = 0;
  while (std::getline(merges, line)) ++lines;
  CHECK(lines == 1 + 300 - 256);
  const std::string out = (dir.path / "dump").string();
  const Result d = run("dump --model " + folder + " --text 'the cat sat' --out " + out);
  INFO(d.out);
  REQUIRE(d.code == 0);
  std::ifstream in(fs::path(out) / "tokens.json");
  const nlohmann::json j = nlohmann::json::parse(in);
  std::string text;
  for (const auto& t : j["tokens"]) text += t["text"].get<std::string>();
  CHECK(text ==
        "the\xE2\x90\xA3"
        "cat\xE2\x90\xA3"
        "sat");                    // the BPE's tokens, read with ␣ for spaces
  CHECK(j["tokens"].size() < 11);  // merged tokens, not bytes
  // A model GPT-2 cannot express is refused before training, with the reason.
  const Result no_mlp = run("train --task text --corpus " + kCorpus + " " + kSmall + " --steps 2 --save " +
                            (dir.path / "no_mlp").string() + "/");
  CHECK(no_mlp.code == 2);
  CHECK_THAT(no_mlp.out, Catch::Contains("it has no MLP"));
}

TEST_CASE("train --task text refuses a bad corpus naming it with exit 1 and writes nothing", "[cli]") {
  test_support::TempDir dir;
  const std::string ckpt = (dir.path / "out.npz").string();
  const auto refused = [&](const std::string& corpus) {
    return run("train --task text --corpus " + corpus + " " + kSmall + " --steps 2 --save " + ckpt);
  };
  const std::string empty = write(dir.path / "empty.txt", "");
  const std::string binary = write(dir.path / "b.bin", std::string("\x7F"
                                                                   "ELF\0\0\0\0",
                                                                   8));
  const std::string latin1 = write(dir.path / "l.txt", std::string(300, 'a') + " caf\xE9\n");
  const std::string fifo = (dir.path / "fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string folder = (dir.path / "folder").string();
  fs::create_directory(folder);
  const std::pair<std::string, std::string> cases[] = {
      {empty, "it is empty"},
      {binary, "it looks binary (a NUL byte at offset 4)"},
      {latin1, "it is not UTF-8 text (byte 0xE9 at offset 304)"},
      {fifo, "it is a FIFO, not a file"},
      {folder, "it is a folder, not a file"},
      {(dir.path / "missing.txt").string(), "No such file or directory"},
  };
  for (const auto& [path, why] : cases) {
    const Result r = refused(path);
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK_THAT(r.out, Catch::Contains("attnlab train: corpus " + path + ": " + why));
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);  // one line, no partial output
  }
  CHECK_FALSE(fs::exists(ckpt));
  // A held-out file is checked too.
  const Result h = run("train --task text --corpus " + kCorpus + " --heldout " + empty + " " + kSmall + " --steps 2");
  CHECK(h.code == 1);
  CHECK_THAT(h.out, Catch::Contains("corpus " + empty + ": it is empty"));
}

TEST_CASE("train --task text refuses more context than allowed and flags of other tasks with exit 2", "[cli]") {
  const Result longer = run("train --task text --corpus " + kCorpus + " --seq-len 1025");
  CHECK(longer.code == 2);
  CHECK_THAT(longer.out, Catch::Contains("--seq-len") && Catch::Contains("1024"));
  const Result other = run("train --task induction --corpus " + kCorpus);
  CHECK(other.code == 2);
  CHECK_THAT(other.out, Catch::Contains("are for --task text"));
  const Result both = run("train --task text --corpus " + kCorpus + " --tokenizer gpt2 --vocab 300");
  CHECK(both.code == 2);
  CHECK_THAT(both.out, Catch::Contains("give --tokenizer or --vocab, not both"));
  const Result fraction = run("train --task text --corpus " + kCorpus + " --repeat-fraction 2");
  CHECK(fraction.code == 2);
  CHECK_THAT(fraction.out, Catch::Contains("--repeat-fraction"));
  const Result gpt2_npz =
      run("train --task text --corpus " + kCorpus + " --tokenizer gpt2 --save /tmp/never-written.npz");
  CHECK(gpt2_npz.code == 2);
  CHECK_THAT(gpt2_npz.out, Catch::Contains("a checkpoint carries only a BPE trained by attnlab"));
  CHECK_FALSE(fs::exists("/tmp/never-written.npz"));
}

TEST_CASE("train --task text without a built corpus says how to build it", "[cli]") {
  test_support::TempDir dir;
  const Result r = run("train --task text --steps 1", "ATTNLAB_DATA_DIR=" + dir.path.string());
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("the English corpus is not built (" + dir.path.string() +
                                    "/corpus/english/english-train.txt is missing): run bash bootstrap.sh corpus"));
}

TEST_CASE("the corpus script names a missing package and how to install it and writes nothing", "[cli]") {
  test_support::TempDir dir;
  // An empty PATH: diatheke (the Bible's printer) is then missing.
  fs::create_directory(dir.path / "bin");
  const std::string out = (dir.path / "corpus").string();
  const std::string script = (fs::path(ATTN_TEST_DATA_DIR) / ".." / "assets" / "corpus" / "build_corpus.py").string();
  const std::string cmd = "PATH=" + (dir.path / "bin").string() + " /usr/bin/python3 " + script + " " + out + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string text;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) text += buffer.data();
  const int status = pclose(pipe);
  INFO(text);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(text ==
        "build_corpus: the program diatheke is missing: install the Debian package diatheke "
        "(sudo apt-get install diatheke, or bash bootstrap.sh corpus)\n");
  CHECK_FALSE(fs::exists(out));
}
