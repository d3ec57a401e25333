// The one place that turns a token's bytes into text a person can read. Every label of a token
// (chips, heatmap axes, figures, CSV headers, tokens.json) goes through token_text(), so a BPE
// token looks the same everywhere.
#pragma once
#include <string>
#include <string_view>

namespace attn {

// A token's bytes as readable text:
//   - a space is "␣" (U+2423), so " the" reads "␣the" and a run of spaces can be counted;
//   - a newline is "↵" (U+21B5), a tab "⇥" (U+21E5), a carriage return "␍" (U+240D);
//   - other control bytes (0x00-0x1F, 0x7F) and bytes that are not a whole UTF-8 character (a
//     BPE token can hold part of one: "€" is E2 82 AC and may split as E2 | 82 AC) are "<0xE2>";
//   - everything else (valid UTF-8, letters and emoji of every script) is itself.
// Text without spaces, control bytes or broken UTF-8 (every word- and character-mode token) comes
// back unchanged.
std::string token_text(std::string_view bytes);

// The bytes as hex for a tooltip: "20 74 68 65".
std::string token_bytes_hex(std::string_view bytes);

}  // namespace attn
