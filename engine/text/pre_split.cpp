// The pre-split pattern as a hand-written matcher: each alternative of the regex is one step
// below, tried in the pattern's order, so that the first one that matches wins as in Python.
#include "engine/text/pre_split.hpp"

#include <algorithm>
#include <array>

#include "engine/text/utf8.hpp"

namespace attn {

namespace {

struct ClassRange {
  char32_t first, last;
  CharClass cls;
};

// Sorted, non-overlapping runs of the three named classes; a code point in none is Other.
constexpr ClassRange kRanges[] = {
#include "engine/text/char_classes_table.inc"
};

constexpr std::array<CharClass, 128> ascii_classes() {
  std::array<CharClass, 128> t{};
  for (char32_t c = 0; c < 128; ++c) {
    CharClass cls = CharClass::Other;
    for (const ClassRange& r : kRanges)
      if (c >= r.first && c <= r.last) cls = r.cls;
    t[c] = cls;
  }
  return t;
}
constexpr std::array<CharClass, 128> kAscii = ascii_classes();

struct Unit {
  CharClass cls;
  std::size_t len;
};

// One character (or one invalid byte, which is Other) at byte i < text.size().
Unit unit_at(std::string_view text, std::size_t i) {
  const auto b = static_cast<unsigned char>(text[i]);
  if (b < 0x80) return {kAscii[b], 1};
  const Utf8Char c = decode_utf8(text, i);
  return {c.valid ? char_class(c.cp) : CharClass::Other, c.len};
}

// The end of the run of characters of class cls that starts at byte i.
std::size_t run_end(std::string_view text, std::size_t i, CharClass cls) {
  while (i < text.size()) {
    const Unit u = unit_at(text, i);
    if (u.cls != cls) break;
    i += u.len;
  }
  return i;
}

}  // namespace

CharClass char_class(char32_t cp) {
  if (cp < 128) return kAscii[cp];
  const ClassRange* end = std::end(kRanges);
  const ClassRange* r = std::upper_bound(std::begin(kRanges), end, cp,
                                         [](char32_t c, const ClassRange& range) { return c < range.first; });
  if (r == std::begin(kRanges)) return CharClass::Other;
  --r;
  return cp <= r->last ? r->cls : CharClass::Other;
}

std::size_t pre_split_end(std::string_view text, std::size_t begin) {
  const std::size_t n = text.size();
  // 1. 's|'t|'re|'ve|'m|'ll|'d : case-sensitive, ASCII apostrophe only, as GPT-2's pattern.
  if (text[begin] == '\'' && begin + 1 < n) {
    const char c = text[begin + 1];
    if (c == 's' || c == 't' || c == 'm' || c == 'd') return begin + 2;
    if (begin + 2 < n) {
      const char c2 = text[begin + 2];
      if ((c == 'r' && c2 == 'e') || (c == 'v' && c2 == 'e') || (c == 'l' && c2 == 'l')) return begin + 3;
    }
  }
  // 2-4.  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+ : one optional U+0020, then a run of one class.
  //       The space only joins when a letter, number or other character follows it.
  const Unit first = unit_at(text, begin);
  if (text[begin] == ' ' && begin + 1 < n) {
    const Unit next = unit_at(text, begin + 1);
    if (next.cls != CharClass::Space) return run_end(text, begin + 1, next.cls);
  }
  if (first.cls != CharClass::Space) return run_end(text, begin, first.cls);
  // 5. \s+(?!\S) : the whole run of white space when it reaches the end of the text; otherwise
  //    backtracking gives back its last character (which then starts the next piece, e.g. " the"),
  //    which needs a run of at least two characters.
  std::size_t end = begin, last = begin;
  while (end < n) {
    const Unit u = unit_at(text, end);
    if (u.cls != CharClass::Space) break;
    last = end;
    end += u.len;
  }
  if (end == n) return end;
  if (last > begin) return last;
  // 6. \s+ : a single white-space character before a non-space.
  return end;
}

}  // namespace attn
