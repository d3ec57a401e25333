// libFuzzer entry point for the npy target; the body is app::fuzz::npy (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::npy(data, size);
  return 0;
}
