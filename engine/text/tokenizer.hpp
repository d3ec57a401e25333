// UTF-8 text to tokens with byte spans, so the UI can point back into the text a person typed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/config.hpp"

namespace attn {

inline constexpr std::size_t kDefaultMaxTokens = 256;

struct Token {
  std::string text;       // the token's UTF-8 text ("\xEF\xBF\xBD" = U+FFFD for invalid bytes);
                          // shown to people through token_text() (engine/text/token_text.hpp)
  std::size_t begin = 0;  // byte span [begin, end) in the input text
  std::size_t end = 0;
  bool invalid = false;  // true when the token stands for bytes that were not valid UTF-8
  std::int32_t id = -1;  // the token's id in a vocabulary (gpt2 mode), -1 for word and char
};

struct Tokenization {
  std::vector<Token> tokens;
  std::size_t total_tokens = 0;  // tokens the text would give without the cap
  bool truncated = false;
  std::string message;  // empty, or why the result is not the whole text
};

// Word mode: runs of letters/digits (with combining marks and apostrophes inside words) are one
// token; each punctuation or symbol character is its own token; each CJK ideograph/kana/hangul
// syllable is its own token; emoji (with modifiers, variation selectors and ZWJ sequences) stay
// whole; a vocabulary's special token written as <letters> ("<bos>") stays whole; whitespace
// separates and is never a token. The trained tasks split their inputs with this same rule.
// Char mode: one token per user-perceived character (a code point plus following combining marks,
// or an emoji sequence); whitespace is skipped.
// Invalid UTF-8 becomes one replacement token per bad byte run.
// Gpt2 mode: GPT-2's byte-level BPE (gpt2_tokenizer()); each token's text is its bytes (" the",
// or part of a character), its id is set, and the spans tile the text, spaces included.
// Keeps at most max_tokens tokens; when more exist, truncated is set and message says so.
// Never throws for any input in word and char mode; gpt2 mode throws FileError when GPT-2's
// files cannot be read.
Tokenization tokenize(std::string_view text, TokenizerMode mode, std::size_t max_tokens = kDefaultMaxTokens);

}  // namespace attn
