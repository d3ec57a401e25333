// libFuzzer entry point for the cli target; the body is app::fuzz::cli (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::cli(data, size);
  return 0;
}
