// libFuzzer entry point for the tokenizer target; the body is app::fuzz::tokenizer (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::tokenizer(data, size);
  return 0;
}
