// Byte-level BPE against its outside oracle (tests/make_bpe_fixtures.py: GPT-2's encoder.py and a
// Python trainer with the same tie rule), its slow readable twin, and every kind of bad file.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "engine/file_io.hpp"
#include "engine/text/bpe.hpp"
#include "engine/text/bpe_train.hpp"
#include "engine/text/pre_split.hpp"
#include "engine/text/token_text.hpp"
#include "engine/text/tokenizer.hpp"
#include "engine/text/utf8.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using attn::Bpe;

namespace {

const fs::path kFixtures = fs::path(ATTN_TEST_DATA_DIR) / "fixtures" / "bpe";
const fs::path kGpt2 = fs::path(ATTN_TEST_DATA_DIR).parent_path() / "assets" / "tokenizers" / "gpt2";

const Bpe& gpt2() {
  static const Bpe bpe = Bpe::from_gpt2_files((kGpt2 / "vocab.json").string(), (kGpt2 / "merges.txt").string());
  return bpe;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

std::vector<std::string> pieces_of(std::string_view text) {
  std::vector<std::string> out;
  attn::pre_split(text, [&](std::string_view p) { out.emplace_back(p); });
  return out;
}

// A tiny GPT-2-format vocabulary: the 256 byte characters (ids 0..255 in byte order) and extra
// tokens after them, written with GPT-2's byte characters.
std::string byte_token(unsigned char b) {
  std::string s;
  attn::append_utf8(s, attn::gpt2_byte_char(b));
  return s;
}
std::string tiny_vocab(const std::vector<std::string>& extra) {
  nlohmann::json j = nlohmann::json::object();
  for (int b = 0; b < 256; ++b) j[byte_token(static_cast<unsigned char>(b))] = b;
  int id = 256;
  for (const std::string& t : extra) j[t] = id++;
  return j.dump();
}

std::string load_error(const std::string& vocab, const std::string& merges) {
  try {
    Bpe::from_gpt2_bytes(vocab, merges, "vocab.json", "merges.txt");
  } catch (const attn::FileError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("GPT-2's files give GPT-2's ids for 'Hello my name is'") {
  CHECK(gpt2().vocab_size() == 50257);
  CHECK(gpt2().n_merges() == 50000);
  CHECK(gpt2().encode("Hello my name is") == std::vector<std::int32_t>{15496, 616, 1438, 318});
  CHECK(gpt2().decode({15496, 616, 1438, 318}) == "Hello my name is");
  CHECK(gpt2().token_bytes(50256) == "<|endoftext|>");
}

TEST_CASE("GPT-2 ids equal the Python reference for every fixture string") {
  const auto cases = nlohmann::json::parse(slurp(kFixtures / "gpt2_cases.json"));
  REQUIRE(cases.size() >= 200);
  int mismatches = 0;
  for (const auto& c : cases) {
    const std::string text = from_hex(c["hex"].get<std::string>());
    const auto expected = c["ids"].get<std::vector<std::int32_t>>();
    const auto ids = gpt2().encode(text);
    if (ids != expected && ++mismatches <= 5) {
      std::string got, want;
      for (auto id : ids) got += std::to_string(id) + " ";
      for (auto id : expected) want += std::to_string(id) + " ";
      FAIL_CHECK("text '" << attn::token_text(text) << "' gave " << got << "but the reference gives " << want);
    }
    CHECK(gpt2().decode(ids) == text);
  }
  CHECK(mismatches == 0);
}

TEST_CASE("The pre-split follows GPT-2's pattern alternative by alternative") {
  using V = std::vector<std::string>;
  CHECK(pieces_of("Hello  world") == V{"Hello", " ", " world"});
  CHECK(pieces_of("I'm here's") == V{"I", "'m", " here", "'s"});
  CHECK(pieces_of("DON'T") == V{"DON", "'", "T"});  // contractions are lower case only
  CHECK(pieces_of("a\n\nb") == V{"a", "\n", "\n", "b"});
  CHECK(pieces_of("a  \n  b") == V{"a", "  \n ", " b"});
  CHECK(pieces_of("x   ") == V{"x", "   "});
  CHECK(pieces_of("abc123 45!?") == V{"abc", "123", " 45", "!?"});
  CHECK(pieces_of("\xFF\xFEok") == V{"\xFF\xFE", "ok"});  // bad bytes are "other"
  CHECK(attn::char_class(U'Ж') == attn::CharClass::Letter);
  CHECK(attn::char_class(U'٣') == attn::CharClass::Number);
  CHECK(attn::char_class(0x3000) == attn::CharClass::Space);
  CHECK(attn::char_class(U'😀') == attn::CharClass::Other);
}

TEST_CASE("decode(encode(s)) == s for random bytes, and the pieces tile the text") {
  std::mt19937 rng(19);
  for (int round = 0; round < 300; ++round) {
    std::string s(rng() % 200, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? 0x20 : rng() % 256);
    std::string joined;
    for (const std::string& p : pieces_of(s)) {
      CHECK(!p.empty());
      joined += p;
    }
    CHECK(joined == s);
    CHECK(gpt2().decode(gpt2().encode(s)) == s);
  }
}

TEST_CASE("The fast merge equals encoder.py's loop on long pieces") {
  std::mt19937 rng(7);
  const std::string alphabet[] = {"a", "b", "e", "t", "h", "in", "er", "é", "ж", "中", "1", "0", "!"};
  for (int round = 0; round < 60; ++round) {
    std::string piece;
    const std::size_t n = 65 + rng() % 400;
    while (piece.size() < n) piece += alphabet[rng() % (sizeof alphabet / sizeof alphabet[0])];
    std::vector<std::int32_t> fast;
    gpt2().encode_piece(piece, fast);
    CHECK(fast == gpt2().encode_piece_reference(piece));
  }
  std::vector<std::int32_t> fast;
  const std::string run(1000, 'a');
  gpt2().encode_piece(run, fast);
  CHECK(fast == gpt2().encode_piece_reference(run));
}

TEST_CASE("Training learns the Python reference's merges from the fixture corpus") {
  const auto expected = nlohmann::json::parse(slurp(kFixtures / "trained_400.json"));
  attn::PieceCounts counts;
  counts.add_file((kFixtures / "train_corpus.txt").string());
  const attn::BpeTrainResult trained = attn::train_bpe(counts, 400);
  const auto& merges = trained.bpe.merges();
  REQUIRE(merges.size() == expected["merges"].size());
  for (std::size_t i = 0; i < merges.size(); ++i) {
    INFO("merge " << i);
    CHECK(merges[i].left == expected["merges"][i][0].get<int>());
    CHECK(merges[i].right == expected["merges"][i][1].get<int>());
  }
  for (const auto& sample : expected["samples"]) {
    const std::string text = from_hex(sample["hex"].get<std::string>());
    CHECK(trained.bpe.encode(text) == sample["ids"].get<std::vector<std::int32_t>>());
    CHECK(trained.bpe.decode(trained.bpe.encode(text)) == text);
  }
  // The same corpus twice gives the same merges (the tie rule, not hash order, decides).
  CHECK(attn::train_bpe(counts, 400).bpe.to_json() == trained.bpe.to_json());
}

TEST_CASE("A streamed corpus counts the same pieces as the whole text") {
  test_support::TempDir dir;
  std::string text;
  std::mt19937 rng(3);
  const char* words[] = {"the ", "cat  ", "\n", "  \n  ", "it's ", "42 ", "ж ", "\t", "!!", "\n\n", "x"};
  while (text.size() < 3 * 1024 * 1024 + 17) text += words[rng() % (sizeof words / sizeof words[0])];
  const fs::path path = dir.path / "corpus.txt";
  std::ofstream(path, std::ios::binary) << text;
  attn::PieceCounts streamed, whole;
  streamed.add_file(path.string());
  whole.add_text(text);
  CHECK(streamed.bytes() == text.size());
  CHECK(streamed.pieces() == whole.pieces());
  CHECK(streamed.counts() == whole.counts());
}

TEST_CASE("A huge corpus file is counted over its first max_bytes only") {
  test_support::TempDir dir;
  std::string text;
  for (int i = 0; text.size() < 3 * 1024 * 1024; ++i) text += "line " + std::to_string(i) + " of the text\n";
  const fs::path path = dir.path / "corpus.txt";
  std::ofstream(path, std::ios::binary) << text;
  const std::size_t limit = 1024 * 1024 + 123;  // not a block multiple, cut mid-line
  attn::PieceCounts part;
  part.add_file(path.string(), limit);
  CHECK(part.bytes() == limit);
  attn::PieceCounts whole;
  whole.add_file(path.string());
  CHECK(whole.bytes() == text.size());
  CHECK(part.pieces() < whole.pieces() / 2);
  CHECK(part.counts().count(" 100000") == 0);  // a line number from past the first MiB
  CHECK(whole.counts().count(" 100000") == 1);
}

TEST_CASE("A corpus of one 17 MiB line streams in bounded pieces and counts the same") {
  test_support::TempDir dir;
  std::string line;
  const char* words[] = {"alpha ", "beta ", "gamma  ", "42 ", "it's "};
  for (std::size_t i = 0; line.size() < 17u * 1024 * 1024; ++i) line += words[i % 5];
  const fs::path path = dir.path / "one_line.txt";
  std::ofstream(path, std::ios::binary) << line;
  attn::PieceCounts streamed, whole;
  streamed.add_file(path.string());
  whole.add_text(line);
  CHECK(streamed.pieces() == whole.pieces());
  CHECK(streamed.counts() == whole.counts());
}

TEST_CASE("A trained BPE.json reads back the same, and its problems are named") {
  attn::PieceCounts counts;
  counts.add_text("low lower lowest newer newest wider widest low low");
  const Bpe bpe = attn::train_bpe(counts, 270).bpe;
  const Bpe back = Bpe::from_json(bpe.to_json(), "BPE.json");
  CHECK(back.to_json() == bpe.to_json());
  CHECK(back.encode("lowest newest") == bpe.encode("lowest newest"));
  const auto err = [](const std::string& text) {
    try {
      Bpe::from_json(text, "BPE.json");
    } catch (const attn::FileError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK_THAT(err(""), Catch::Contains("BPE.json: not valid JSON") && Catch::Contains("empty"));
  CHECK_THAT(err(bpe.to_json().substr(0, 40)), Catch::Contains("truncated"));
  CHECK_THAT(err("{\"format\":\"x\"}"), Catch::Contains("not an attnlab BPE tokenizer"));
  CHECK_THAT(err(R"({"format":"attnlab-bpe","version":1,"pre_split":"gpt2","vocab_size":258,"merges":[[1,2]]})"),
             Catch::Contains("is 258 but 256 bytes and 1 merges make 257"));
  CHECK_THAT(err(R"({"format":"attnlab-bpe","version":1,"pre_split":"gpt2","vocab_size":257,"merges":[[1,300]]})"),
             Catch::Contains("merge 0 ([1,300]) must be [left, right], two ids below 256"));
  CHECK_THAT(err(R"({"format":"attnlab-bpe","version":1,"pre_split":"gpt2","vocab_size":258,"merges":[[1,2],[1,2]]})"),
             Catch::Contains("merge 1 [1,2] is listed twice"));
  CHECK_THROWS_AS(attn::train_bpe(counts, 256), std::invalid_argument);
}

TEST_CASE("Bad vocab.json and merges.txt are named with what is wrong") {
  const std::string ab = byte_token('a') + byte_token('b');
  const std::string good_vocab = tiny_vocab({ab});
  const std::string good_merges = "#version: 0.2\na b\n";
  REQUIRE(load_error(good_vocab, good_merges) == "(no error)");
  CHECK(Bpe::from_gpt2_bytes(good_vocab, good_merges, "v", "m").encode("abab") == std::vector<std::int32_t>{256, 256});

  CHECK_THAT(load_error("", good_merges), Catch::Contains("vocab.json: not valid JSON") && Catch::Contains("empty"));
  CHECK_THAT(load_error(good_vocab.substr(0, good_vocab.size() / 2), good_merges),
             Catch::Contains("vocab.json: not valid JSON") && Catch::Contains("truncated"));
  CHECK_THAT(load_error("[1, 2]", good_merges), Catch::Contains("vocab.json: must be one JSON object"));
  std::string dup_key = good_vocab;
  dup_key.insert(1, "\"a\": 5, ");
  CHECK_THAT(load_error(dup_key, good_merges), Catch::Contains("vocab.json: the token 'a' is listed twice"));
  auto j = nlohmann::json::parse(good_vocab);
  j[ab] = 7;
  CHECK_THAT(load_error(j.dump(), good_merges), Catch::Contains("id 7 is given to two tokens"));
  j[ab] = 300;
  CHECK_THAT(load_error(j.dump(), good_merges),
             Catch::Contains("(300) is outside 0..256") && Catch::Contains("missing"));
  j[ab] = "x";
  CHECK_THAT(load_error(j.dump(), good_merges), Catch::Contains("must be a whole number"));
  auto no_byte = nlohmann::json::parse(tiny_vocab({}));
  no_byte.erase(byte_token('z'));
  no_byte[ab] = static_cast<int>('z');
  CHECK_THAT(load_error(no_byte.dump(), good_merges), Catch::Contains("no token for the byte 0x7A"));
  auto odd_char = nlohmann::json::parse(good_vocab);
  odd_char.erase(ab);
  odd_char["\xE2\x82\xAC"] = 256;
  CHECK_THAT(load_error(odd_char.dump(), good_merges), Catch::Contains("not one of GPT-2's 256 byte characters"));

  CHECK_THAT(load_error(good_vocab, ""), Catch::Contains("merges.txt: line 1: the file is empty"));
  CHECK_THAT(load_error(good_vocab, "#version: 0.2\n"), Catch::Contains("no merges"));
  CHECK_THAT(load_error(good_vocab, "#version: 0.2\na b c\n"), Catch::Contains("line 2: expected two tokens"));
  CHECK_THAT(load_error(good_vocab, "#version: 0.2\nab\n"), Catch::Contains("line 2: expected two tokens"));
  CHECK_THAT(load_error(good_vocab, "#version: 0.2\na q\n"),
             Catch::Contains("line 2: the merge makes 'aq', which is not in vocab.json"));
  CHECK_THAT(load_error(good_vocab, "#version: 0.2\na " + ab + "\n"), Catch::Contains("makes"));
  CHECK_THAT(load_error(good_vocab, "#version: 0.2\na \xE2\x82\xAC\n"),
             Catch::Contains("line 2: the merge names '\xE2\x82\xAC', which is not in vocab.json"));
  CHECK_THAT(load_error(good_vocab, "#version: 0.2\na b\na b\n"),
             Catch::Contains("line 3: the merge 'a b' is listed twice"));
  CHECK_THAT(load_error(good_vocab, "#version: 0.2\n\na b\n"),
             Catch::Contains("line 2: an empty line before more merges"));
  CHECK_THAT(load_error(good_vocab, "#version: 0.2\n" + std::string(200000, 'a') + "\n"),
             Catch::Contains("line 2: the line is 200000 bytes long"));
  CHECK(load_error(good_vocab, "#version: 0.2\r\na b\r\n") == "(no error)");
}

TEST_CASE("Tokenizer files that are folders, FIFOs or too large are refused by name") {
  test_support::TempDir dir;
  const std::string vocab = (dir.path / "vocab.json").string(), merges = (dir.path / "merges.txt").string();
  fs::create_directory(vocab);
  std::ofstream(merges) << "#version: 0.2\n";
  const auto message = [&] {
    try {
      Bpe::from_gpt2_files(vocab, merges);
    } catch (const attn::FileError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK_THAT(message(), Catch::Contains(vocab) && Catch::Contains("a folder"));
  fs::remove(vocab);
  REQUIRE(::mkfifo(vocab.c_str(), 0600) == 0);
  CHECK_THAT(message(), Catch::Contains(vocab) && Catch::Contains("a FIFO"));
  fs::remove(vocab);
  std::ofstream(vocab) << tiny_vocab({});
  fs::resize_file(merges, attn::kMaxTokenizerFileBytes + 1);
  CHECK_THAT(message(), Catch::Contains(merges) && Catch::Contains("larger than"));
}

TEST_CASE("A corpus that is empty, binary, a folder or a FIFO is refused by name") {
  test_support::TempDir dir;
  const auto message = [](const fs::path& p) {
    attn::PieceCounts counts;
    try {
      counts.add_file(p.string());
    } catch (const attn::FileError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  std::ofstream(dir.path / "empty.txt").close();
  CHECK_THAT(message(dir.path / "empty.txt"), Catch::Contains("empty.txt: it is empty"));
  std::ofstream(dir.path / "nul.bin", std::ios::binary) << std::string("text\0more", 9);
  CHECK_THAT(message(dir.path / "nul.bin"), Catch::Contains("nul.bin: it looks binary (a NUL byte at offset 4)"));
  std::string noise(4096, '\0');
  std::mt19937 rng(1);
  for (char& c : noise) c = static_cast<char>(0x80 + rng() % 0x7F);
  std::ofstream(dir.path / "noise.bin", std::ios::binary) << noise;
  CHECK_THAT(message(dir.path / "noise.bin"),
             Catch::Contains("noise.bin: it looks binary") && Catch::Contains("not UTF-8"));
  CHECK_THAT(message(dir.path), Catch::Contains("a folder"));
  REQUIRE(::mkfifo((dir.path / "fifo").c_str(), 0600) == 0);
  CHECK_THAT(message(dir.path / "fifo"), Catch::Contains("fifo: it is a FIFO"));
  CHECK_THAT(message(dir.path / "missing.txt"), Catch::Contains("missing.txt: No such file"));
}

TEST_CASE("Token text shows spaces, line breaks and broken UTF-8 readably, and words unchanged") {
  CHECK(attn::token_text(" the") == "\u2423the");
  CHECK(attn::token_text("  ") == "\u2423\u2423");
  CHECK(attn::token_text("\n\t\r") == "\u21B5\u21E5\u240D");
  CHECK(attn::token_text("\xE2") == "<0xE2>");
  CHECK(attn::token_text("\x82\xAC") == "<0x82><0xAC>");
  CHECK(attn::token_text("\xE2\x82\xAC") == "\xE2\x82\xAC");
  CHECK(attn::token_text(std::string("\0", 1)) == "<0x00>");
  CHECK(attn::token_text("a\xC2\x85"
                         "b") == "a<0xC2><0x85>b");  // a C1 control has no glyph either
  for (const char* word : {"tired", "didn't", "我", "🙂", "l’amour", "\xEF\xBF\xBD", "."})
    CHECK(attn::token_text(word) == word);
  CHECK(attn::token_bytes_hex(" th") == "20 74 68");
  // Every GPT-2 token reads as something, and the readable text of " the" is what a person sees.
  CHECK(attn::token_text(gpt2().token_bytes(262)) == "\u2423the");
}

TEST_CASE("The explorer's gpt2 mode gives GPT-2's tokens with ids and spans that tile the text") {
  attn::set_gpt2_folder((fs::path(ATTN_TEST_DATA_DIR) / "no-such-folder").string());
  CHECK_THROWS_AS(attn::tokenize("hi", attn::TokenizerMode::Gpt2), attn::FileError);
  attn::set_gpt2_folder(kGpt2.string());
  const std::string text = "Hello my name is  \xE2\x82\xAC\xFF";
  const attn::Tokenization t = attn::tokenize(text, attn::TokenizerMode::Gpt2);
  std::vector<std::int32_t> ids;
  std::size_t at = 0;
  for (const attn::Token& token : t.tokens) {
    CHECK(token.begin == at);
    CHECK(text.substr(token.begin, token.end - token.begin) == token.text);
    ids.push_back(token.id);
    at = token.end;
  }
  CHECK(at == text.size());
  CHECK(ids == gpt2().encode(text));
  CHECK(attn::token_text(t.tokens[1].text) == "\u2423my");
  const attn::Tokenization capped = attn::tokenize(text, attn::TokenizerMode::Gpt2, 2);
  CHECK(capped.tokens.size() == 2);
  CHECK(capped.total_tokens == t.tokens.size());
  CHECK(capped.truncated);
  CHECK(attn::parse_tokenizer_mode("gpt2") == attn::TokenizerMode::Gpt2);
  CHECK(attn::to_string(attn::TokenizerMode::Gpt2) == "gpt2");
}
