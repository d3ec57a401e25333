// The NumPy .npy format (version 1.0-3.0) for float32 arrays (and int32 ids, uint8 bytes), in
// memory and on disk.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/file_io.hpp"  // read_file and write_file_atomic, used with every .npy

namespace attn {

struct NpyArray {
  std::vector<std::size_t> shape;
  std::vector<float> data;  // C order
};

// Serialises a float32 C-order array: header "{'descr': '<f4', 'fortran_order': False, ...}".
std::string npy_encode(const float* data, const std::vector<std::size_t>& shape);
// Parses .npy bytes; accepts '<f4' (and '|f4'), C or Fortran order (converted to C order).
// Throws FileError with `what` (a key or file name) in the message for any other dtype,
// a bad magic/header, or too few data bytes.
NpyArray npy_decode(const std::string& bytes, const std::string& what);

// int32 arrays ('<i4'): token ids and targets.
struct NpyIntArray {
  std::vector<std::size_t> shape;
  std::vector<std::int32_t> data;  // C order
};
std::string npy_encode_i32(const std::int32_t* data, const std::vector<std::size_t>& shape);
NpyIntArray npy_decode_i32(const std::string& bytes, const std::string& what);
// A 1-D uint8 array ('|u1') holding raw bytes, e.g. UTF-8 JSON inside a checkpoint.
std::string npy_encode_u8(const std::string& bytes);
std::string npy_decode_u8(const std::string& bytes, const std::string& what);

}  // namespace attn
