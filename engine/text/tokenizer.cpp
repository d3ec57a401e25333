// A tokenizer for teaching, not for a real model: it splits where a reader sees units (words,
// punctuation marks, CJK characters, whole emoji) and never fails on any byte sequence.
#include "engine/text/tokenizer.hpp"

#include <algorithm>
#include <cstdint>

#include "engine/text/bpe.hpp"
#include "engine/text/pre_split.hpp"
#include "engine/text/utf8.hpp"

namespace attn {

namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;
const char* const kReplacement = "\xEF\xBF\xBD";  // U+FFFD

struct Decoded {
  char32_t cp;      // kInvalid for a byte that does not start a valid sequence
  std::size_t len;  // bytes consumed (1 for an invalid byte)
};

// The one strict decoder (engine/text/utf8.hpp), with an invalid byte as kInvalid.
Decoded decode(std::string_view s, std::size_t i) {
  const Utf8Char c = decode_utf8(s, i);
  return {c.valid ? c.cp : kInvalid, c.len};
}

struct Range {
  char32_t lo, hi;
};

template <std::size_t N>
bool in(const Range (&table)[N], char32_t c) {
  for (const Range& r : table)
    if (c >= r.lo && c <= r.hi) return true;
  return false;
}

const Range kSpace[] = {{0x09, 0x0D},     {0x20, 0x20},     {0x85, 0x85},     {0xA0, 0xA0},
                        {0x1680, 0x1680}, {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F},
                        {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};

// Marks that belong to the character before them (accents, vowel signs, variation selectors,
// emoji skin tones, tag characters).
const Range kExtend[] = {{0x0300, 0x036F},  {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF},   {0x05C1, 0x05C2},
                         {0x05C4, 0x05C5},  {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F},   {0x0670, 0x0670},
                         {0x06D6, 0x06DC},  {0x06DF, 0x06E4}, {0x0900, 0x0903}, {0x093A, 0x094F},   {0x0951, 0x0957},
                         {0x0962, 0x0963},  {0x0981, 0x0983}, {0x09BC, 0x09D7}, {0x0E31, 0x0E31},   {0x0E34, 0x0E3A},
                         {0x0E47, 0x0E4E},  {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200C, 0x200C},   {0x20D0, 0x20FF},
                         {0x3099, 0x309A},  {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0x1F3FB, 0x1F3FF}, {0xE0020, 0xE007F},
                         {0xE0100, 0xE01EF}};

// Scripts written without spaces between words: one character, one token.
const Range kCjk[] = {{0x3040, 0x309F}, {0x30A0, 0x30FF}, {0x3100, 0x312F},   {0x3400, 0x4DBF},  {0x4E00, 0x9FFF},
                      {0xAC00, 0xD7AF}, {0xF900, 0xFAFF}, {0x20000, 0x2FFFF}, {0x30000, 0x3134F}};

const Range kEmoji[] = {{0x231A, 0x231B},   {0x23E9, 0x23FA},   {0x2600, 0x27BF},  {0x2B05, 0x2B55},
                        {0x1F000, 0x1F1E5}, {0x1F200, 0x1F3FA}, {0x1F400, 0x1FAFF}};
const Range kRegionalIndicator[] = {{0x1F1E6, 0x1F1FF}};

// Punctuation and symbols: each one is a token of its own.
const Range kPunct[] = {{0x21, 0x2F},     {0x3A, 0x40},     {0x5B, 0x5E},     {0x60, 0x60},     {0x7B, 0x7E},
                        {0xA1, 0xA9},     {0xAB, 0xB4},     {0xB6, 0xB9},     {0xBB, 0xBF},     {0xD7, 0xD7},
                        {0xF7, 0xF7},     {0x037E, 0x037E}, {0x0387, 0x0387}, {0x055A, 0x055F}, {0x0589, 0x058A},
                        {0x05BE, 0x05BE}, {0x05C0, 0x05C0}, {0x05C3, 0x05C3}, {0x05F3, 0x05F4}, {0x060C, 0x060D},
                        {0x061B, 0x061F}, {0x066A, 0x066D}, {0x06D4, 0x06D4}, {0x0964, 0x0965}, {0x0E4F, 0x0E4F},
                        {0x0E5A, 0x0E5B}, {0x2010, 0x2027}, {0x2030, 0x205E}, {0x20A0, 0x20C0}, {0x2100, 0x214F},
                        {0x2190, 0x2BFF}, {0x2E00, 0x2E7F}, {0x3001, 0x303F}, {0xFE10, 0xFE19}, {0xFE30, 0xFE6F},
                        {0xFF01, 0xFF0F}, {0xFF1A, 0xFF20}, {0xFF3B, 0xFF40}, {0xFF5B, 0xFF65}};

constexpr char32_t kZwj = 0x200D;

bool is_space(char32_t c) { return in(kSpace, c); }
bool is_extend(char32_t c) { return in(kExtend, c); }
bool is_cjk(char32_t c) { return in(kCjk, c); }
bool is_regional(char32_t c) { return in(kRegionalIndicator, c); }
bool is_emoji(char32_t c) { return in(kEmoji, c) || is_regional(c); }
bool is_punct(char32_t c) { return !is_emoji(c) && in(kPunct, c); }
bool is_apostrophe(char32_t c) { return c == '\'' || c == 0x2019; }
bool is_word(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  return !is_space(c) && !is_extend(c) && !is_cjk(c) && !is_emoji(c) && !is_punct(c) && c != kZwj && c != kInvalid;
}

class Scanner {
 public:
  Scanner(std::string_view text, TokenizerMode mode) : m_s(text), m_mode(mode) {}

  // The next token's span, or false at the end. `invalid` is set for a run of bad bytes.
  bool next(std::size_t& begin, std::size_t& end, bool& invalid) {
    while (m_i < m_s.size()) {
      const Decoded d = decode(m_s, m_i);
      if (d.cp == kInvalid) {  // one token for the whole run of bad bytes
        begin = m_i;
        while (m_i < m_s.size() && decode(m_s, m_i).cp == kInvalid) ++m_i;
        end = m_i;
        invalid = true;
        return true;
      }
      if (is_space(d.cp)) {
        m_i += d.len;
        continue;
      }
      begin = m_i;
      invalid = false;
      m_i += d.len;
      if (is_emoji(d.cp)) {
        emoji_rest(d.cp);
      } else if (m_mode == TokenizerMode::Word && is_word(d.cp)) {
        word_rest();
      } else if (m_mode == TokenizerMode::Word && d.cp == '<' && special_rest()) {
        // "<bos>", "<unk>": a vocabulary's special token stays whole
      } else {
        extends();
      }
      end = m_i;
      return true;
    }
    return false;
  }

 private:
  Decoded peek(std::size_t at) const { return at < m_s.size() ? decode(m_s, at) : Decoded{kInvalid, 0}; }

  void extends() {
    for (Decoded d = peek(m_i); d.len && is_extend(d.cp); d = peek(m_i)) m_i += d.len;
  }

  // After '<': ASCII letters and '>' make a special token such as <bos>; consumes it and returns
  // true, or leaves the '<' alone (a lone "<" or "a < b" stays punctuation).
  bool special_rest() {
    std::size_t j = m_i;
    while (j < m_s.size() && ((m_s[j] >= 'a' && m_s[j] <= 'z') || (m_s[j] >= 'A' && m_s[j] <= 'Z'))) ++j;
    if (j == m_i || j >= m_s.size() || m_s[j] != '>') return false;
    m_i = j + 1;
    return true;
  }

  // Letters, digits, marks, and an apostrophe between letters ("don't", "l’amour").
  void word_rest() {
    for (;;) {
      const Decoded d = peek(m_i);
      if (!d.len) return;
      if (is_word(d.cp) || is_extend(d.cp)) {
        m_i += d.len;
      } else if (is_apostrophe(d.cp) && peek(m_i + d.len).len && is_word(peek(m_i + d.len).cp)) {
        m_i += d.len;
      } else {
        return;
      }
    }
  }

  // Skin tones and variation selectors, ZWJ sequences (👩‍👩‍👧), and flag pairs (🇫🇷).
  void emoji_rest(char32_t first) {
    if (is_regional(first)) {
      const Decoded d = peek(m_i);
      if (d.len && is_regional(d.cp)) m_i += d.len;
      extends();
      return;
    }
    extends();
    for (;;) {
      const Decoded zwj = peek(m_i);
      if (!zwj.len || zwj.cp != kZwj) return;
      const Decoded after = peek(m_i + zwj.len);
      if (!after.len || !is_emoji(after.cp)) {
        m_i += zwj.len;  // a dangling joiner still belongs to the emoji
        return;
      }
      m_i += zwj.len + after.len;
      extends();
    }
  }

  std::string_view m_s;
  TokenizerMode m_mode;
  std::size_t m_i = 0;
};

// GPT-2's tokens with their byte spans: each pre-split piece encodes on its own, so a token's
// span is the running sum of its bytes' lengths.
void tokenize_bpe(std::string_view text, const Bpe& bpe, std::size_t max_tokens, Tokenization& result) {
  std::vector<std::int32_t> ids;
  std::size_t at = 0;
  pre_split(text, [&](std::string_view piece) {
    ids.clear();
    bpe.encode_piece(piece, ids);
    for (std::int32_t id : ids) {
      const std::string& bytes = bpe.token_bytes(id);
      ++result.total_tokens;
      if (result.tokens.size() < max_tokens) {
        Token token;
        token.text = bytes;
        token.begin = at;
        token.end = at + bytes.size();
        token.id = id;
        result.tokens.push_back(std::move(token));
      }
      at += bytes.size();
    }
  });
}

// Word and character mode: the scanner's spans, a replacement character for bad bytes.
void tokenize_scanner(std::string_view text, TokenizerMode mode, std::size_t max_tokens, Tokenization& result) {
  Scanner scanner(text, mode);
  std::size_t begin = 0, end = 0;
  bool invalid = false;
  while (scanner.next(begin, end, invalid)) {
    ++result.total_tokens;
    if (result.tokens.size() >= max_tokens) continue;  // keep counting for the message
    Token token;
    token.text = invalid ? std::string(kReplacement) : std::string(text.substr(begin, end - begin));
    token.begin = begin;
    token.end = end;
    token.invalid = invalid;
    result.tokens.push_back(std::move(token));
  }
}

}  // namespace

Tokenization tokenize(std::string_view text, TokenizerMode mode, std::size_t max_tokens) {
  Tokenization result;
  switch (mode) {
    case TokenizerMode::Gpt2:
      tokenize_bpe(text, gpt2_tokenizer(), max_tokens, result);
      break;
    case TokenizerMode::Word:
    case TokenizerMode::Char:
      tokenize_scanner(text, mode, max_tokens, result);
      break;
  }
  if (result.total_tokens > result.tokens.size()) {
    result.truncated = true;
    result.message = "Showing the first " + std::to_string(result.tokens.size()) + " of " +
                     std::to_string(result.total_tokens) + " tokens (the cap is " + std::to_string(max_tokens) + ")";
  }
  return result;
}

}  // namespace attn
