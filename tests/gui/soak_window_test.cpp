// The training soak (bench-ui --train --minutes M) in the real window: training runs the whole
// time and the memory lines are printed.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <regex>
#include <string>

#include "gui_harness.hpp"

TEST_CASE("bench-ui --train --minutes trains with the window open and prints the memory", "[gui][soak]") {
  gui_test::TempDir dir;
  const std::string base = dir.path.string();
  // 0.05 minutes = 3 s: long enough for frames and steps, short enough for the suite.
  const std::string command = "cd '" + base + "' && env XDG_CONFIG_HOME='" + base + "/config' HOME='" + base +
                              "' ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:detect_leaks=0\" xvfb-run -a -n " +
                              std::to_string(100 + getpid() % 800) +
                              " -s '-screen 0 1600x1000x24' " ATTNLAB_BIN " bench-ui --train --minutes 0.05 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) out += buffer.data();
  const int status = pclose(pipe);
  INFO(out);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(out.find("start minute=0.0 step=0 running=1 rss_kb=") != std::string::npos);
  std::smatch end;
  REQUIRE(
      std::regex_search(out, end, std::regex(R"(end minute=0\.\d step=(\d+) running=1 rss_kb=(\d+) .*frame_ms_p99=)")));
  CHECK(std::stol(end[1]) > 0);  // it trained
  CHECK(std::stol(end[2]) > 0);
  CHECK(out.find("rss_growth_kb=") != std::string::npos);
}
