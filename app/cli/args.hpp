// A small, strict command-line reader: every argument must be understood, or the command fails
// with exit code 2 and a one-line message.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace app::cli {

// Bad arguments: the message is printed as "attnlab <cmd>: <message>" and the exit code is 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Walks argv once; each parse_* call reads the value that follows the current flag.
class ArgCursor {
 public:
  explicit ArgCursor(std::vector<std::string> args) : m_args(std::move(args)) {}
  bool done() const { return m_pos >= m_args.size(); }
  const std::string& peek() const { return m_args[m_pos]; }
  std::string next_flag() { return m_args[m_pos++]; }
  // The value after `flag`; throws UsageError when it is missing.
  std::string value(std::string_view flag);
  int int_value(std::string_view flag, int lo, int hi);
  std::uint64_t u64_value(std::string_view flag);
  // A real number in a documented form (see parse_real), within [lo, hi] when given.
  float float_value(std::string_view flag);
  float float_value(std::string_view flag, double lo, double hi);

 private:
  std::vector<std::string> m_args;
  std::size_t m_pos = 0;
};

// Exactly one whole number in [lo, hi] ("1,2" or "+5" is an error naming the flag).
int parse_int(std::string_view flag, std::string_view text, int lo, int hi);

// A real number as the README documents them: plain decimal or exponent form ("0.5", "-2",
// "3e-4"); leading or trailing spaces, '+', hex floats, inf and nan are refused as not a number.
// A number outside [lo, hi] is refused naming the range (a tiny 1e-44 included). Without a range,
// anything a float holds.
float parse_real(std::string_view flag, const std::string& text);
float parse_real(std::string_view flag, const std::string& text, double lo, double hi);

// "8,32,128" -> {8, 32, 128}; throws UsageError naming the flag for anything else.
std::vector<int> parse_int_list(std::string_view flag, std::string_view text, int lo, int hi);

}  // namespace app::cli
