// Strict parsing of flag values: a typo is reported, never silently read as 0.
#include "cli/args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

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

float ArgCursor::float_value(std::string_view flag) { return parse_real(flag, value(flag)); }

float ArgCursor::float_value(std::string_view flag, double lo, double hi) {
  return parse_real(flag, value(flag), lo, hi);
}

namespace {

// The forms the README documents: an optional '-', digits with at most one '.', at least one
// digit, then optionally e or E, an optional sign and digits ("0.5", ".5", "3e-4", "-2E+3").
// strtod alone would also take " 0.5", "+0.5", "0x1p-2", "inf" and "nan".
bool plain_real(const std::string& s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  bool digits = false, point = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9')
      digits = true;
    else if (s[i] == '.' && !point)
      point = true;
    else
      break;
  }
  if (!digits) return false;
  if (i == s.size()) return true;
  if (s[i] != 'e' && s[i] != 'E') return false;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i >= s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::string g(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

float parse_real(std::string_view flag, const std::string& text) {
  return parse_real(flag, text, -static_cast<double>(std::numeric_limits<float>::max()),
                    static_cast<double>(std::numeric_limits<float>::max()));
}

float parse_real(std::string_view flag, const std::string& text, double lo, double hi) {
  if (!plain_real(text))
    throw UsageError(std::string(flag) + " needs a number such as 0.5 or 3e-4, got '" + text + "'");
  // In double first: a value float cannot hold (1e-44, 1e39) is then out of the flag's range,
  // not "not a number". Past double's range strtod says ERANGE; the value it returns (0 or
  // HUGE_VAL) is then just as far outside the range.
  const double v = std::strtod(text.c_str(), nullptr);
  if (!(v >= lo && v <= hi))
    throw UsageError(std::string(flag) + " must be from " + g(lo) + " to " + g(hi) + ", got " + text);
  return static_cast<float>(v);
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
      throw UsageError(std::string(flag) + " needs whole numbers from " + std::to_string(lo) + " to " +
                       std::to_string(hi) + ", got '" + std::string(text) + "'");
    values.push_back(static_cast<int>(v));
    start = comma + 1;
  }
  return values;
}

}  // namespace app::cli
