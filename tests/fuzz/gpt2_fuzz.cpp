// libFuzzer entry point for the gpt2 target (safetensors and config.json); the body is
// app::fuzz::gpt2 (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::gpt2(data, size);
  return 0;
}
