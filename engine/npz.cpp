// Just enough ZIP for .npz: the central directory (with ZIP64 extras, which numpy.savez writes),
// stored and deflated entries, CRC-32 checks, and bounds checks on every offset.
#include "engine/npz.hpp"

#include <zlib.h>

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/file_limits.hpp"
#include "engine/weights.hpp"

namespace attn {

namespace {

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();

std::uint32_t crc32(const std::string& data) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) c = kCrcTable[(c ^ b) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

// Little-endian reads that throw instead of reading past the end.
class Reader {
 public:
  Reader(const std::string& bytes, const std::string& what) : m_b(bytes), m_what(what) {}
  std::uint64_t le(std::uint64_t at, int size) const {
    need(at, static_cast<std::uint64_t>(size));
    std::uint64_t v = 0;
    for (int i = size - 1; i >= 0; --i)
      v = (v << 8) | static_cast<unsigned char>(m_b[at + static_cast<std::uint64_t>(i)]);
    return v;
  }
  std::uint32_t u32(std::uint64_t at) const { return static_cast<std::uint32_t>(le(at, 4)); }
  std::uint16_t u16(std::uint64_t at) const { return static_cast<std::uint16_t>(le(at, 2)); }
  std::uint64_t u64(std::uint64_t at) const { return le(at, 8); }
  void need(std::uint64_t at, std::uint64_t size) const {
    if (at > m_b.size() || size > m_b.size() - at) corrupt("truncated");
  }
  [[noreturn]] void corrupt(const std::string& why) const {
    throw FileError(m_what + ": corrupt .npz archive (" + why + ")");
  }
  const std::string& bytes() const { return m_b; }
  const std::string& what() const { return m_what; }

 private:
  const std::string& m_b;
  const std::string& m_what;
};

struct Entry {
  std::string name;
  std::uint16_t method = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed = 0, uncompressed = 0, local_offset = 0;
};

std::string mib(std::uint64_t bytes) { return std::to_string(bytes / (1024 * 1024)) + " MiB"; }

// Deflate cannot expand data more than 1032-fold (a 258-byte match in two bits), so a claim
// beyond that is a lie and is refused before anything is allocated for it.
constexpr std::uint64_t kMaxDeflateRatio = 1032;

// Refuses an entry whose claimed sizes no attnlab model needs or its compressed bytes cannot
// produce, before anything is allocated for it.
void check_claims(const Reader& r, const Entry& e) {
  const std::string name = "entry '" + e.name + "'";
  if (e.uncompressed > kMaxNpzEntryBytes)
    throw FileError(r.what() + ": " + name + " claims " + std::to_string(e.uncompressed) + " bytes, more than the " +
                    mib(kMaxNpzEntryBytes) + " the largest array of an attnlab model needs");
  if (e.compressed > r.bytes().size()) r.corrupt(name + " claims more compressed bytes than the archive holds");
  if (e.method == 8 && e.uncompressed > e.compressed * kMaxDeflateRatio + 1024)
    throw FileError(r.what() + ": " + name + " claims " + std::to_string(e.uncompressed) + " bytes from " +
                    std::to_string(e.compressed) + " compressed bytes, more than deflate can produce");
}

std::string extract(const Reader& r, const Entry& e) {
  if (r.u32(e.local_offset) != 0x04034b50u) r.corrupt("bad local header for " + e.name);
  const std::uint64_t data = e.local_offset + 30 + r.u16(e.local_offset + 26) + r.u16(e.local_offset + 28);
  r.need(data, e.compressed);
  std::string out;
  if (e.method == 0) {
    if (e.compressed != e.uncompressed) r.corrupt("stored entry " + e.name + " has inconsistent sizes");
    out = r.bytes().substr(data, e.compressed);
  } else if (e.method == 8) {
    // Raw deflate (windowBits -15), as Python's zipfile writes it. zlib, not stb: stb's inflate
    // rejects valid streams with incomplete Huffman codes, which zlib's encoder produces.
    // The output is exactly the claimed size (already bounded): a stream that would inflate to
    // more stops there and is refused, so a bomb never costs more than its claim.
    out.resize(e.uncompressed);
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) r.corrupt("cannot start inflate");
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(r.bytes().data() + data));
    z.avail_in = static_cast<uInt>(e.compressed);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&z, Z_FINISH);
    const bool more = status != Z_STREAM_END && z.avail_out == 0 && z.avail_in > 0;
    const std::uint64_t produced = z.total_out;
    inflateEnd(&z);
    if (more)
      r.corrupt("entry " + e.name + " inflates to more than the " + std::to_string(e.uncompressed) +
                " bytes it claims");
    if (status != Z_STREAM_END || produced != e.uncompressed) r.corrupt("entry " + e.name + " does not inflate");
  } else {
    throw FileError(r.what() + ": entry " + e.name + " uses compression method " + std::to_string(e.method) +
                    "; only stored and deflate (numpy.savez / savez_compressed) are supported");
  }
  if (crc32(out) != e.crc) r.corrupt("CRC mismatch in " + e.name);
  return out;
}

void put16(std::string& s, std::uint32_t v) {
  s += static_cast<char>(v & 0xFF);
  s += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}

}  // namespace

std::map<std::string, std::string> npz_read(const std::string& bytes, const std::string& what) {
  const Reader r(bytes, what);
  if (bytes.size() < 22) throw FileError(what + ": not a zip archive (" + std::to_string(bytes.size()) + " bytes)");
  // 1. The end-of-central-directory record: the last PK\5\6 within the final 64 KiB + 22 bytes.
  std::uint64_t eocd = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t lowest = bytes.size() > 65557 ? bytes.size() - 65557 : 0;
  for (std::uint64_t at = bytes.size() - 22 + 1; at-- > lowest;)
    if (r.u32(at) == 0x06054b50u) {
      eocd = at;
      break;
    }
  if (eocd == std::numeric_limits<std::uint64_t>::max())
    throw FileError(what + ": not a zip archive (no end-of-central-directory record)");
  std::uint64_t count = r.u16(eocd + 10), cd_offset = r.u32(eocd + 16);
  // 2. ZIP64: the real counts and offsets live in a record the locator points to.
  if ((count == 0xFFFF || cd_offset == 0xFFFFFFFFu) && eocd >= 20 && r.u32(eocd - 20) == 0x07064b50u) {
    const std::uint64_t record = r.u64(eocd - 20 + 8);
    if (r.u32(record) != 0x06064b50u) r.corrupt("bad ZIP64 end record");
    count = r.u64(record + 32);
    cd_offset = r.u64(record + 48);
  }
  if (count > 10000) r.corrupt("claims " + std::to_string(count) + " entries");

  // 3. The central directory: one record per entry with its sizes and where its data is. Every
  //    claim is checked, per entry and in total, before any entry is inflated.
  std::vector<Entry> entries;
  std::uint64_t claimed_total = 0;
  std::uint64_t at = cd_offset;
  for (std::uint64_t i = 0; i < count; ++i) {
    if (r.u32(at) != 0x02014b50u) r.corrupt("bad central directory");
    Entry e;
    e.method = r.u16(at + 10);
    e.crc = r.u32(at + 16);
    e.compressed = r.u32(at + 20);
    e.uncompressed = r.u32(at + 24);
    const std::uint16_t name_len = r.u16(at + 28), extra_len = r.u16(at + 30), comment_len = r.u16(at + 32);
    e.local_offset = r.u32(at + 42);
    r.need(at + 46, name_len);
    e.name = bytes.substr(at + 46, name_len);
    // ZIP64 extra field: 64-bit values for exactly the fields that hold 0xFFFFFFFF, in order.
    for (std::uint64_t x = at + 46 + name_len; x + 4 <= at + 46 + name_len + extra_len;) {
      const std::uint16_t id = r.u16(x), size = r.u16(x + 2);
      std::uint64_t field = x + 4;
      if (id == 0x0001) {
        if (e.uncompressed == 0xFFFFFFFFu) {
          e.uncompressed = r.u64(field);
          field += 8;
        }
        if (e.compressed == 0xFFFFFFFFu) {
          e.compressed = r.u64(field);
          field += 8;
        }
        if (e.local_offset == 0xFFFFFFFFu) {
          e.local_offset = r.u64(field);
        }
      }
      x += 4 + size;
    }
    at += 46 + static_cast<std::uint64_t>(name_len) + extra_len + comment_len;
    check_claims(r, e);
    claimed_total += e.uncompressed;  // each at most kMaxNpzEntryBytes, at most 10000: no overflow
    if (claimed_total > kMaxNpzBytes)
      throw FileError(what + ": the entries up to '" + e.name + "' claim " + std::to_string(claimed_total) +
                      " bytes in total, more than the " + mib(kMaxNpzBytes) + " the largest attnlab model needs");
    entries.push_back(std::move(e));
  }
  std::map<std::string, std::string> out;
  for (const Entry& e : entries) {
    std::string key = e.name;
    // As numpy.load: ".npy" names the key "" (which npz_write writes as ".npy").
    if (key.size() >= 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
    out[key] = extract(r, e);
  }
  return out;
}

std::string npz_write(const std::map<std::string, std::string>& entries) {
  std::string zip, directory;
  for (const auto& [key, data] : entries) {
    const std::string name = key + ".npy";
    const std::uint32_t crc = crc32(data), size = static_cast<std::uint32_t>(data.size());
    const std::uint32_t offset = static_cast<std::uint32_t>(zip.size());
    put32(zip, 0x04034b50u);
    put16(zip, 20);    // version needed
    put16(zip, 0);     // flags
    put16(zip, 0);     // stored
    put16(zip, 0);     // time
    put16(zip, 0x21);  // date: 1980-01-01
    put32(zip, crc);
    put32(zip, size);
    put32(zip, size);
    put16(zip, static_cast<std::uint32_t>(name.size()));
    put16(zip, 0);
    zip += name;
    zip += data;

    put32(directory, 0x02014b50u);
    put16(directory, 20);  // made by
    put16(directory, 20);  // needed
    put16(directory, 0);
    put16(directory, 0);
    put16(directory, 0);
    put16(directory, 0x21);
    put32(directory, crc);
    put32(directory, size);
    put32(directory, size);
    put16(directory, static_cast<std::uint32_t>(name.size()));
    put16(directory, 0);  // extra
    put16(directory, 0);  // comment
    put16(directory, 0);  // disk
    put16(directory, 0);  // internal attributes
    put32(directory, 0);  // external attributes
    put32(directory, offset);
    directory += name;
  }
  const std::uint32_t cd_offset = static_cast<std::uint32_t>(zip.size());
  zip += directory;
  put32(zip, 0x06054b50u);
  put16(zip, 0);
  put16(zip, 0);
  put16(zip, static_cast<std::uint32_t>(entries.size()));
  put16(zip, static_cast<std::uint32_t>(entries.size()));
  put32(zip, static_cast<std::uint32_t>(directory.size()));
  put32(zip, cd_offset);
  put16(zip, 0);
  return zip;
}

}  // namespace attn
