// GPT-2's pre-split: the text is cut into pieces before BPE merges inside each piece, by the
// pattern 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// written out as code over a table of character classes (char_classes_table.inc), because
// std::regex knows no \p{L} and a hand-written matcher can treat invalid UTF-8 as it likes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace attn {

// The four classes the pattern tells apart: \p{L}, \p{N}, \s and everything else.
enum class CharClass : std::uint8_t { Letter, Number, Space, Other };

// The class of a code point, as the Python regex module sees it (the table is generated from it).
CharClass char_class(char32_t cp);

// The end of the piece that starts at byte `begin` (begin < text.size()): the first match of the
// pattern there, as Python's regex (leftmost alternative wins, backtracking) would give. Bytes
// that are not valid UTF-8 count as one "other" character each, so every byte string splits and
// the pieces tile the text exactly (concatenated they give the text back).
std::size_t pre_split_end(std::string_view text, std::size_t begin);

// Calls on_piece(std::string_view piece) for each piece in order.
template <typename F>
void pre_split(std::string_view text, F&& on_piece) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t end = pre_split_end(text, i);
    on_piece(text.substr(i, end - i));
    i = end;
  }
}

}  // namespace attn
