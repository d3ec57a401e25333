// libFuzzer entry point for the checkpoint target; the body is app::fuzz::checkpoint (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::checkpoint(data, size);
  return 0;
}
