// Strict parsing of flag values: a typo is reported, never silently read as 0.
#include "cli/args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace app::cli {

std::string ArgCursor::value(std::string_view flag) {
  if (done()) throw UsageError(std::string(flag) + " needs a value");
  return m_args[m_pos++];
}

namespace {
// Plain digits only (a leading '-' where negatives are allowed): "+5", " 5" and "5 " are typos
// strtol would quietly accept.
bool plain_digits(const std::string& s, bool allow_minus) {
  std::size_t i = allow_minus && !s.empty() && s[0] == '-' ? 1 : 0;
  if (i >= s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}
}  // namespace

int ArgCursor::int_value(std::string_view flag, int lo, int hi) {
  const std::string text = value(flag);
  return parse_int(flag, text, lo, hi);
}

int parse_int(std::string_view flag, std::string_view text, int lo, int hi) {
  const std::vector<int> values = parse_int_list(flag, text, lo, hi);
  if (values.size() != 1)
    throw UsageError(std::string(flag) + " needs one whole number from " + std::to_string(lo) + " to " +
                     std::to_string(hi) + ", got '" + std::string(text) + "'");
  return values[0];
}

std::uint64_t ArgCursor::u64_value(std::string_view flag) {
  const std::string text = value(flag);
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (!plain_digits(text, false) || *end != '\0' || errno == ERANGE)
    throw UsageError(std::string(flag) + " needs a whole number >= 0, got '" + text + "'");
  return v;
}

float ArgCursor::float_value(std::string_view flag) {
  const std::string text = value(flag);
  char* end = nullptr;
  errno = 0;
  const float v = std::strtof(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    throw UsageError(std::string(flag) + " needs a number, got '" + text + "'");
  return v;
}

std::vector<int> parse_int_list(std::string_view flag, std::string_view text, int lo, int hi) {
  std::vector<int> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item(text.substr(start, comma - start));
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(item.c_str(), &end, 10);
    if (!plain_digits(item, lo < 0) || *end != '\0' || errno == ERANGE || v < lo || v > hi)
      throw UsageError(std::string(flag) + " needs whole numbers from " + std::to_string(lo) +
                       " to " + std::to_string(hi) + ", got '" + std::string(text) + "'");
    values.push_back(static_cast<int>(v));
    start = comma + 1;
  }
  return values;
}

}  // namespace app::cli
