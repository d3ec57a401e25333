// The one overflow rule (see finite_check.hpp).
#include "engine/finite_check.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace attn {

void require_finite_result(const float* values, std::size_t n, const char* what) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(values[i]))
      throw std::invalid_argument(std::string("the weights are so large that the ") + what +
                                  " overflow (not finite numbers): there is no true picture to draw; scale the "
                                  "weights down");
}

}  // namespace attn
