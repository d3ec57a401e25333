// .npy / .npz / weights files: round trips, numpy's own files, and every way a file can be bad.
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "engine/model/checkpoint.hpp"
#include "engine/npy.hpp"
#include "engine/npz.hpp"
#include "engine/weights.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kNpz = fs::path(ATTN_TEST_DATA_DIR) / "fixtures" / "npz";

attn::ModelConfig small_config() {
  attn::ModelConfig c;
  c.d_model = 8;
  c.n_heads = 2;
  return c;
}

using test_support::TempDir;

// xtensor's operator== returns bool, but Catch's expression decomposition cannot see through it.
template <typename T>
bool same(const T& a, const T& b) {
  return a == b;
}

std::vector<float> expected(const std::string& key) {
  return attn::npy_decode(attn::read_file((kNpz / ("expected_" + key + ".npy")).string()), key).data;
}

// Raw deflate (as zip holds it) of `size` zero bytes: what a zip bomb is made of.
struct Deflated {
  std::string bytes;
  std::uint32_t crc = 0;
};
Deflated deflate_zeros(std::uint64_t size) {
  Deflated d;
  z_stream z{};
  REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_RLE) == Z_OK);
  const std::string zeros(1 << 20, '\0');
  uLong crc = crc32(0, nullptr, 0);
  std::vector<char> buffer(1 << 16);
  for (std::uint64_t left = size;;) {
    const std::uint64_t now = std::min<std::uint64_t>(left, zeros.size());
    left -= now;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
    z.avail_in = static_cast<uInt>(now);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(zeros.data()), static_cast<uInt>(now));
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer.data());
      z.avail_out = static_cast<uInt>(buffer.size());
      deflate(&z, left == 0 ? Z_FINISH : Z_NO_FLUSH);
      d.bytes.append(buffer.data(), buffer.size() - z.avail_out);
    } while (z.avail_out == 0);
    if (left == 0) break;
  }
  deflateEnd(&z);
  d.crc = static_cast<std::uint32_t>(crc);
  return d;
}

// One entry of a hand-made zip: its data as stored, and the sizes and CRC it claims.
struct ZipEntry {
  std::string name;
  std::uint16_t method = 8;  // deflate
  std::uint32_t crc = 0;
  std::string data;
  std::uint64_t claimed = 0;  // uncompressed size, written as ZIP64 when it needs 64 bits
};

void put(std::string& s, std::uint64_t v, int bytes) {  // little-endian, bytes <= 8
  for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}

std::string make_zip(const std::vector<ZipEntry>& entries) {
  std::string zip, directory;
  for (const ZipEntry& e : entries) {
    const bool zip64 = e.claimed >= 0xFFFFFFFFull;
    const std::uint64_t offset = zip.size();
    put(zip, 0x04034b50u, 4);
    put(zip, 45, 2);
    put(zip, 0, 2);
    put(zip, e.method, 2);
    put(zip, 0, 4);  // time, date
    put(zip, e.crc, 4);
    put(zip, e.data.size(), 4);
    put(zip, zip64 ? 0xFFFFFFFFu : e.claimed, 4);
    put(zip, e.name.size(), 2);
    put(zip, 0, 2);
    zip += e.name + e.data;
    put(directory, 0x02014b50u, 4);
    put(directory, 45, 2);
    put(directory, 45, 2);
    put(directory, 0, 2);
    put(directory, e.method, 2);
    put(directory, 0, 4);
    put(directory, e.crc, 4);
    put(directory, e.data.size(), 4);
    put(directory, zip64 ? 0xFFFFFFFFu : e.claimed, 4);
    put(directory, e.name.size(), 2);
    put(directory, zip64 ? 12 : 0, 2);  // extra
    put(directory, 0, 2);               // comment length
    put(directory, 0, 2);               // disk
    put(directory, 0, 2);               // internal attributes
    put(directory, 0, 4);               // external attributes
    put(directory, offset, 4);
    directory += e.name;
    if (zip64) {
      put(directory, 0x0001, 2);
      put(directory, 8, 2);
      put(directory, e.claimed, 8);
    }
  }
  const std::uint64_t cd_offset = zip.size();
  zip += directory;
  put(zip, 0x06054b50u, 4);
  put(zip, 0, 4);
  put(zip, entries.size(), 2);
  put(zip, entries.size(), 2);
  put(zip, directory.size(), 4);
  put(zip, cd_offset, 4);
  put(zip, 0, 2);
  return zip;
}

}  // namespace

TEST_CASE("npy round-trips shapes and values", "[npy]") {
  const std::vector<float> data{1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
  for (const std::vector<std::size_t>& shape : {std::vector<std::size_t>{6}, {2, 3}, {1, 2, 3}, {0, 4}}) {
    const std::string bytes = attn::npy_encode(data.data(), shape);
    CHECK((bytes.find('\n') + 1) % 64 == 0);  // data aligned like numpy's files
    const attn::NpyArray back = attn::npy_decode(bytes, "test");
    CHECK(back.shape == shape);
    std::size_t count = 1;
    for (auto d : shape) count *= d;
    CHECK(back.data == std::vector<float>(data.begin(), data.begin() + static_cast<long>(count)));
  }
}

TEST_CASE("every key survives an npz write and read, the empty one too", "[npz]") {
  // Found by the npz fuzz target: "" was written as ".npy" and read back as ".npy".
  const std::map<std::string, std::string> entries{{"", "a"}, {".npy", "b"}, {"x.npy", "c"}, {"in_proj_weight", "d"}};
  CHECK(attn::npz_read(attn::npz_write(entries), "test") == entries);
}

TEST_CASE("numpy's savez and savez_compressed files load", "[npz]") {
  for (const char* file : {"savez.npz", "savez_compressed.npz", "fortran_order.npz"}) {
    INFO(file);
    const attn::MhaWeights w = attn::load_weights_npz((kNpz / file).string());
    CHECK(w.d_model() == 8);
    CHECK(w.inner_dim() == 8);
    CHECK(std::vector<float>(w.in_proj_weight.begin(), w.in_proj_weight.end()) == expected("in_proj_weight"));
    CHECK(std::vector<float>(w.out_proj_weight.begin(), w.out_proj_weight.end()) == expected("out_proj.weight"));
    CHECK(std::vector<float>(w.in_proj_bias.begin(), w.in_proj_bias.end()) == expected("in_proj_bias"));
    CHECK(std::vector<float>(w.out_proj_bias.begin(), w.out_proj_bias.end()) == expected("out_proj.bias"));
  }
}

TEST_CASE("missing bias keys mean zero bias", "[npz]") {
  const attn::MhaWeights w = attn::load_weights_npz((kNpz / "no_biases.npz").string());
  for (float b : w.in_proj_bias) CHECK(b == 0.0f);
  for (float b : w.out_proj_bias) CHECK(b == 0.0f);
  CHECK(w.in_proj_bias.size() == 24);
}

TEST_CASE("bad weight files are refused with the key and the shapes", "[npz]") {
  CHECK_THROWS_WITH(attn::load_weights_npz((kNpz / "float64.npz").string()), Catch::Contains("in_proj_weight") &&
                                                                                 Catch::Contains("'<f8' (float64)") &&
                                                                                 Catch::Contains("float32"));
  CHECK_THROWS_WITH(attn::load_weights_npz((kNpz / "wrong_shape.npz").string()),
                    Catch::Contains("out_proj.weight is (8, 10)") && Catch::Contains("needs (8, 8)"));
  CHECK_THROWS_WITH(attn::load_weights_npz((kNpz / "missing_out_proj.npz").string()),
                    Catch::Contains("missing key 'out_proj.weight'") && Catch::Contains("found: in_proj_bias"));
  CHECK_THROWS_WITH(attn::load_weights_npz("/nonexistent/weights.npz"),
                    Catch::Contains("cannot read /nonexistent/weights.npz"));
  CHECK_THROWS_AS(attn::load_weights_npz((kNpz / "float64.npz").string()), attn::FileError);
}

TEST_CASE("every truncation of a real archive fails cleanly", "[npz]") {
  for (const char* file : {"savez.npz", "savez_compressed.npz"}) {
    const std::string bytes = attn::read_file((kNpz / file).string());
    for (std::size_t len = 0; len < bytes.size(); ++len) {
      INFO(file << " cut at " << len);
      try {
        const auto entries = attn::npz_read(bytes.substr(0, len), file);
        // A cut inside the trailing comment-free EOCD cannot leave a complete archive.
        FAIL("a truncated archive was accepted");
      } catch (const attn::FileError&) {
      }
    }
  }
}

TEST_CASE("flipped bytes and garbage never crash the reader", "[npz]") {
  const std::string good = attn::read_file((kNpz / "savez_compressed.npz").string());
  std::mt19937 rng(11);
  int refused = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = good;
    const int flips = 1 + trial % 4;
    for (int f = 0; f < flips; ++f)
      bad[std::uniform_int_distribution<std::size_t>(0, bad.size() - 1)(rng)] = static_cast<char>(rng());
    try {
      const auto entries = attn::npz_read(bad, "flipped");
      for (const auto& [k, v] : entries) (void)attn::npy_decode(v, k);
    } catch (const attn::FileError&) {
      ++refused;
    }
  }
  CHECK(refused > 2000);  // CRCs catch nearly every flip in the data
  for (const std::string& garbage :
       {std::string(), std::string("PK"), std::string(100, '\0'), std::string("PK\x05\x06") + std::string(18, '\xff')})
    CHECK_THROWS_AS(attn::npz_read(garbage, "garbage"), attn::FileError);
}

TEST_CASE("a lying npy header cannot cause a huge allocation", "[npy]") {
  std::string bytes = attn::npy_encode(std::vector<float>(4).data(), {4});
  const std::size_t at = bytes.find("(4,)");
  bytes.replace(at, 4, "(999999999999, 999999999999)");
  CHECK_THROWS_WITH(attn::npy_decode(bytes, "lying"), Catch::Contains("lying"));
  CHECK_THROWS_AS(attn::npy_decode("\x93NUMPY\x01\x00\xff\xff", "short"), attn::FileError);
  CHECK_THROWS_AS(attn::npy_decode("not numpy", "x"), attn::FileError);
}

TEST_CASE("weights save and load back exactly, and match init", "[weights]") {
  TempDir dir;
  const attn::MhaWeights w = attn::init_weights(small_config());
  const std::string path = (dir.path / "w.npz").string();
  attn::save_weights_npz(w, path);
  const attn::MhaWeights back = attn::load_weights_npz(path);
  CHECK(same(back.in_proj_weight, w.in_proj_weight));
  CHECK(same(back.out_proj_weight, w.out_proj_weight));
  CHECK(same(back.in_proj_bias, w.in_proj_bias));
  CHECK(same(back.out_proj_bias, w.out_proj_bias));
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) files += e.is_regular_file();
  CHECK(files == 1);
}

TEST_CASE("init is seeded, Xavier-bounded and deterministic", "[weights]") {
  attn::ModelConfig c = small_config();
  const attn::MhaWeights a = attn::init_weights(c), b = attn::init_weights(c);
  CHECK(same(a.in_proj_weight, b.in_proj_weight));
  c.seed = 43;
  CHECK_FALSE(same(attn::init_weights(c).in_proj_weight, a.in_proj_weight));
  const float bound = std::sqrt(6.0f / 16.0f);
  for (float v : a.in_proj_weight) CHECK(std::fabs(v) <= bound);
  const float largest = xt::amax(xt::abs(a.in_proj_weight))();
  CHECK(largest > bound * 0.8f);  // uses the range, not a sliver of it
}

TEST_CASE("saving into a missing folder or under a file fails and leaves nothing", "[weights]") {
  const attn::MhaWeights w = attn::init_weights(small_config());
  CHECK_THROWS_WITH(attn::save_weights_npz(w, "/nonexistent-dir/w.npz"), Catch::Contains("/nonexistent-dir/w.npz"));
  CHECK_THROWS_AS(attn::save_weights_npz(w, "/etc/passwd/w.npz"), attn::FileError);
  CHECK_FALSE(fs::exists("/nonexistent-dir"));
}

TEST_CASE("atomic writes: never over a device, through symlinks, keeping the mode, long names", "[io]") {
  test_support::TempDir dir;
  CHECK_THROWS_WITH(attn::write_file_atomic("/dev/null", "x"),
                    Catch::Contains("is a character device, which is never replaced"));
  CHECK_THROWS_WITH(attn::write_file_atomic(dir.path.string(), "x"), Catch::Contains("is a folder"));
  const std::filesystem::path real = dir.path / "real.json", link = dir.path / "link.json";
  attn::write_file_atomic(real.string(), "one");
  std::filesystem::permissions(real, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::create_symlink(real, link);
  attn::write_file_atomic(link.string(), "two");
  CHECK(std::filesystem::is_symlink(link));        // still a link ...
  CHECK(attn::read_file(real.string()) == "two");  // ... and its target has the new bytes
  CHECK((std::filesystem::status(real).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  std::filesystem::create_symlink(dir.path / "missing", dir.path / "dangling");
  CHECK_THROWS_WITH(attn::write_file_atomic((dir.path / "dangling").string(), "x"),
                    Catch::Contains("symbolic link to a missing file"));
  const std::string long_name = (dir.path / (std::string(246, 'a') + ".png")).string();  // 250 bytes, within NAME_MAX
  CHECK_NOTHROW(attn::write_file_atomic(long_name, "png"));
  CHECK(attn::read_file(long_name) == "png");
}

TEST_CASE("only regular files are read: a FIFO, a device or a folder is refused at once, saying what it is", "[io]") {
  TempDir dir;
  const std::string fifo = (dir.path / "weights.npz").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // Opening the FIFO would wait for a writer forever: these must return with an error instead.
  CHECK_THROWS_WITH(attn::read_file(fifo), Catch::Contains("cannot read " + fifo + ": it is a FIFO, not a file"));
  CHECK_THROWS_WITH(attn::load_weights_npz(fifo), Catch::Contains("is a FIFO"));
  CHECK_THROWS_WITH(attn::load_checkpoint(fifo), Catch::Contains("is a FIFO"));
  // /dev/zero never ends: it used to be read until memory ran out.
  CHECK_THROWS_WITH(attn::load_weights_npz("/dev/zero"), Catch::Contains("/dev/zero: it is a character device"));
  CHECK_THROWS_WITH(attn::load_checkpoint("/dev/zero"), Catch::Contains("is a character device"));
  CHECK_THROWS_WITH(attn::load_weights_npz(dir.path.string()), Catch::Contains("is a folder"));
  // A regular file above the limit given is refused unread.
  const std::string big = (dir.path / "big.bin").string();
  std::ofstream(big) << std::string(1000, 'x');
  CHECK(attn::read_file(big, 1000).size() == 1000);
  CHECK_THROWS_WITH(attn::read_file(big, 999), Catch::Contains("larger than"));
}

TEST_CASE("archive limits come from the largest model attnlab allows", "[npz]") {
  CHECK(attn::kLargestTensorBytes == 384ull << 20);  // in_proj_weight of d_model 1024, 32 heads of 1024
  CHECK(attn::kMaxNpzEntryBytes == 385ull << 20);
  CHECK(attn::kMaxNpzBytes > attn::kLargestModelBytes);
  // The largest model is a trained one at its limits (12 layers, d_model 1024, 32 heads of 256,
  // vocabulary 65,536, 1,024 positions): 2,556,010,496 bytes, plus 32 MiB for the archive.
  CHECK(attn::kLargestModelBytes == 2556010496ull);
  CHECK(attn::kMaxNpzBytes == 2556010496ull + (32ull << 20));
}

TEST_CASE("a crafted zip claiming a huge size is refused before anything is allocated, naming the entry", "[npz]") {
  const std::string tiny = deflate_zeros(1000).bytes;
  // 1 TiB claimed in a ZIP64 field by a file of a few hundred bytes.
  const std::string huge = make_zip({{"in_proj_weight.npy", 8, 0, tiny, 1ull << 40}});
  CHECK(huge.size() < 1000);
  CHECK_THROWS_WITH(
      attn::npz_read(huge, "huge.npz"),
      Catch::Contains("huge.npz: entry 'in_proj_weight.npy' claims 1099511627776 bytes") && Catch::Contains("385 MiB"));
  // Within the model's limits, but more than its few compressed bytes can inflate to.
  CHECK_THROWS_WITH(attn::npz_read(make_zip({{"in_proj_weight.npy", 8, 0, tiny, 100ull << 20}}), "lie.npz"),
                    Catch::Contains("entry 'in_proj_weight.npy' claims 104857600 bytes from") &&
                        Catch::Contains("more than deflate can produce"));
  // A stored entry claiming more than its bytes.
  CHECK_THROWS_AS(attn::npz_read(make_zip({{"a.npy", 0, 0, "abc", 1000}}), "stored.npz"), attn::FileError);
}

TEST_CASE("a deflate bomb inflates no further than its claim and the model's limits", "[npz]") {
  // 1. A claim smaller than the data: inflating stops at the claim.
  const Deflated eight = deflate_zeros(8ull << 20);
  CHECK_THROWS_WITH(attn::npz_read(make_zip({{"x.npy", 8, eight.crc, eight.bytes, 1ull << 20}}), "bomb.npz"),
                    Catch::Contains("x.npy inflates to more than the 1048576 bytes it claims"));
  // 2. An honest bomb above the largest array: 390 MiB from about 400 KB.
  const Deflated big = deflate_zeros(390ull << 20);
  CHECK(big.bytes.size() < (1u << 20));
  CHECK_THROWS_WITH(attn::npz_read(make_zip({{"in_proj_weight.npy", 8, big.crc, big.bytes, 390ull << 20}}), "big.npz"),
                    Catch::Contains("entry 'in_proj_weight.npy' claims 408944640 bytes"));
  // 3. Honest entries each within the limit, together above the largest model: refused by the
  //    claims, before the first one is inflated.
  //    Nine of 280 MiB pass the 2,589,564,928 bytes of the largest trained model plus 32 MiB.
  const Deflated part = deflate_zeros(280ull << 20);
  std::vector<ZipEntry> parts;
  for (const char* name : {"a.npy", "b.npy", "c.npy", "d.npy", "e.npy", "f.npy", "g.npy", "h.npy", "i.npy"})
    parts.push_back({name, 8, part.crc, part.bytes, 280ull << 20});
  const std::string many = make_zip(parts);
  CHECK(many.size() < (4u << 20));
  CHECK_THROWS_WITH(
      attn::npz_read(many, "many.npz"),
      Catch::Contains("the entries up to 'i.npy' claim 2642411520 bytes in total") && Catch::Contains("2469 MiB"));
  // 4. A small honest archive still loads.
  const Deflated small = deflate_zeros(4096);
  const auto entries = attn::npz_read(make_zip({{"z.npy", 8, small.crc, small.bytes, 4096}}), "small.npz");
  CHECK(entries.at("z") == std::string(4096, '\0'));
}
