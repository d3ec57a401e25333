// mkdir -p with a readable error, and the checks an output file passes before a long job.
#include "core/output_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
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

void check_output_file(const std::string& path) {
  const auto fail = [&](const std::string& why) { throw attn::FileError("cannot write '" + path + "': " + why); };
  if (path.empty()) throw attn::FileError("cannot write a file with an empty name");
  if (path.back() == '/') fail("the name ends in '/', which names a folder");
  if (path.size() >= PATH_MAX)
    fail("the path is " + std::to_string(path.size()) + " bytes, more than " + std::to_string(PATH_MAX - 1));
  for (std::size_t start = 0; start < path.size();) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end - start > NAME_MAX)
      fail("a name in it is " + std::to_string(end - start) + " bytes long, more than the " + std::to_string(NAME_MAX) +
           " a file name may have");
    start = end + 1;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    fail(std::string("it exists and is ") + attn::file_kind_name(st.st_mode) + ", which is never replaced");
  struct stat lst {};
  if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode) && ::stat(path.c_str(), &st) != 0)
    fail("it is a symbolic link to a missing file");
  const std::size_t slash = path.find_last_of('/');
  const std::string folder = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (::stat(folder.c_str(), &st) != 0) fail("its folder " + folder + " does not exist");
  if (!S_ISDIR(st.st_mode)) fail(folder + " is " + attn::file_kind_name(st.st_mode) + ", not a folder");
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    fail("its folder " + folder + " is not writable (" + std::strerror(errno) + ")");
}

}  // namespace app
