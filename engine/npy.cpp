// .npy encoding and a defensive decoder: every length in a header is checked against the bytes
// really present before anything is allocated.
#include "engine/npy.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

#include "engine/weights.hpp"

namespace attn {

namespace {

const char kMagic[] = "\x93NUMPY";

// The value text after 'key': in a header dict, e.g. "'<f4'" or "(3, 4)" or "False".
std::string dict_value(const std::string& header, const std::string& key, const std::string& what) {
  const std::size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) throw FileError(what + ": .npy header has no '" + key + "'");
  std::size_t i = header.find(':', k);
  if (i == std::string::npos) throw FileError(what + ": .npy header is malformed");
  ++i;
  while (i < header.size() && header[i] == ' ') ++i;
  if (i >= header.size()) throw FileError(what + ": .npy header is malformed");
  std::size_t end = i;
  if (header[i] == '(') {
    end = header.find(')', i);
    if (end == std::string::npos) throw FileError(what + ": .npy header is malformed");
    ++end;
  } else if (header[i] == '\'' || header[i] == '"') {
    end = header.find(header[i], i + 1);
    if (end == std::string::npos) throw FileError(what + ": .npy header is malformed");
    ++end;
  } else {
    while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  }
  return header.substr(i, end - i);
}

std::vector<std::size_t> parse_shape(const std::string& text, const std::string& what) {
  std::vector<std::size_t> shape;
  std::size_t i = 1;  // after '('
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',')) ++i;
    if (i >= text.size() || text[i] == ')') break;
    if (text[i] < '0' || text[i] > '9') throw FileError(what + ": .npy shape " + text + " is not a list of sizes");
    std::size_t v = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      const std::size_t digit = static_cast<std::size_t>(text[i] - '0');
      if (v > (std::numeric_limits<std::size_t>::max() - digit) / 10)
        throw FileError(what + ": .npy shape is too large");
      v = v * 10 + digit;
      ++i;
    }
    if (i < text.size() && text[i] == 'L') ++i;  // Python 2 longs
    shape.push_back(v);
  }
  return shape;
}

struct NpyHeader {
  std::string descr;  // '<f4', '<i4', '|u1', ...
  bool fortran_order = false;
  std::vector<std::size_t> shape;
  std::size_t count = 0;        // elements
  std::size_t data_offset = 0;  // first data byte
};

// Parses and checks the header, and that `item_size` * count data bytes are really present.
NpyHeader parse_header(const std::string& bytes, const std::string& what, std::size_t item_size) {
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0)
    throw FileError(what + ": not a .npy array (bad magic)");
  const unsigned major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, offset = 0;
  const auto u8 = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(bytes[i])); };
  if (major == 1) {
    header_len = u8(8) | (u8(9) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw FileError(what + ": .npy header is truncated");
    header_len = u8(8) | (u8(9) << 8) | (u8(10) << 16) | (u8(11) << 24);
    offset = 12;
  } else {
    throw FileError(what + ": .npy version " + std::to_string(major) + " is not supported");
  }
  if (header_len > bytes.size() - offset) throw FileError(what + ": .npy header is truncated");
  const std::string header = bytes.substr(offset, header_len);
  NpyHeader h;
  h.data_offset = offset + header_len;
  h.descr = dict_value(header, "descr", what);
  if (h.descr.size() >= 2) h.descr = h.descr.substr(1, h.descr.size() - 2);
  h.fortran_order = dict_value(header, "fortran_order", what).rfind("True", 0) == 0;
  const std::string shape_text = dict_value(header, "shape", what);
  if (shape_text.empty() || shape_text[0] != '(') throw FileError(what + ": .npy shape is malformed");
  h.shape = parse_shape(shape_text, what);
  h.count = 1;
  for (std::size_t d : h.shape) {
    if (d != 0 && h.count > std::numeric_limits<std::size_t>::max() / item_size / d)
      throw FileError(what + ": .npy shape is too large");
    h.count *= d;
  }
  const std::size_t have = bytes.size() - h.data_offset;
  if (h.count * item_size > have)
    throw FileError(what + ": expected " + std::to_string(h.count * item_size) + " bytes of data, found " +
                    std::to_string(have) + " (truncated file?)");
  return h;
}

std::string dtype_name(const std::string& descr) {
  if (descr == "<f8") return " (float64)";
  if (descr == "<f2") return " (float16)";
  if (descr == ">f4") return " (big-endian float32)";
  if (descr == "<i8") return " (int64)";
  if (descr.size() > 1 && (descr[1] == 'i' || descr[1] == 'u')) return " (integers)";
  if (descr.size() > 1 && descr[1] == 'f') return " (floats)";
  return "";
}

// Column-major to row-major: the element at index (i0, i1, ...) sits at sum(i_k * stride_k)
// with strides growing from the first axis.
template <typename T>
std::vector<T> to_c_order(const std::vector<T>& f_order, const std::vector<std::size_t>& shape) {
  const std::size_t count = f_order.size(), rank = shape.size();
  std::vector<T> c_order(count);
  std::vector<std::size_t> index(rank, 0);
  for (std::size_t c = 0; c < count; ++c) {
    std::size_t f = 0, stride = 1;
    for (std::size_t k = 0; k < rank; ++k) {
      f += index[k] * stride;
      stride *= shape[k];
    }
    c_order[c] = f_order[f];
    for (std::size_t k = rank; k-- > 0;) {  // advance the C-order index, last axis fastest
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  return c_order;
}

template <typename T>
std::vector<T> decode_data(const std::string& bytes, const NpyHeader& h) {
  std::vector<T> data(h.count);
  if (h.count > 0)
    std::memcpy(data.data(), bytes.data() + h.data_offset, h.count * sizeof(T));  // empty: data() may be null
  if (h.fortran_order && h.shape.size() > 1) data = to_c_order(data, h.shape);
  return data;
}

std::string encode(const void* data, std::size_t item_size, const char* descr, const std::vector<std::size_t>& shape) {
  std::string dims;
  std::size_t count = 1;
  for (std::size_t d : shape) {
    dims += std::to_string(d) + ", ";
    count *= d;
  }
  if (shape.size() > 1)
    dims.erase(dims.size() - 2);  // "(3, 4)"; a 1-D shape keeps "(3,)"
  else if (shape.size() == 1)
    dims.erase(dims.size() - 1);
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so the data starts at a multiple of 64 bytes, ending in a newline.
  const std::size_t prefix = 10;
  const std::size_t total = ((prefix + header.size() + 1 + 63) / 64) * 64;
  header.append(total - prefix - header.size() - 1, ' ');
  header += '\n';
  std::string out(kMagic, 6);
  out += '\x01';
  out += '\x00';
  const std::uint16_t len = static_cast<std::uint16_t>(header.size());
  out += static_cast<char>(len & 0xFF);
  out += static_cast<char>(len >> 8);
  out += header;
  if (count > 0) out.append(static_cast<const char*>(data), count * item_size);
  return out;
}

}  // namespace

std::string npy_encode(const float* data, const std::vector<std::size_t>& shape) {
  return encode(data, sizeof(float), "<f4", shape);
}

std::string npy_encode_i32(const std::int32_t* data, const std::vector<std::size_t>& shape) {
  return encode(data, sizeof(std::int32_t), "<i4", shape);
}

std::string npy_encode_u8(const std::string& bytes) { return encode(bytes.data(), 1, "|u1", {bytes.size()}); }

NpyArray npy_decode(const std::string& bytes, const std::string& what) {
  const NpyHeader h = parse_header(bytes, what, sizeof(float));
  if (h.descr != "<f4" && h.descr != "|f4" && h.descr != "=f4")
    throw FileError(what + ": dtype '" + h.descr + "'" + dtype_name(h.descr) +
                    " is not supported; expected float32 '<f4' (use .astype(np.float32))");
  return {h.shape, decode_data<float>(bytes, h)};
}

NpyIntArray npy_decode_i32(const std::string& bytes, const std::string& what) {
  const NpyHeader h = parse_header(bytes, what, sizeof(std::int32_t));
  if (h.descr != "<i4" && h.descr != "=i4")
    throw FileError(what + ": dtype '" + h.descr + "'" + dtype_name(h.descr) +
                    " is not supported; expected int32 '<i4' (use .astype(np.int32))");
  return {h.shape, decode_data<std::int32_t>(bytes, h)};
}

std::string npy_decode_u8(const std::string& bytes, const std::string& what) {
  const NpyHeader h = parse_header(bytes, what, 1);
  if (h.descr != "|u1" && h.descr != "<u1")
    throw FileError(what + ": dtype '" + h.descr + "'" + dtype_name(h.descr) + " is not bytes ('|u1')");
  if (h.shape.size() != 1) throw FileError(what + ": bytes must be a 1-D array");
  return bytes.substr(h.data_offset, h.count);
}

}  // namespace attn
