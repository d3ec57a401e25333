// Tokenizer: spans point back into the text, scripts split where a reader expects, and no byte
// sequence can make it fail.
#include <catch2/catch.hpp>

#include <random>

#include "engine/text/tokenizer.hpp"

using attn::TokenizerMode;

namespace {

std::vector<std::string> texts(const attn::Tokenization& t) {
  std::vector<std::string> out;
  for (const auto& tok : t.tokens) out.push_back(tok.text);
  return out;
}

void check_spans(std::string_view text, const attn::Tokenization& t) {
  for (const auto& tok : t.tokens) {
    REQUIRE(tok.begin < tok.end);
    REQUIRE(tok.end <= text.size());
    if (!tok.invalid) REQUIRE(tok.text == text.substr(tok.begin, tok.end - tok.begin));
  }
}

}  // namespace

TEST_CASE("words and punctuation are separate tokens with byte spans", "[tokenizer]") {
  const std::string text = "Hello, world!";
  const auto t = attn::tokenize(text, TokenizerMode::Word);
  CHECK(texts(t) == std::vector<std::string>{"Hello", ",", "world", "!"});
  CHECK(t.tokens[0].begin == 0);
  CHECK(t.tokens[0].end == 5);
  CHECK(t.tokens[2].begin == 7);
  CHECK(t.tokens[3].end == 13);
  CHECK_FALSE(t.truncated);
  check_spans(text, t);
}

TEST_CASE("apostrophes inside words keep the word whole", "[tokenizer]") {
  CHECK(texts(attn::tokenize("don't l’amour 'quoted'", TokenizerMode::Word)) ==
        std::vector<std::string>{"don't", "l’amour", "'", "quoted", "'"});
}

TEST_CASE("each CJK character is its own token", "[tokenizer]") {
  const std::string text = "我爱你。日本語とハングル한국";
  const auto t = attn::tokenize(text, TokenizerMode::Word);
  CHECK(texts(t) ==
        std::vector<std::string>{"我", "爱", "你", "。", "日", "本", "語", "と", "ハ", "ン", "グ", "ル", "한", "국"});
  check_spans(text, t);
}

TEST_CASE("emoji stay whole: modifiers, flags and ZWJ families", "[tokenizer]") {
  const std::string text = "I ❤️ 🇫🇷 👩‍👩‍👧 👍🏽!";
  const auto t = attn::tokenize(text, TokenizerMode::Word);
  CHECK(texts(t) == std::vector<std::string>{"I", "❤️", "🇫🇷", "👩‍👩‍👧", "👍🏽", "!"});
  check_spans(text, t);
}

TEST_CASE("accented letters stay in their word, precomposed or combining", "[tokenizer]") {
  const std::string decomposed = "cafe\xCC\x81 nai\xCC\x88ve";  // e + U+0301, i + U+0308
  CHECK(texts(attn::tokenize("café naïve", TokenizerMode::Word)) == std::vector<std::string>{"café", "naïve"});
  CHECK(texts(attn::tokenize(decomposed, TokenizerMode::Word)) ==
        std::vector<std::string>{"cafe\xCC\x81", "nai\xCC\x88ve"});
  CHECK(texts(attn::tokenize("Ελληνικά и русский", TokenizerMode::Word)).size() == 3);
}

TEST_CASE("invalid UTF-8 becomes visible replacement tokens", "[tokenizer]") {
  const std::string text = "\xff\xfe abc \xc3";
  const auto t = attn::tokenize(text, TokenizerMode::Word);
  REQUIRE(t.tokens.size() == 3);
  CHECK(t.tokens[0].invalid);
  CHECK(t.tokens[0].text == "\xEF\xBF\xBD");
  CHECK(t.tokens[0].begin == 0);
  CHECK(t.tokens[0].end == 2);  // one token for the run of two bad bytes
  CHECK(t.tokens[1].text == "abc");
  CHECK(t.tokens[2].invalid);
  CHECK(t.tokens[2].begin == 7);
  CHECK(t.tokens[2].end == 8);
  // Overlong, surrogate and out-of-range forms are invalid too.
  for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82"}) {
    INFO(bad);
    const auto b = attn::tokenize(bad, TokenizerMode::Word);
    REQUIRE_FALSE(b.tokens.empty());
    for (const auto& tok : b.tokens) CHECK(tok.invalid);
  }
}

TEST_CASE("empty and whitespace-only text give zero tokens", "[tokenizer]") {
  CHECK(attn::tokenize("", TokenizerMode::Word).tokens.empty());
  CHECK(attn::tokenize("   \t\n  \xC2\xA0\xE3\x80\x80", TokenizerMode::Word).tokens.empty());
  CHECK(attn::tokenize("  ", TokenizerMode::Char).tokens.empty());
}

TEST_CASE("10,000 words are capped at 256 tokens with a message", "[tokenizer]") {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "word ";
  const auto t = attn::tokenize(text, TokenizerMode::Word);
  CHECK(t.tokens.size() == 256);
  CHECK(t.truncated);
  CHECK(t.total_tokens == 10000);
  CHECK(t.message == "Showing the first 256 of 10000 tokens (the cap is 256)");
  CHECK(attn::tokenize(text, TokenizerMode::Word, 20).tokens.size() == 20);
}

TEST_CASE("character mode: one token per perceived character", "[tokenizer]") {
  const std::string text = "he\xCC\x81llo 🇫🇷";
  const auto t = attn::tokenize(text, TokenizerMode::Char);
  CHECK(texts(t) == std::vector<std::string>{"h", "e\xCC\x81", "l", "l", "o", "🇫🇷"});
  check_spans(text, t);
}

TEST_CASE("random bytes never break the tokenizer", "[tokenizer]") {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 64);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string text;
    const int len = length(rng);
    for (int i = 0; i < len; ++i) text += static_cast<char>(byte(rng));
    for (auto mode : {TokenizerMode::Word, TokenizerMode::Char}) {
      const auto t = attn::tokenize(text, mode);
      check_spans(text, t);
      for (std::size_t i = 1; i < t.tokens.size(); ++i) REQUIRE(t.tokens[i].begin >= t.tokens[i - 1].end);
    }
  }
}

TEST_CASE("a special token written as <letters> stays whole and a lone < stays punctuation", "[tokenizer]") {
  CHECK(texts(attn::tokenize("<bos> K q <unk> a < b <> <3", TokenizerMode::Word)) ==
        std::vector<std::string>{"<bos>", "K", "q", "<unk>", "a", "<", "b", "<", ">", "<", "3"});
}
