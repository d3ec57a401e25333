// libFuzzer entry point for the config_json target; the body is app::fuzz::config_json (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::config_json(data, size);
  return 0;
}
