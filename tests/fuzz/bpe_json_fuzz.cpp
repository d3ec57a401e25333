// libFuzzer entry point for the bpe_json target; the body is app::fuzz::bpe_json (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::bpe_json(data, size);
  return 0;
}
