// Reading safetensors files (Hugging Face's weight format): an 8-byte little-endian header length,
// a JSON header of name -> {dtype, shape, data_offsets}, then the raw little-endian data. The file
// is memory-mapped and each tensor converted once to float32 where the caller wants it; every
// size in the header is checked against the file's real size before anything is allocated.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/file_io.hpp"

namespace attn {

// The header may be at most this large (the format's own limit, and what Hugging Face's reader
// refuses above).
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100u * 1000u * 1000u;

// Element types of the format. Only F32, F16 and BF16 can be read as float32; the others are
// known so that their offsets are checked and a message can name them.
enum class SafeDtype { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool, Other };

struct SafeTensorInfo {
  std::string name;
  SafeDtype dtype = SafeDtype::F32;
  std::string dtype_name;            // as written ("F32", "BF16", ...)
  std::vector<std::size_t> shape;    // () is a scalar
  std::uint64_t begin = 0, end = 0;  // byte offsets into the data part (after the header)
  std::size_t count() const;         // product of shape
};

struct SafetensorsHeader {
  std::vector<SafeTensorInfo> tensors;  // in the order of their offsets
  std::uint64_t data_start = 0;         // 8 + header length
};

// Parses and checks the header of a file of `file_size` bytes whose first bytes are `bytes`
// (at least min(file_size, 8 + header length) of them). Throws FileError naming `what` and the
// tensor or key for: a header length beyond the file or above 100 MB, a header that is not a
// JSON object, an entry without dtype/shape/data_offsets, an unknown dtype, a shape whose size
// disagrees with its offsets, offsets out of order, out of range, overlapping or leaving a gap,
// and data bytes after the last tensor. Memory: at most the header's size, a few times over.
SafetensorsHeader parse_safetensors_header(const unsigned char* bytes, std::uint64_t file_size,
                                           const std::string& what);

// Converts `info`'s data (at `data`, info.end - info.begin bytes) to float32 into out
// (info.count() floats), F16 and BF16 exactly. Throws FileError naming `what` and the tensor for
// a dtype other than F32/F16/BF16, or a NaN or infinity.
void safetensors_to_f32(const SafeTensorInfo& info, const unsigned char* data, float* out, const std::string& what);

// A safetensors file, memory-mapped read-only for as long as it is open (move-only).
class SafetensorsFile {
 public:
  // Throws FileError naming the path: missing, not a regular file (checked before opening), an
  // empty file, or any header problem listed at parse_safetensors_header.
  static SafetensorsFile open(const std::string& path);
  SafetensorsFile(SafetensorsFile&& other) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&& other) noexcept;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;
  ~SafetensorsFile();

  const std::string& path() const { return m_path; }
  const std::vector<SafeTensorInfo>& tensors() const { return m_header.tensors; }
  const SafeTensorInfo* find(const std::string& name) const;  // null when absent
  // Converts one tensor into out (info.count() floats), as safetensors_to_f32, then lets the
  // kernel drop the pages it read from this process's resident set (they stay in the page cache),
  // so that a model read tensor by tensor is resident once, in its own arena.
  void read_f32(const SafeTensorInfo& info, float* out) const;
  // Unmaps the file (also done by the destructor).
  void close();

 private:
  SafetensorsFile() = default;
  std::string m_path;
  SafetensorsHeader m_header;
  void* m_map = nullptr;
  std::size_t m_size = 0;
};

}  // namespace attn
