// libFuzzer entry point for the session target; the body is app::fuzz::session (harnesses.cpp).
#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  app::fuzz::session(data, size);
  return 0;
}
