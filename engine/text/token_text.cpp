// Readable token labels: spaces and line breaks as visible symbols, broken UTF-8 as <0xNN>.
#include "engine/text/token_text.hpp"

#include <cstdio>

#include "engine/text/utf8.hpp"

namespace attn {

std::string token_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + 8);
  for (std::size_t i = 0; i < bytes.size();) {
    const Utf8Char c = decode_utf8(bytes, i);
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (c.valid && c.cp == ' ') {
      out += "\u2423";
    } else if (c.valid && c.cp == '\n') {
      out += "\u21B5";
    } else if (c.valid && c.cp == '\t') {
      out += "\u21E5";
    } else if (c.valid && c.cp == '\r') {
      out += "\u240D";
    } else if (!c.valid) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "<0x%02X>", b);
      out += hex;
    } else if (c.cp < 0x20 || c.cp == 0x7F || (c.cp >= 0x80 && c.cp <= 0x9F)) {
      // Control characters (C0, DEL and C1, e.g. U+0080) have no glyph: each byte in hex.
      for (std::size_t k = 0; k < c.len; ++k) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "<0x%02X>", static_cast<unsigned char>(bytes[i + k]));
        out += hex;
      }
    } else {
      out.append(bytes.substr(i, c.len));
    }
    i += c.len;
  }
  return out;
}

std::string token_bytes_hex(std::string_view bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%02X", static_cast<unsigned char>(bytes[i]));
    if (i) out += ' ';
    out += hex;
  }
  return out;
}

}  // namespace attn
