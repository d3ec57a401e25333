// libFuzzer entry point for the bpe_files target; the body is app::fuzz::bpe_files (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::bpe_files(data, size);
  return 0;
}
