// libFuzzer entry point for the npz target; the body is app::fuzz::npz (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::npz(data, size);
  return 0;
}
