// Running the attnlab binary from a test: its exit code and everything it printed.
#pragma once
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include <catch2/catch.hpp>

namespace test_support {

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr together, byte for byte
};

// `attnlab ARGS` through the shell (ARGS may quote); env: "NAME=value ..." set for this run only
// (through env(1)), or empty.
inline Result run(const std::string& args, const std::string& env = "") {
  Result r;
  const std::string cmd = (env.empty() ? "" : "env " + env + " ") + std::string(ATTNLAB_BIN) + " " + args + " 2>&1";
  std::FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace test_support
