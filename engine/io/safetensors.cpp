// safetensors: the header is the only variable-sized thing read, and it is bounded by the file
// before it is parsed; each tensor's bytes are then a checked range of the mapping.
#include "engine/io/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>

namespace attn {

namespace {

using Json = nlohmann::json;

struct DtypeName {
  const char* name;
  SafeDtype dtype;
  std::size_t bytes;
};
// Every dtype of the format's specification; a name not here is refused.
constexpr DtypeName kDtypes[] = {
    {"F32", SafeDtype::F32, 4},   {"F16", SafeDtype::F16, 2},       {"BF16", SafeDtype::BF16, 2},
    {"F64", SafeDtype::F64, 8},   {"I64", SafeDtype::I64, 8},       {"I32", SafeDtype::I32, 4},
    {"I16", SafeDtype::I16, 2},   {"I8", SafeDtype::I8, 1},         {"U8", SafeDtype::U8, 1},
    {"BOOL", SafeDtype::Bool, 1}, {"U16", SafeDtype::Other, 2},     {"U32", SafeDtype::Other, 4},
    {"U64", SafeDtype::Other, 8}, {"F8_E5M2", SafeDtype::Other, 1}, {"F8_E4M3", SafeDtype::Other, 1},
};

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// Bits of an IEEE half to float: normal, subnormal, zero, infinity and NaN.
float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu, bits;
  if (exponent == 0x1Fu) {
    bits = sign | 0x7F800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal: normalize the mantissa
    exponent = 113;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    bits = sign | (exponent << 23) | ((mantissa & 0x3FFu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

}  // namespace

std::size_t SafeTensorInfo::count() const {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}

SafetensorsHeader parse_safetensors_header(const unsigned char* bytes, std::uint64_t file_size,
                                           const std::string& what) {
  const auto fail = [&](const std::string& why) -> void { throw FileError(what + ": " + why); };
  if (file_size < 8)
    fail("not a safetensors file: " + std::to_string(file_size) + " bytes, shorter than its 8-byte header length");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
  if (n > kMaxSafetensorsHeaderBytes)
    fail("the header claims " + std::to_string(n) + " bytes, more than the format's limit of 100 MB");
  if (n > file_size - 8)
    fail("the header claims " + std::to_string(n) + " bytes but the file has only " + std::to_string(file_size - 8) +
         " after its length");
  Json header;
  try {
    header = Json::parse(bytes + 8, bytes + 8 + n);
  } catch (const Json::exception& e) {
    fail(std::string("the header is not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object()) fail("the header is not a JSON object of tensors");
  SafetensorsHeader out;
  out.data_start = 8 + n;
  const std::uint64_t data_size = file_size - out.data_start;
  for (const auto& item : header.items()) {
    // Plain names, not a structured binding: C++17 lambdas (clang) cannot capture those.
    const std::string& name = item.key();
    const nlohmann::json& entry = item.value();
    if (name == "__metadata__") {
      if (!entry.is_object()) fail("'__metadata__' is not an object of strings");
      continue;
    }
    const auto bad = [&](const std::string& why) { fail("tensor '" + name + "': " + why); };
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
      bad("its entry needs dtype, shape and data_offsets");
    SafeTensorInfo t;
    t.name = name;
    const Json& dtype = entry.at("dtype");
    if (!dtype.is_string()) bad("dtype is not a string");
    t.dtype_name = dtype.get<std::string>();
    const DtypeName* known = nullptr;
    for (const DtypeName& d : kDtypes)
      if (t.dtype_name == d.name) known = &d;
    if (!known) bad("unknown dtype '" + t.dtype_name + "'");
    t.dtype = known->dtype;
    const Json& shape = entry.at("shape");
    if (!shape.is_array() || shape.size() > 8) bad("shape is not a list of at most 8 sizes");
    // The element count is bounded by the data size below, so every partial product is checked
    // against it here and can never overflow.
    std::uint64_t count = 1;
    for (const Json& d : shape) {
      if (!d.is_number_unsigned()) bad("shape " + shape.dump() + " is not a list of whole numbers >= 0");
      const std::uint64_t dim = d.get<std::uint64_t>();
      if (dim > data_size + 1) bad("shape " + shape.dump() + " is larger than the file");
      t.shape.push_back(static_cast<std::size_t>(dim));
      count = dim == 0 ? 0 : (count > (data_size + 1) / dim ? data_size + 1 : count * dim);
    }
    const Json& offsets = entry.at("data_offsets");
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
      bad("data_offsets is not [begin, end]");
    t.begin = offsets[0].get<std::uint64_t>();
    t.end = offsets[1].get<std::uint64_t>();
    if (t.begin > t.end)
      bad("data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "] end before they begin");
    if (t.end > data_size)
      bad("data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "] go past the " +
          std::to_string(data_size) + " data bytes of the file");
    if (count > data_size || count * known->bytes != t.end - t.begin)
      bad(t.dtype_name + " " + shape_text(t.shape) + " needs " +
          (count > data_size ? std::string("more bytes than the file has")
                             : std::to_string(count * known->bytes) + " bytes") +
          " but data_offsets hold " + std::to_string(t.end - t.begin));
    out.tensors.push_back(std::move(t));
  }
  // The data part is exactly the tensors, one after another: no overlap, no gap, nothing after.
  std::sort(out.tensors.begin(), out.tensors.end(), [](const SafeTensorInfo& a, const SafeTensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < out.tensors.size(); ++i) {
    const SafeTensorInfo& t = out.tensors[i];
    if (t.begin < at)
      fail("tensor '" + t.name + "' overlaps tensor '" + out.tensors[i - 1].name + "' (data_offsets begin at " +
           std::to_string(t.begin) + ", before " + std::to_string(at) + ")");
    if (t.begin > at)
      fail("the data has " + std::to_string(t.begin - at) + " unused bytes before tensor '" + t.name + "'");
    at = t.end;
  }
  if (at != data_size)
    fail("the data has " + std::to_string(data_size - at) + " bytes after the last tensor that no tensor holds");
  return out;
}

void safetensors_to_f32(const SafeTensorInfo& t, const unsigned char* data, float* out, const std::string& what) {
  const std::size_t n = t.count();
  switch (t.dtype) {
    case SafeDtype::F32:
      std::memcpy(out, data, n * sizeof(float));
      break;
    case SafeDtype::F16:
      for (std::size_t i = 0; i < n; ++i)
        out[i] = half_to_float(static_cast<std::uint16_t>(data[2 * i] | (data[2 * i + 1] << 8)));
      break;
    case SafeDtype::BF16:
      for (std::size_t i = 0; i < n; ++i) {
        // bfloat16 is the upper half of a float32.
        const std::uint32_t bits = static_cast<std::uint32_t>(data[2 * i] | (data[2 * i + 1] << 8)) << 16;
        std::memcpy(out + i, &bits, sizeof(float));
      }
      break;
    case SafeDtype::F64:
    case SafeDtype::I64:
    case SafeDtype::I32:
    case SafeDtype::I16:
    case SafeDtype::I8:
    case SafeDtype::U8:
    case SafeDtype::Bool:
    case SafeDtype::Other:
      throw FileError(what + ": tensor '" + t.name + "' is " + t.dtype_name + "; weights must be F32, F16 or BF16");
  }
  // NaN and infinity are the floats whose exponent bits are all ones: one OR over the tensor
  // (which the compiler vectorises), and the element is looked for only when there is one.
  std::uint32_t all_ones = 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, out + i, sizeof bits);
    all_ones |= static_cast<std::uint32_t>((bits & 0x7F800000u) == 0x7F800000u);
  }
  if (all_ones)
    for (std::size_t i = 0; i < n; ++i)
      if (!std::isfinite(out[i]))
        throw FileError(what + ": tensor '" + t.name + "' holds a non-finite value (NaN or infinity) at element " +
                        std::to_string(i));
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  const auto fail = [&](const std::string& why) -> void { throw FileError("cannot read " + path + ": " + why); };
  const ReadableFile file(path, "cannot read " + path);  // a regular file, checked before and after opening
  const int fd = file.fd();
  if (file.size() == 0) fail("the file is empty");
  SafetensorsFile f;
  f.m_path = path;
  f.m_size = static_cast<std::size_t>(file.size());
  void* map = ::mmap(nullptr, f.m_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) fail(std::string("cannot map it: ") + std::strerror(errno));
  f.m_map = map;
  f.m_header = parse_safetensors_header(static_cast<const unsigned char*>(map), f.m_size, path);
  return f;
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&& o) noexcept
    : m_path(std::move(o.m_path)),
      m_header(std::move(o.m_header)),
      m_map(std::exchange(o.m_map, nullptr)),
      m_size(std::exchange(o.m_size, 0)) {}

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& o) noexcept {
  if (this != &o) {
    close();
    m_path = std::move(o.m_path);
    m_header = std::move(o.m_header);
    m_map = std::exchange(o.m_map, nullptr);
    m_size = std::exchange(o.m_size, 0);
  }
  return *this;
}

SafetensorsFile::~SafetensorsFile() { close(); }

void SafetensorsFile::close() {
  if (m_map) ::munmap(m_map, m_size);
  m_map = nullptr;
  m_size = 0;
}

const SafeTensorInfo* SafetensorsFile::find(const std::string& name) const {
  for (const SafeTensorInfo& t : m_header.tensors)
    if (t.name == name) return &t;
  return nullptr;
}

void SafetensorsFile::read_f32(const SafeTensorInfo& t, float* out) const {
  if (!m_map) throw FileError(m_path + ": read after the file was closed");
  const unsigned char* base = static_cast<const unsigned char*>(m_map);
  safetensors_to_f32(t, base + m_header.data_start + t.begin, out, m_path);
  // The pages are clean file pages: dropping them from this mapping costs nothing but a later
  // re-read from the page cache, and keeps the peak resident set near one copy of the model.
  const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const std::uintptr_t first = reinterpret_cast<std::uintptr_t>(base + m_header.data_start + t.begin) & ~(page - 1);
  const std::uintptr_t last = reinterpret_cast<std::uintptr_t>(base + m_header.data_start + t.end);
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

}  // namespace attn
