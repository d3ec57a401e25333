// The one UTF-8 decoder: every tokenizer and every label reads code points through it, so that
// what counts as valid UTF-8 (and what a bad byte becomes) is decided in one place.
#pragma once
#include <cstddef>
#include <string_view>

namespace attn {

struct Utf8Char {
  char32_t cp = 0;      // the code point; meaningless when !valid
  std::size_t len = 0;  // bytes consumed: 1..4 for a valid character, 1 for a bad byte
  bool valid = false;   // false for a byte that does not start a valid sequence
};

// Decodes the character starting at byte i (i < s.size()). Strict UTF-8: overlong forms,
// surrogates (U+D800..U+DFFF), code points above U+10FFFF and truncated sequences are invalid, and
// an invalid byte always consumes exactly one byte, so every byte belongs to exactly one result.
inline Utf8Char decode_utf8(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1, true};
  std::size_t len = 0;
  char32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1Fu;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0Fu;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07u;
    min = 0x10000;
  } else
    return {0, 1, false};
  if (i + len > s.size()) return {0, 1, false};
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return {0, 1, false};
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {0, 1, false};
  return {cp, len, true};
}

// Appends the UTF-8 encoding of a code point (which must be <= U+10FFFF and not a surrogate).
void append_utf8(std::string& out, char32_t cp);

}  // namespace attn
