// libFuzzer entry point for the weights target; the body is app::fuzz::weights (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::weights(data, size);
  return 0;
}
