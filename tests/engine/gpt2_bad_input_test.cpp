// Broken Hugging Face folders and safetensors files, made here from a good fixture: each is a
// FileError whose message names the file and the key or tensor, never a crash or a huge allocation.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/file_io.hpp"
#include "engine/io/hf_gpt2.hpp"
#include "engine/io/safetensors.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using Catch::Contains;

namespace {

const fs::path kFixture = fs::path(ATTN_TEST_DATA_DIR) / "engine/gpt2/f32_gelu_inner";

struct Folder {
  test_support::TempDir dir;
  fs::path path;
  Folder() : path(dir.path / "model") { fs::copy(kFixture, path, fs::copy_options::recursive); }
  nlohmann::json config() const { return nlohmann::json::parse(attn::read_file((path / "config.json").string())); }
  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path / name, std::ios::binary) << bytes;
  }
  void set(const char* key, const nlohmann::json& value) const {
    nlohmann::json c = config();
    c[key] = value;
    write("config.json", c.dump());
  }
  std::string load_error() const {
    try {
      attn::load_hf_gpt2(path.string());
    } catch (const attn::FileError& e) {
      return e.what();
    }
    return "(loaded)";
  }
};

// A safetensors file from a header object and data bytes, the header length as given.
std::string safetensors(const nlohmann::json& header, const std::string& data, std::uint64_t claimed = 0) {
  const std::string text = header.dump();
  const std::uint64_t n = claimed ? claimed : text.size();
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out + text + data;
}

std::string parse_error(const std::string& file) {
  try {
    attn::parse_safetensors_header(reinterpret_cast<const unsigned char*>(file.data()), file.size(), "w.safetensors");
  } catch (const attn::FileError& e) {
    return e.what();
  }
  return "(parsed)";
}

nlohmann::json entry(const char* dtype, std::vector<int> shape, std::uint64_t begin, std::uint64_t end) {
  return {{"dtype", dtype}, {"shape", shape}, {"data_offsets", {begin, end}}};
}

}  // namespace

TEST_CASE("config.json problems name the file and the key", "[gpt2]") {
  {
    Folder f;
    fs::remove(f.path / "config.json");
    CHECK_THAT(f.load_error(), Contains("not a Hugging Face model folder") && Contains("config.json"));
  }
  {
    Folder f;
    f.write("config.json", "{\"model_type\": \"gpt2\", ");
    CHECK_THAT(f.load_error(), Contains("config.json: not valid JSON"));
  }
  {
    Folder f;
    nlohmann::json c = f.config();
    c.erase("n_layer");
    f.write("config.json", c.dump());
    CHECK_THAT(f.load_error(), Contains("config.json: 'n_layer' is missing"));
  }
  const std::pair<const char*, nlohmann::json> absurd[] = {
      {"n_layer", 0},        {"n_layer", 1000000000},
      {"n_head", 5},         {"n_embd", -32},
      {"n_positions", 1e12}, {"layer_norm_epsilon", "small"},
      {"n_layer", 2.5},      {"vocab_size", 18446744073709551615ull}};
  for (const auto& [key, value] : absurd) {
    Folder f;
    f.set(key, value);
    INFO(key << " = " << value.dump());
    CHECK_THAT(f.load_error(), Contains("config.json") && Contains(key));
  }
  {
    Folder f;
    f.set("n_head", 5);
    CHECK_THAT(f.load_error(), Contains("'n_embd' (32) must be divisible by 'n_head' (5)"));
  }
  {
    Folder f;
    f.set("model_type", "llama");
    CHECK_THAT(f.load_error(), Contains("'model_type' is 'llama'") && Contains("gpt2"));
  }
  {
    Folder f;
    f.set("activation_function", "relu");
    CHECK_THAT(f.load_error(), Contains("'activation_function' is 'relu'"));
  }
}

TEST_CASE("tensors that disagree with config.json are named with both shapes", "[gpt2]") {
  {
    Folder f;
    f.set("n_positions", 32);  // wpe holds 24 rows
    CHECK_THAT(f.load_error(), Contains("tensor 'wpe.weight' is (24, 32) but config.json needs (32, 32)"));
  }
  {
    // The largest model the limits allow (about 12 GB of float32) over a 100 KB file: refused by
    // the shapes before any of it is allocated.
    Folder f;
    nlohmann::json c = f.config();
    c["n_layer"] = 48;
    c["n_embd"] = 2048;
    c["n_head"] = 16;
    c["n_inner"] = 8192;
    c["vocab_size"] = 262144;
    c["n_positions"] = 4096;
    f.write("config.json", c.dump());
    CHECK_THAT(f.load_error(), Contains("tensor 'wte.weight' is (300, 32) but config.json needs (262144, 2048)"));
  }
  {
    Folder f;
    f.set("n_layer", 3);
    CHECK_THAT(f.load_error(), Contains("missing tensor 'h.2.ln_1.weight'"));
  }
  {
    Folder f;
    f.set("n_layer", 1);
    CHECK_THAT(f.load_error(), Contains("unexpected tensor 'h.1."));
  }
  {
    Folder f;
    f.set("tie_word_embeddings", false);  // then lm_head.weight must be there
    CHECK_THAT(f.load_error(), Contains("missing tensor 'lm_head.weight'"));
  }
}

TEST_CASE("a NaN in a weight and a vocabulary of the wrong size are refused", "[gpt2]") {
  {
    Folder f;
    const std::string file = (f.path / "model.safetensors").string();
    std::string bytes = attn::read_file(file);
    const auto header =
        attn::parse_safetensors_header(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), file);
    const attn::SafeTensorInfo* ln = nullptr;
    for (const auto& t : header.tensors)
      if (t.name == "h.1.ln_2.bias") ln = &t;
    REQUIRE(ln != nullptr);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    std::memcpy(bytes.data() + header.data_start + ln->begin + 8, &nan, sizeof nan);
    f.write("model.safetensors", bytes);
    CHECK_THAT(f.load_error(), Contains("model.safetensors: tensor 'h.1.ln_2.bias' holds a non-finite value"));
  }
  {
    Folder f;
    nlohmann::json vocab = nlohmann::json::parse(attn::read_file((f.path / "vocab.json").string()));
    vocab.erase("!");
    f.write("vocab.json", vocab.dump());
    CHECK_THAT(f.load_error(), Contains("vocab.json: it has 299 tokens but the embedding 'wte.weight' has 300 rows"));
  }
  {
    Folder f;
    fs::remove(f.path / "merges.txt");
    CHECK_THAT(f.load_error(), Contains("merges.txt"));
  }
}

TEST_CASE("a sentence longer than n_positions is refused by the forward", "[gpt2]") {
  const attn::HfGpt2 hf = attn::load_hf_gpt2(kFixture.string());
  const std::vector<std::int32_t> ids(25, 7);  // n_positions is 24
  attn::Activations acts;
  CHECK_THROWS_WITH(attn::model_forward(hf.model, ids.data(), 1, 25, acts),
                    Contains("25 tokens is longer than the model's 24"));
}

TEST_CASE("safetensors headers: lengths offsets and dtypes are checked against the file", "[gpt2]") {
  const std::string data(16, '\0');
  const nlohmann::json good = {{"a", entry("F32", {2}, 0, 8)}, {"b", entry("F16", {2, 2}, 8, 16)}};
  CHECK(parse_error(safetensors(good, data)) == "(parsed)");
  CHECK_THAT(parse_error(safetensors(good, data, 1000)),
             Contains("the header claims 1000 bytes but the file has only"));
  CHECK_THAT(parse_error(safetensors(good, data, 200000000)), Contains("more than the format's limit of 100 MB"));
  CHECK_THAT(parse_error(std::string("\x05\0\0", 3)), Contains("shorter than its 8-byte header length"));
  CHECK_THAT(parse_error(
                 safetensors({{"a", entry("F32", {2}, 0, 8)}, {"b", entry("F32", {2}, 4, 12)}}, std::string(12, '\0'))),
             Contains("tensor 'b' overlaps tensor 'a'"));
  CHECK_THAT(parse_error(safetensors({{"a", entry("F32", {4}, 0, 16)}}, std::string(8, '\0'))),
             Contains("tensor 'a': data_offsets [0, 16] go past the 8 data bytes"));
  CHECK_THAT(parse_error(safetensors({{"a", entry("F32", {0}, 8, 0)}}, std::string(8, '\0'))),
             Contains("tensor 'a': data_offsets [8, 0] end before they begin"));
  CHECK_THAT(parse_error(safetensors({{"a", entry("F33", {2}, 0, 8)}}, std::string(8, '\0'))),
             Contains("tensor 'a': unknown dtype 'F33'"));
  CHECK_THAT(parse_error(safetensors({{"a", entry("F32", {3}, 0, 8)}}, std::string(8, '\0'))),
             Contains("tensor 'a': F32 (3,) needs 12 bytes but data_offsets hold 8"));
  CHECK_THAT(parse_error(safetensors({{"a", entry("F32", {1}, 4, 8)}}, std::string(8, '\0'))),
             Contains("4 unused bytes before tensor 'a'"));
  CHECK_THAT(parse_error(safetensors({{"a", entry("F32", {1}, 0, 4)}}, std::string(8, '\0'))),
             Contains("4 bytes after the last tensor"));
  // A shape whose product overflows 64 bits is bounded by the file, not multiplied out.
  CHECK_THAT(parse_error(safetensors({{"a", entry("F32", {1 << 30, 1 << 30, 1 << 30}, 0, 8)}}, std::string(8, '\0'))),
             Contains("tensor 'a'"));
  CHECK_THAT(parse_error(safetensors(nlohmann::json::array({1, 2}), "")), Contains("not a JSON object"));
  // A dtype the format knows but weights cannot be, when read.
  const attn::SafeTensorInfo ints{"ids", attn::SafeDtype::I64, "I64", {1}, 0, 8};
  float out[1];
  const unsigned char raw[8] = {};
  CHECK_THROWS_WITH(attn::safetensors_to_f32(ints, raw, out, "w.safetensors"),
                    "w.safetensors: tensor 'ids' is I64; weights must be F32, F16 or BF16");
}

TEST_CASE("F16 and BF16 widen exactly", "[gpt2]") {
  // 1.0, -2.0, 65504 (the largest half), 2^-24 (the smallest subnormal half) as F16 bits.
  const unsigned char f16[] = {0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00};
  const attn::SafeTensorInfo h{"h", attn::SafeDtype::F16, "F16", {4}, 0, 8};
  float out[4];
  attn::safetensors_to_f32(h, f16, out, "x");
  CHECK(out[0] == 1.0f);
  CHECK(out[1] == -2.0f);
  CHECK(out[2] == 65504.0f);
  CHECK(out[3] == std::ldexp(1.0f, -24));
  // BF16 1.0 (0x3F80) and -0.5 (0xBF00).
  const unsigned char bf16[] = {0x80, 0x3F, 0x00, 0xBF};
  const attn::SafeTensorInfo b{"b", attn::SafeDtype::BF16, "BF16", {2}, 0, 4};
  attn::safetensors_to_f32(b, bf16, out, "x");
  CHECK(out[0] == 1.0f);
  CHECK(out[1] == -0.5f);
  // Infinity in F16 is refused like NaN.
  const unsigned char inf16[] = {0x00, 0x7C};
  const attn::SafeTensorInfo i{"i", attn::SafeDtype::F16, "F16", {1}, 0, 2};
  CHECK_THROWS_WITH(attn::safetensors_to_f32(i, inf16, out, "x"), Contains("tensor 'i' holds a non-finite value"));
}

TEST_CASE("a shard index naming a file outside the folder is refused", "[gpt2]") {
  test_support::TempDir dir;
  const fs::path path = dir.path / "sharded";
  fs::copy(fs::path(ATTN_TEST_DATA_DIR) / "engine/gpt2/f32_sharded_tied", path, fs::copy_options::recursive);
  nlohmann::json index = nlohmann::json::parse(attn::read_file((path / "model.safetensors.index.json").string()));
  index["weight_map"]["transformer.wte.weight"] = "../model-00001-of-00003.safetensors";
  std::ofstream(path / "model.safetensors.index.json") << index.dump();
  CHECK_THROWS_WITH(attn::load_hf_gpt2(path.string()), Contains("not a file in the folder"));
  index["weight_map"]["transformer.wte.weight"] = "model-00002-of-00003.safetensors";  // it is in shard 1
  std::ofstream(path / "model.safetensors.index.json") << index.dump();
  CHECK_THROWS_WITH(attn::load_hf_gpt2(path.string()), Contains("is not listed for this file"));
}
