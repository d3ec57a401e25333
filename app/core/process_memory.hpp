// How much memory this process holds and how much the machine has left: the soak benchmarks check
// that long use does not grow, and training is refused before it asks for more than is there.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace app {

// Resident set size in bytes (/proc/self/statm: pages in RAM times the page size); 0 where
// /proc is not available.
std::size_t resident_bytes();
// The largest resident set this process has had (VmHWM in /proc/self/status); 0 where unknown.
std::size_t peak_resident_bytes();

// The memory the machine can give a new allocation without swapping: MemAvailable from
// /proc/meminfo, in bytes; nullopt where it cannot be read.
std::optional<std::uint64_t> available_memory_bytes();
// The same from /proc/meminfo's text ("MemAvailable:   20971520 kB"); nullopt without that line.
std::optional<std::uint64_t> parse_mem_available(std::string_view meminfo);

}  // namespace app
