// Reading and writing whole files safely: only regular files are read (a FIFO would block and a
// device never ends), reads are bounded, and writes go through a temporary name and a rename.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "engine/file_limits.hpp"

namespace attn {

// A file that cannot be read or written: the message names the file, and the key and shapes
// when those are the problem.
struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "a folder", "a FIFO", "a character device", "a block device", "a socket", "a symbolic link"
// or "a regular file", for messages that say what a path is.
const char* file_kind_name(mode_t mode);

// A regular file open for reading, or FileError "<what>: it is a FIFO, not a file" and the like.
// The path is checked before it is opened (opening a FIFO blocks until a writer comes; a device
// such as /dev/zero never ends), and what was opened is checked again, since the name may have
// been swapped in between (O_NONBLOCK keeps that open from blocking). `what` starts every message:
// "cannot read PATH", "corpus PATH".
class ReadableFile {
 public:
  ReadableFile(const std::string& path, const std::string& what);
  ~ReadableFile();
  ReadableFile(const ReadableFile&) = delete;
  ReadableFile& operator=(const ReadableFile&) = delete;

  int fd() const { return m_fd; }
  std::uint64_t size() const { return m_size; }  // when opened

 private:
  int m_fd = -1;
  std::uint64_t m_size = 0;
};

// Reads a whole regular file of at most max_bytes. Throws FileError naming the path for a
// missing or unreadable file, for anything that is not a regular file ("it is a FIFO, not a
// file": checked before opening, so a FIFO never blocks) and for a file larger than max_bytes.
std::string read_file(const std::string& path, std::uint64_t max_bytes = kMaxNpzBytes);

// Writes bytes to path via a temporary file in the same folder and a rename; throws FileError.
// A symbolic link is written through (the link stays, its target is replaced); an existing
// file keeps its permissions; a path that exists and is not a regular file (a device such as
// /dev/null, a folder, a FIFO) is refused, never replaced.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace attn
