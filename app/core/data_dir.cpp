// The data folder lookup: environment, then the install prefix beside the binary, then the source tree.
#include "core/data_dir.hpp"

#include <cstdlib>
#include <filesystem>

// cmake/install.cmake sets it from the install layout (GNUInstallDirs), so the two cannot drift.
#ifndef ATTN_DATA_FROM_BIN
#error "ATTN_DATA_FROM_BIN (the data folder relative to the installed binary) comes from cmake/install.cmake"
#endif

namespace app {

namespace fs = std::filesystem;

DataDir find_data_dir(const char* env_value, const std::string& exe, const std::string& installed_from_bin,
                      const std::string& source_tree_assets) {
  if (env_value && *env_value) return {env_value, DataDirSource::Environment};
  if (!exe.empty()) {
    // lexically_normal so messages name /usr/share/attnlab, not /usr/bin/../share/attnlab.
    const fs::path installed = (fs::path(exe).parent_path() / installed_from_bin).lexically_normal();
    std::error_code ec;
    if (fs::is_directory(installed, ec)) {
      std::string path = installed.string();
      while (path.size() > 1 && path.back() == '/') path.pop_back();
      return {path, DataDirSource::Installed};
    }
  }
  return {source_tree_assets, DataDirSource::SourceTree};
}

DataDir data_dir() {
  std::error_code ec;
  // /proc/self/exe is the binary itself, whatever the current folder or argv[0] (Linux only;
  // elsewhere it is missing and the source tree is used).
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return find_data_dir(std::getenv("ATTNLAB_DATA_DIR"), ec ? std::string() : exe.string(), ATTN_DATA_FROM_BIN,
                       ATTN_SOURCE_DIR "/assets");
}

}  // namespace app
