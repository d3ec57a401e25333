// The explorer's GPT-2 tokenizer in the real window: the chips and the axes show the subword
// tokens as token_text makes them ("␣animal"), the same text in both places.
#include <catch2/catch.hpp>

#include <string>

#include "gui/gui_harness.hpp"

TEST_CASE("the GPT-2 tokenizer shows subword tokens with a visible space on chips and axes", "[gui]") {
  const gui_test::Run run = gui_test::run_window("--no-settings --tokenizer gpt2 --text \"The animal didn't cross\"");
  REQUIRE(run.exit_code == 0);
  INFO(run.stderr_text);
  CHECK(run.layout["tokens"] == 5);  // The ␣animal ␣didn 't ␣cross
  CHECK(run.layout["chips"].size() == 5);
  CHECK((!run.layout.contains("error") || run.layout["error"].get<std::string>().empty()));
  const std::string animal =
      "\xE2\x90\xA3"
      "animal";
  int chips = 0, elsewhere = 0;
  for (const auto& t : run.layout["texts"]) {
    if (t["text"] != animal) continue;
    if (t["kind"] == "chip")
      ++chips;
    else
      ++elsewhere;
  }
  CHECK(chips == 1);
  CHECK(elsewhere >= 1);  // an axis or Q/K/V row label
}
