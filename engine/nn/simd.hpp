// Which instruction set the float kernels (softmax rows, LayerNorm, GELU) run on. The choice is
// made once, at run time, by our own code from the CPU's cpuid bits — not by GCC's target_clones
// ifunc resolvers, which clang 14 did not honour in the fuzz build (AVX-512 code ran on AVX2-only
// CPUs) and which run before ThreadSanitizer's runtime starts. Every build type therefore runs
// only the instructions the CPU has.
#pragma once
#include <vector>

namespace attn {

enum class SimdLevel { Portable, Avx2, Avx512 };

// The best level this CPU and operating system support (read once). ATTN_SIMD=portable|avx2|
// avx512 in the environment lowers it (never raises it past what the CPU has), for comparing
// kernels by hand.
SimdLevel cpu_simd_level();
// Every level this CPU can run, Portable first: what the kernel agreement tests iterate.
std::vector<SimdLevel> supported_simd_levels();
const char* simd_level_name(SimdLevel level);

// The kernel built for `level`, from one function per level.
template <typename Fn>
Fn pick_simd_kernel(SimdLevel level, Fn portable, Fn avx2, Fn avx512) {
  switch (level) {
    case SimdLevel::Portable:
      return portable;
    case SimdLevel::Avx2:
      return avx2;
    case SimdLevel::Avx512:
      return avx512;
  }
  return portable;
}

}  // namespace attn

// Defines NAME_portable, NAME_avx2 and NAME_avx512 from one always-inlined body IMPL, each
// compiled for its instruction set (the body's inline helpers take on the caller's target).
// PARAMS is the parenthesised parameter list, ARGS the parenthesised argument names. The three
// have internal linkage.
#define ATTN_SIMD_VARIANTS(NAME, IMPL, PARAMS, ARGS)                          \
  namespace {                                                                 \
  void NAME##_portable PARAMS { IMPL ARGS; }                                  \
  __attribute__((target("avx2"))) void NAME##_avx2 PARAMS { IMPL ARGS; }      \
  __attribute__((target("avx512f"))) void NAME##_avx512 PARAMS { IMPL ARGS; } \
  }
