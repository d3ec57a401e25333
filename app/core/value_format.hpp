// How the step-through writes its numbers, in the window and in figures alike: four significant
// digits, and long vectors as their first and last entries.
#pragma once
#include <cstddef>
#include <string>

namespace app {

std::string format_short(float v);  // "%.4g": 0.05294, -5.88, 1.451e+04
// "[a, b, c, d, …, y, z]  (n values)" for n > 8, else every entry.
std::string format_vector(const float* v, std::size_t n);

}  // namespace app
