// mkdir -p with a readable error.
#include "core/output_dir.hpp"

#include <filesystem>
#include <system_error>

#include "engine/weights.hpp"

namespace app {

void ensure_directory(const std::string& dir) {
  std::error_code ec;
  const std::filesystem::path path(dir);
  if (std::filesystem::is_directory(path, ec)) return;
  if (std::filesystem::exists(path, ec))
    throw attn::FileError("cannot write into " + dir + ": it exists and is not a folder");
  std::filesystem::create_directories(path, ec);
  if (ec) throw attn::FileError("cannot create folder " + dir + ": " + ec.message());
}

}  // namespace app
