// libFuzzer entry point for the bpe_encode target; the body is app::fuzz::bpe_encode (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::bpe_encode(data, size);
  return 0;
}
