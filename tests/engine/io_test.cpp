// .npy / .npz / weights files: round trips, numpy's own files, and every way a file can be bad.
#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

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
  CHECK_THROWS_WITH(attn::load_weights_npz((kNpz / "float64.npz").string()),
                    Catch::Contains("in_proj_weight") && Catch::Contains("'<f8' (float64)") && Catch::Contains("float32"));
  CHECK_THROWS_WITH(attn::load_weights_npz((kNpz / "wrong_shape.npz").string()),
                    Catch::Contains("out_proj.weight is (8, 10)") && Catch::Contains("needs (8, 8)"));
  CHECK_THROWS_WITH(attn::load_weights_npz((kNpz / "missing_out_proj.npz").string()),
                    Catch::Contains("missing key 'out_proj.weight'") && Catch::Contains("found: in_proj_bias"));
  CHECK_THROWS_WITH(attn::load_weights_npz("/nonexistent/weights.npz"), Catch::Contains("cannot read /nonexistent/weights.npz"));
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
  for (const std::string& garbage : {std::string(), std::string("PK"), std::string(100, '\0'), std::string("PK\x05\x06") + std::string(18, '\xff')})
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
  CHECK_THROWS_WITH(attn::write_file_atomic("/dev/null", "x"), Catch::Contains("is a device, which is never replaced"));
  CHECK_THROWS_WITH(attn::write_file_atomic(dir.path.string(), "x"), Catch::Contains("is a folder"));
  const std::filesystem::path real = dir.path / "real.json", link = dir.path / "link.json";
  attn::write_file_atomic(real.string(), "one");
  std::filesystem::permissions(real, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::create_symlink(real, link);
  attn::write_file_atomic(link.string(), "two");
  CHECK(std::filesystem::is_symlink(link));  // still a link ...
  CHECK(attn::read_file(real.string()) == "two");  // ... and its target has the new bytes
  CHECK((std::filesystem::status(real).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  std::filesystem::create_symlink(dir.path / "missing", dir.path / "dangling");
  CHECK_THROWS_WITH(attn::write_file_atomic((dir.path / "dangling").string(), "x"), Catch::Contains("symbolic link to a missing file"));
  const std::string long_name = (dir.path / (std::string(246, 'a') + ".png")).string();  // 250 bytes, within NAME_MAX
  CHECK_NOTHROW(attn::write_file_atomic(long_name, "png"));
  CHECK(attn::read_file(long_name) == "png");
}
