// How much memory this process holds, for the soak benchmarks that check long use does not grow.
#pragma once
#include <cstddef>

namespace app {

// Resident set size in bytes (/proc/self/statm: pages in RAM times the page size); 0 where
// /proc is not available.
std::size_t resident_bytes();
// The largest resident set this process has had (VmHWM in /proc/self/status); 0 where unknown.
std::size_t peak_resident_bytes();

}  // namespace app
