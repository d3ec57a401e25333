// Whole-file reads that refuse what is not a regular file or is too large, and atomic writes.
#include "engine/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace attn {

namespace {

std::string mib(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return text;
}

}  // namespace

const char* file_kind_name(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

ReadableFile::ReadableFile(const std::string& path, const std::string& what) {
  const auto fail = [&](const std::string& why) { throw FileError(what + ": " + why); };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail(std::string("it is ") + file_kind_name(st.st_mode) + ", not a file");
  m_fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (m_fd < 0) fail(std::strerror(errno));
  const bool same = ::fstat(m_fd, &st) == 0;
  const int error = errno;
  if (!same || !S_ISREG(st.st_mode)) {
    ::close(m_fd);
    fail(!same ? std::string(std::strerror(error))
               : std::string("it is ") + file_kind_name(st.st_mode) + ", not a file");
  }
  m_size = static_cast<std::uint64_t>(st.st_size);
}

ReadableFile::~ReadableFile() { ::close(m_fd); }

std::string read_file(const std::string& path, std::uint64_t max_bytes) {
  const auto fail = [&](const std::string& why) -> void { throw FileError("cannot read " + path + ": " + why); };
  // 1. Only a regular file, checked before and after opening (see ReadableFile).
  const ReadableFile file(path, "cannot read " + path);
  const int fd = file.fd();
  const auto too_large = [&](std::uint64_t size) {
    fail("it is " + mib(size) + ", larger than the " + mib(max_bytes) + " this kind of file can be");
  };
  const std::uint64_t size = file.size();
  if (size > max_bytes) too_large(size);
  // 2. Read to the end, never past max_bytes even if the file grows meanwhile.
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::size_t done = 0;
  for (;;) {
    if (done == bytes.size()) {
      if (bytes.size() >= max_bytes) {
        char probe;
        const ssize_t more = ::read(fd, &probe, 1);
        if (more > 0) too_large(max_bytes + 1);
        if (more < 0 && errno == EINTR) continue;
        if (more < 0) fail(std::strerror(errno));
        break;
      }
      bytes.resize(std::min<std::uint64_t>(max_bytes, bytes.size() + 65536));
    }
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(std::strerror(errno));
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  // What is written: the path itself, or, for a symbolic link, the file it points to (a settings
  // file linked from a dotfiles repository stays a link). Only a regular file is ever replaced:
  // renaming over /dev/null or a FIFO would replace the device node.
  std::string target = path;
  mode_t mode = 0644;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      char* resolved = ::realpath(path.c_str(), nullptr);
      if (!resolved) throw FileError("cannot write " + path + ": it is a symbolic link to a missing file");
      target = resolved;
      std::free(resolved);
      if (::stat(target.c_str(), &st) != 0) throw FileError("cannot write " + path + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
      throw FileError("cannot write " + path + ": it exists and is " + file_kind_name(st.st_mode) +
                      ", which is never replaced");
    mode = st.st_mode & 07777;  // an existing file keeps its permissions
  }
  // A short temporary name beside the target: "<name>.tmp-XXXXXX" would not fit a name already
  // near NAME_MAX (255 bytes).
  const std::size_t slash = target.find_last_of('/');
  std::string temp = (slash == std::string::npos ? std::string() : target.substr(0, slash + 1)) + ".attnlab-XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) throw FileError("cannot write " + path + ": " + std::strerror(errno));
  const auto fail = [&](const char* step) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    ::unlink(temp.c_str());
    throw FileError("cannot write " + path + " (" + step + "): " + reason);
  };
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) fail("chmod");
  if (::fsync(fd) != 0) fail("sync");
  if (::close(fd) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    throw FileError("cannot write " + path + ": " + reason);
  }
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temp.c_str());
    throw FileError("cannot write " + path + ": " + reason);
  }
}

}  // namespace attn
