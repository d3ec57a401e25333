// attnlab tokenizer as a user runs it: GPT-2's ids with readable tokens, a trained BPE.json that
// encodes and decodes back, and every bad input a one-line message with exit code 1 or 2.
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
#include "engine/file_io.hpp"
#include "engine/text/bpe.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;

namespace {

using test_support::Result;
using test_support::run;

const std::string kCorpus = (fs::path(ATTN_TEST_DATA_DIR) / "fixtures" / "bpe" / "train_corpus.txt").string();

}  // namespace

TEST_CASE("tokenizer encode prints GPT-2's ids and the tokens as people read them", "[cli]") {
  const Result r = run("tokenizer encode --tokenizer gpt2 --text 'Hello my name is'");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out == "15496 616 1438 318\nHello \xE2\x90\xA3my \xE2\x90\xA3name \xE2\x90\xA3is\n");
  // Part of a character (the euro sign cut short) and a newline.
  const Result broken = run("tokenizer encode --tokenizer gpt2 --text \"$(printf 'a\\n\\342\\202')\"");
  INFO(broken.out);
  REQUIRE(broken.code == 0);
  CHECK(broken.out == "64 198 158 224\na \xE2\x86\xB5 <0xE2> <0x82>\n");
  const Result back = run("tokenizer decode --tokenizer gpt2 --ids 15496,616,1438,318");
  CHECK(back.code == 0);
  CHECK(back.out == "Hello my name is");
}

TEST_CASE("tokenizer train writes a BPE.json that encodes, decodes and equals the reference's", "[cli]") {
  test_support::TempDir dir;
  const std::string out = (dir.path / "bpe.json").string();
  const Result r = run("tokenizer train --corpus " + kCorpus + " --vocab 400 --out " + out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("learned 144 merges, vocabulary 400"));
  const attn::Bpe bpe = attn::Bpe::from_json_file(out);
  CHECK(bpe.vocab_size() == 400);
  const Result enc = run("tokenizer encode --tokenizer " + out + " --text 'the cat sat'");
  REQUIRE(enc.code == 0);
  std::string ids;
  for (std::int32_t id : bpe.encode("the cat sat")) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  const Result dec = run("tokenizer decode --tokenizer " + out + " --ids " + ids);
  CHECK(dec.out == "the cat sat");
  // The same corpus given twice learns from twice the counts, deterministically.
  const Result twice = run("tokenizer train --corpus " + kCorpus + " " + kCorpus + " --vocab 300 --out " + out);
  CHECK(twice.code == 0);
  CHECK_THAT(twice.out, Catch::Contains("in 2 files"));
}

TEST_CASE("tokenizer refuses bad corpora, tokenizers and flags with the file and the reason", "[cli]") {
  test_support::TempDir dir;
  const std::string out = (dir.path / "bpe.json").string();
  std::ofstream(dir.path / "empty.txt").close();
  std::ofstream(dir.path / "binary.bin", std::ios::binary) << std::string("PK\0\0\3\4", 6);
  std::ofstream(dir.path / "vocab.json") << "{\"a\": 0, \"a\": 1}";
  std::ofstream(dir.path / "merges.txt") << "#version: 0.2\n";
  REQUIRE(::mkfifo((dir.path / "fifo").c_str(), 0600) == 0);
  struct Case {
    std::string args, message;
    int code;
  };
  const Case cases[] = {
      {"train --corpus " + (dir.path / "empty.txt").string() + " --vocab 300 --out " + out, "empty.txt: it is empty",
       1},
      {"train --corpus " + (dir.path / "binary.bin").string() + " --vocab 300 --out " + out,
       "binary.bin: it looks binary", 1},
      {"train --corpus " + (dir.path / "fifo").string() + " --vocab 300 --out " + out, "fifo: it is a FIFO, not a file",
       1},
      {"train --corpus " + dir.path.string() + " --vocab 300 --out " + out, "it is a folder, not a file", 1},
      {"train --corpus " + kCorpus + " --vocab 256 --out " + out, "--vocab needs whole numbers from 257", 2},
      {"train --corpus " + kCorpus + " --out " + out, "train needs --vocab", 2},
      {"train --vocab 300 --out " + out, "train needs --corpus", 2},
      {"train --corpus --vocab 300", "--corpus needs at least one file", 2},
      {"encode --tokenizer " + dir.path.string() + " --text hi", "vocab.json: the token 'a' is listed twice", 1},
      {"encode --tokenizer " + (dir.path / "fifo").string() + " --text hi", "it is a FIFO", 1},
      {"encode --tokenizer " + kCorpus + " --text hi", "not valid JSON", 1},
      {"encode --tokenizer gpt2", "encode needs --text", 2},
      {"encode --text hi", "encode needs --tokenizer", 2},
      {"decode --tokenizer gpt2 --ids 50257", "50257 is outside the vocabulary (0..50256)", 2},
      {"frobnicate", "unknown tokenizer command 'frobnicate'", 2},
      {"encode --tokenizer gpt2 --text hi --bogus", "unknown flag '--bogus'", 2},
  };
  for (const Case& c : cases) {
    const Result r = run("tokenizer " + c.args);
    INFO(c.args << "\n" << r.out);
    CHECK(r.code == c.code);
    CHECK_THAT(r.out, Catch::Contains(c.message));
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);  // one line
  }
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("The explorer's gpt2 tokens reach the CSV header through token_text", "[cli]") {
  test_support::TempDir dir;
  const std::string out = (dir.path / "head.csv").string();
  const Result r =
      run("export --tokenizer gpt2 --text \"The animal didn't cross\" --heads 2 --d-model 16 "
          "--what head:1 --format csv --out " +
          out);
  INFO(r.out);
  REQUIRE(r.code == 0);
  std::ifstream in(out);
  std::string header;
  std::getline(in, header);
  CHECK(header ==
        "query,The,\xE2\x90\xA3"
        "animal,\xE2\x90\xA3"
        "didn,'t,\xE2\x90\xA3"
        "cross\r");
  // dump's tokens.json: the readable text and GPT-2's id of each token.
  const Result dump =
      run("dump --tokenizer gpt2 --text 'Hi there' --heads 1 --d-model 8 --out " + (dir.path / "dump").string());
  REQUIRE(dump.code == 0);
  const auto tokens = nlohmann::json::parse(attn::read_file((dir.path / "dump" / "tokens.json").string()))["tokens"];
  REQUIRE(tokens.size() == 2);
  CHECK(tokens[0]["id"] == 17250);
  CHECK(tokens[1]["id"] == 612);
  CHECK(tokens[1]["text"] == "\xE2\x90\xA3there");
  CHECK(tokens[1]["start"] == 2);
  const Result bad = run("export --tokenizer bpe --text hi --out " + out);
  CHECK(bad.code == 2);
  CHECK_THAT(bad.out, Catch::Contains("--tokenizer must be word, char or gpt2"));
}
