// Run-time choice of the float kernels' instruction set (see simd.hpp for why it is ours).
#include "engine/nn/simd.hpp"

#include <cstdlib>
#include <cstring>

namespace attn {

namespace {

SimdLevel detect() {
  // __builtin_cpu_supports also checks that the OS saves the wider registers (XGETBV).
  __builtin_cpu_init();
  SimdLevel best = SimdLevel::Portable;
  if (__builtin_cpu_supports("avx2")) best = SimdLevel::Avx2;
  if (__builtin_cpu_supports("avx512f")) best = SimdLevel::Avx512;
  if (const char* wanted = std::getenv("ATTN_SIMD")) {
    SimdLevel asked = best;
    if (std::strcmp(wanted, "portable") == 0)
      asked = SimdLevel::Portable;
    else if (std::strcmp(wanted, "avx2") == 0)
      asked = SimdLevel::Avx2;
    if (static_cast<int>(asked) < static_cast<int>(best)) best = asked;
  }
  return best;
}

}  // namespace

SimdLevel cpu_simd_level() {
  static const SimdLevel level = detect();
  return level;
}

std::vector<SimdLevel> supported_simd_levels() {
  __builtin_cpu_init();
  std::vector<SimdLevel> levels{SimdLevel::Portable};
  if (__builtin_cpu_supports("avx2")) levels.push_back(SimdLevel::Avx2);
  if (__builtin_cpu_supports("avx512f")) levels.push_back(SimdLevel::Avx512);
  return levels;
}

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::Portable:
      return "portable (x86-64)";
    case SimdLevel::Avx2:
      return "AVX2";
    case SimdLevel::Avx512:
      return "AVX-512";
  }
  return "?";
}

}  // namespace attn
