// The attnlab command line as a user runs it: files written, shapes, and exit codes 0 / 1 / 2
// with one-line messages.
#include <catch2/catch.hpp>

#include "cli_run.hpp"
#include "temp_dir.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "engine/model/checkpoint.hpp"
#include "engine/npy.hpp"
#include "engine/weights.hpp"

namespace fs = std::filesystem;

namespace {

using test_support::Result;
using test_support::run;

using test_support::TempDir;

std::vector<std::size_t> shape_of(const fs::path& p) {
  return attn::npy_decode(attn::read_file(p.string()), p.string()).shape;
}

}  // namespace

TEST_CASE("dump writes every intermediate with the documented shapes", "[cli]") {
  TempDir dir;
  const fs::path out = dir.path / "new" / "dump";
  const Result r =
      run("dump --text 'The cat sat .' --heads 2 --d-model 8 --causal --positional rope --out " + out.string());
  INFO(r.out);
  REQUIRE(r.code == 0);
  using S = std::vector<std::size_t>;
  CHECK(shape_of(out / "x.npy") == S{4, 8});
  for (const char* f : {"q.npy", "k.npy", "v.npy", "head_out.npy"}) CHECK(shape_of(out / f) == S{2, 4, 4});
  CHECK(shape_of(out / "scores.npy") == S{2, 4, 4});
  CHECK(shape_of(out / "attn.npy") == S{2, 4, 4});
  CHECK(shape_of(out / "concat.npy") == S{4, 8});
  CHECK(shape_of(out / "out.npy") == S{4, 8});
  const auto tokens = nlohmann::json::parse(attn::read_file((out / "tokens.json").string()));
  CHECK(tokens["tokens"].size() == 4);
  CHECK(tokens["tokens"][1]["text"] == "cat");
  CHECK(tokens["tokens"][1]["start"] == 4);
  CHECK(tokens["tokens"][1]["end"] == 7);
  CHECK(tokens["config"]["n_heads"] == 2);
  CHECK(tokens["config"]["positional"] == "rope");
  CHECK(tokens["config"]["causal"] == true);
  // The causal mask: attn[h, 0, 1] is exactly zero.
  const attn::NpyArray a = attn::npy_decode(attn::read_file((out / "attn.npy").string()), "attn");
  CHECK(a.data[1] == 0.0f);
}

TEST_CASE("params.npz from dump loads back with --weights and gives the same result", "[cli]") {
  TempDir dir;
  REQUIRE(run("dump --text 'a b c' --heads 2 --d-model 8 --seed 9 --out " + (dir.path / "one").string()).code == 0);
  // A different seed for embeddings, but the weights from the file; d_model comes from the file.
  const Result r = run("dump --text 'a b c' --heads 2 --seed 9 --weights " +
                       (dir.path / "one" / "params.npz").string() + " --out " + (dir.path / "two").string());
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(attn::read_file((dir.path / "one" / "out.npy").string()) ==
        attn::read_file((dir.path / "two" / "out.npy").string()));
}

TEST_CASE("bad arguments exit 2 with one line, failed I/O exits 1", "[cli]") {
  TempDir dir;
  const std::string out = " --out " + (dir.path / "x").string();
  for (const std::string& args :
       {std::string("dump --heads 3 --d-model 64") + out, std::string("dump --heads x") + out,
        std::string("dump --positional spiral") + out, std::string("dump"), std::string("dump --frobnicate") + out,
        std::string("dump --temperature 0") + out,
        std::string("export --what head:9 --heads 2 --d-model 8") + out + ".png",
        std::string("export --scale 9") + out + ".png", std::string("export --format jpg") + out,
        std::string("export --format svg") + out + ".png", std::string("bench --n 0"),
        std::string("--no-such-flag-at-all --frames 1")}) {
    INFO(args);
    const Result r = run(args);
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    CHECK(r.out.rfind("attnlab", 0) == 0);
  }
  CHECK_THAT(run("dump --heads 3 --d-model 64" + out).out,
             Catch::Contains("d_model (64) must be divisible by n_heads (3)"));
  for (const std::string& args :
       {std::string("dump --out /etc/passwd/sub"), std::string("export --out /nonexistent-dir/f.png"),
        std::string("dump --weights /nonexistent.npz") + out}) {
    INFO(args);
    const Result r = run(args);
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  }
  std::ofstream(dir.path / "corrupt.npz") << "PK this is not a zip";
  const Result corrupt = run("dump --weights " + (dir.path / "corrupt.npz").string() + out);
  CHECK(corrupt.code == 1);
  CHECK_THAT(corrupt.out, Catch::Contains("corrupt.npz"));
}

TEST_CASE("export writes each format, into a folder with a made-up name too", "[cli]") {
  TempDir dir;
  for (const char* file : {"g.png", "g.svg", "g.csv", "g.npy"}) {
    const Result r = run(std::string("export --heads 2 --d-model 8 --out ") + (dir.path / file).string());
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(fs::file_size(dir.path / file) > 0);
  }
  CHECK(run("export --what qkv:2 --heads 2 --d-model 8 --scale 2 --theme dark --transparent --out " +
            (dir.path / "q.png").string())
            .code == 0);
  const Result r = run("export --what head:1 --format svg --out " + dir.path.string());
  CHECK(r.code == 0);
  int svgs = 0;
  for (const auto& e : fs::directory_iterator(dir.path))
    svgs += e.path().extension() == ".svg" && e.path().filename().string().rfind("attention_the-cat", 0) == 0;
  CHECK(svgs == 1);
}

TEST_CASE("bench prints one line per configuration", "[cli]") {
  const Result r = run("bench --n 4,8 --d-model 16 --heads 1,2,3 --reps 3");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("n=4 d_model=16 heads=1 median_us="));
  CHECK_THAT(r.out, Catch::Contains("n=8 d_model=16 heads=2 median_us="));
  CHECK(r.out.find("heads=3") == std::string::npos);         // 3 does not divide 16: skipped
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 5);  // a header and four lines
}

TEST_CASE("bench-soak recomputes in both modes and prints the memory along the way", "[cli][soak]") {
  const Result r = run("bench-soak --recomputes 200 --every 50");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("rss_kb start="));
  for (const char* line :
       {"recomputes=50 rss_kb=", "recomputes=100 rss_kb=", "recomputes=150 rss_kb=", "recomputes=200 rss_kb="})
    CHECK_THAT(r.out, Catch::Contains(line));
  // Every input differs from the one before, so every update recomputes; none is refused.
  CHECK_THAT(r.out, Catch::Contains("explore=180 train=20 refused=0"));
  CHECK_THAT(r.out, Catch::Contains("rss_growth_kb="));
  CHECK(run("bench-soak --recomputes 5").code == 2);
  CHECK(run("bench-soak --every").code == 2);
  // The training soak's flag is read before any window opens.
  CHECK(run("bench-ui --minutes 3").code == 2);  // needs --train
  CHECK(run("bench-ui --train --minutes 0").code == 2);
}

TEST_CASE("--help and --version", "[cli]") {
  for (const char* cmd : {"--help", "dump --help", "export --help", "bench --help", "bench-soak --help"}) {
    const Result r = run(cmd);
    INFO(cmd);
    CHECK(r.code == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage"));
  }
  CHECK_THAT(run("--version").out, Catch::Contains("attnlab 0.1.0"));
}

TEST_CASE("dump and export --lesson read the data folder's lesson model, and ATTNLAB_DATA_DIR moves it",
          "[cli][lesson]") {
  TempDir dir;
  const std::string models = std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/";
  // Run from the build tree, the lesson is the source tree's file: the same bytes as --model.
  const Result by_lesson = run("dump --lesson reverse --out " + (dir.path / "lesson").string());
  INFO(by_lesson.out);
  REQUIRE(by_lesson.code == 0);
  REQUIRE(run("dump --model " + models + "reverse.npz --out " + (dir.path / "model").string()).code == 0);
  CHECK(attn::read_file((dir.path / "lesson" / "layer1" / "attn.npy").string()) ==
        attn::read_file((dir.path / "model" / "layer1" / "attn.npy").string()));
  const Result fig = run("export --lesson induction --what model --out " + (dir.path / "induction.png").string());
  INFO(fig.out);
  CHECK(fig.code == 0);
  CHECK(fs::file_size(dir.path / "induction.png") > 1000);

  // ATTNLAB_DATA_DIR is read first: a folder holding only sort.npz has sort and nothing else.
  fs::create_directories(dir.path / "data" / "models");
  fs::copy_file(models + "sort.npz", dir.path / "data" / "models" / "sort.npz");
  const std::string env = "ATTNLAB_DATA_DIR=" + (dir.path / "data").string();
  CHECK(run("export --lesson sort --out " + (dir.path / "sort.png").string(), env).code == 0);
  const Result missing = run("export --lesson induction --out " + (dir.path / "i.png").string(), env);
  INFO(missing.out);
  CHECK(missing.code == 1);
  CHECK_THAT(missing.out, Catch::Contains((dir.path / "data" / "models" / "induction.npz").string()));

  for (const std::string& args :
       {std::string("export --lesson nope --out x.png"), std::string("dump --lesson Sort --out d"),
        "export --lesson sort --model " + models + "sort.npz --out x.png",
        std::string("dump --lesson sort --lesson reverse --out d")}) {
    INFO(args);
    const Result r = run(args);
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  }
  CHECK_THAT(run("export --lesson nope --out x.png").out,
             Catch::Contains("sentences, induction, reverse, sort or english, got 'nope'"));
}

TEST_CASE("train prints progress, saves a checkpoint that dump and export read", "[cli][train]") {
  TempDir dir;
  const std::string ckpt = (dir.path / "rev.npz").string();
  const Result r =
      run("train --task reverse --steps 40 --every 20 --batch 8 --d-model 16 --heads 2 --mlp --save " + ckpt);
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("step=20 loss=") != std::string::npos);
  CHECK(r.out.find("step=40 loss=") != std::string::npos);
  CHECK(r.out.find(" reverse=") != std::string::npos);
  CHECK(r.out.find("ms_per_step=") != std::string::npos);
  REQUIRE(fs::exists(ckpt));

  const fs::path out = dir.path / "dump";
  const Result d = run("dump --model " + ckpt + " --text '<bos> a b c | c b a' --grads --out " + out.string());
  INFO(d.out);
  REQUIRE(d.code == 0);
  CHECK(shape_of(out / "layer0" / "attn.npy") == std::vector<std::size_t>{2, 8, 8});
  CHECK(shape_of(out / "layer1" / "q.npy") == std::vector<std::size_t>{2, 8, 8});
  CHECK(shape_of(out / "layer1" / "fc.npy") == std::vector<std::size_t>{8, 64});
  CHECK(shape_of(out / "logits.npy") == std::vector<std::size_t>{8, 20});
  CHECK(shape_of(out / "loss.npy") == std::vector<std::size_t>{1});
  CHECK(fs::exists(out / "grads.npz"));

  CHECK(run("export --model " + ckpt + " --layer 2 --out " + (dir.path / "l2.png").string()).code == 0);
  CHECK(fs::file_size(dir.path / "l2.png") > 1000);
  const Result bad_layer = run("export --model " + ckpt + " --layer 3 --out " + (dir.path / "l3.png").string());
  CHECK(bad_layer.code == 2);
  CHECK(bad_layer.out.find("layer 3 does not exist (the model has 2)") != std::string::npos);
  const Result mixed = run("dump --model " + ckpt + " --heads 4 --out " + out.string());
  CHECK(mixed.code == 2);
  CHECK(mixed.out.find("--heads does not apply with --model") != std::string::npos);
  const Result unknown = run("dump --model " + ckpt + " --text '<bos> a z' --out " + out.string());
  CHECK(unknown.code == 0);
  CHECK(unknown.out.find("1 word(s) not in the model's vocabulary became <unk>") != std::string::npos);
}

TEST_CASE("train refuses bad arguments with exit 2 and one line", "[cli][train]") {
  for (const char* args : {"train --task induction --steps 0", "train --task induction --lr 0",
                           "train --task induction --batch 0", "train --task translate", "train --steps 10",
                           "train --task sort --seq-len 4", "train --task induction --heads 3"}) {
    INFO(args);
    const Result r = run(args);
    CHECK(r.code == 2);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    CHECK(r.out.rfind("attnlab train: ", 0) == 0);
  }
}

TEST_CASE("a broken checkpoint is refused with the reason and exit 1", "[cli][train]") {
  TempDir dir;
  const fs::path bad = dir.path / "bad.npz";
  std::ofstream(bad) << "PK\x03\x04 not really a zip";
  const Result r = run("dump --model " + bad.string() + " --out " + (dir.path / "d").string());
  CHECK(r.code == 1);
  CHECK(r.out.find(bad.string()) != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "d"));
}

TEST_CASE("train writes its curves and a movie, export draws a whole model", "[cli][train]") {
  TempDir dir;
  const std::string curves = (dir.path / "curves.svg").string(), movie = (dir.path / "run.gif").string();
  const Result r = run("train --task reverse --steps 20 --every 10 --batch 4 --d-model 16 --heads 2 --curves " +
                       curves + " --movie " + movie);
  INFO(r.out);
  REQUIRE(r.code == 0);
  const std::string svg = attn::read_file(curves);
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("Training curves") != std::string::npos);
  CHECK(svg.find("reverse: best layer") != std::string::npos);
  const std::string gif = attn::read_file(movie);
  REQUIRE(gif.size() > 100);
  CHECK(gif.compare(0, 6, "GIF89a") == 0);
  CHECK(gif.find("NETSCAPE2.0") != std::string::npos);  // it loops
  // A 16:9 slide: the logical screen (little-endian) is 1920 x 1080.
  CHECK(static_cast<unsigned char>(gif[6]) + 256 * static_cast<unsigned char>(gif[7]) == 1920);
  CHECK(static_cast<unsigned char>(gif[8]) + 256 * static_cast<unsigned char>(gif[9]) == 1080);
  CHECK(run("train --task reverse --steps 5 --movie " + (dir.path / "run.png").string()).code == 2);

  const std::string ckpt = std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/induction.npz";
  const fs::path model_png = dir.path / "model.png";
  CHECK(run("export --model " + ckpt + " --what model --out " + model_png.string()).code == 0);
  CHECK(fs::file_size(model_png) > 10000);
  // Each head's title names its detector, with the scores training printed; every map has axis titles.
  const fs::path model_svg = dir.path / "model.svg";
  REQUIRE(run("export --model " + ckpt + " --what model --out " + model_svg.string()).code == 0);
  const std::string svg_model = attn::read_file(model_svg.string());
  CHECK(svg_model.find("Head 1  (0.00\xE2\x80\x93"
                       "1.00) \xC2\xB7 induction 0.89</text>") != std::string::npos);
  CHECK(svg_model.find("Head 3  (0.00\xE2\x80\x93"
                       "1.00) \xC2\xB7 previous-token 0.67</text>") != std::string::npos);
  std::size_t queries = 0, keys = 0;
  for (std::size_t at = 0; (at = svg_model.find(">query</text>", at)) != std::string::npos; ++at) ++queries;
  for (std::size_t at = 0; (at = svg_model.find(">key</text>", at)) != std::string::npos; ++at) ++keys;
  CHECK(queries == 8);
  CHECK(keys == 8);
  // One layer (--layer 2) names its heads the same way.
  const fs::path layer_svg = dir.path / "layer2.svg";
  REQUIRE(run("export --model " + ckpt + " --layer 2 --out " + layer_svg.string()).code == 0);
  CHECK(attn::read_file(layer_svg.string())
            .find("Head 1  (0.00\xE2\x80\x93"
                  "1.00) \xC2\xB7 induction 0.89</text>") != std::string::npos);
  CHECK(run("export --what model --out " + model_png.string()).code == 2);
}

TEST_CASE("train refuses a run that needs more memory than it may have, naming both, before it starts",
          "[cli][train][memory]") {
  // Inside every documented flag limit, this run needs ~68 GB (the hostile run's OOM kill).
  const Result r =
      run("train --task induction --layers 4 --heads 16 --d-model 256 --mlp --seq-len 256 --batch 1024 --steps 1");
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  CHECK(r.out.rfind("attnlab train: training needs about ", 0) == 0);
  CHECK(r.out.find("for batch 1024 x 256 tokens") != std::string::npos);
  CHECK(r.out.find(" available") != std::string::npos);
  CHECK(r.out.find("lower the batch or the sequence length") != std::string::npos);
  CHECK(r.out.find("# task=") == std::string::npos);  // refused before the model was made
}

TEST_CASE("train checks every output before the first step, and --save must name a .npz", "[cli][train]") {
  TempDir dir;
  const fs::path fifo = dir.path / "fifo.npz";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  fs::create_directory(dir.path / "folder.npz");
  fs::create_symlink("/dev/null", dir.path / "null.npz");
  const std::string long_name = (dir.path / (std::string(256, 'a') + ".npz")).string();
  const std::string curves = (dir.path / "curves.svg").string();
  const std::string base =
      "train --task reverse --steps 30 --every 10 --batch 2 --d-model 8 --heads 1 --curves " + curves;
  const struct {
    std::string flags, says;
  } cases[] = {
      {"--save " + (dir.path / "null.npz").string(), "it exists and is a character device"},  // a link to /dev/null
      {"--save /dev/null", "--save needs a file name ending in .npz"},
      {"--save " + fifo.string(), "it exists and is a FIFO"},
      {"--save " + dir.path.string(), "--save needs a file name ending in .npz"},
      {"--save " + (dir.path / "folder.npz").string(), "it exists and is a folder"},
      {"--save " + (dir.path / "missing" / "x.npz").string(), "does not exist"},
      {"--save " + long_name, "more than the 255 a file name may have"},
      {"--save ''", "--save needs a file name ending in .npz (a checkpoint is a .npz archive), got ''"},
      {"--save " + (dir.path / "x.txt").string(), "--save needs a file name ending in .npz"},
      {"--save " + (dir.path / "ok.npz").string() + " --movie " + (dir.path / "nope" / "m.gif").string(), "--movie: "},
      {"--save " + (dir.path / "ok.npz").string() + " --curves " + dir.path.string() + "/", "--curves needs a .png"},
      {"--save " + (dir.path / "ok.npz").string() + " --curves " + fifo.string() + "/x.svg", "is a FIFO, not a folder"},
  };
  for (const auto& c : cases) {
    INFO(c.flags);
    const Result r = run(base + " " + c.flags);
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    CHECK(r.out.find(c.says) != std::string::npos);
    CHECK(r.out.find("step=") == std::string::npos);  // nothing trained
    CHECK_FALSE(fs::exists(curves));                  // and nothing written
    CHECK_FALSE(fs::exists(dir.path / "ok.npz"));
    CHECK_FALSE(fs::exists(dir.path / "x.txt"));
  }
  CHECK(fs::is_fifo(fifo));
}

TEST_CASE("train writes the outputs it can when one write fails after the run, and names that one", "[cli][train]") {
  TempDir dir;
  const std::string ckpt = (dir.path / "big.npz").string(), curves = (dir.path / "curves.svg").string();
  // A file-size limit stands in for a disk that fills up during the run: the checkpoint (~1.6 MB)
  // cannot be written, the curves (~110 KB) can. SIGXFSZ is ignored so the write fails with EFBIG.
  const std::string cmd = "sh -c \"trap '' XFSZ; ulimit -f 400; exec " + std::string(ATTNLAB_BIN) +
                          " train --task reverse --steps 4 --every 2 --batch 2 --d-model 128 --heads 4 --mlp --save " +
                          ckpt + " --curves " + curves + "\" 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) out += buffer.data();
  const int status = pclose(pipe);
  INFO(out);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(out.find("attnlab train: cannot write " + ckpt) != std::string::npos);
  CHECK(out.find("# wrote " + curves) != std::string::npos);
  CHECK_FALSE(fs::exists(ckpt));
  REQUIRE(fs::exists(curves));
  CHECK(attn::read_file(curves).find("<svg") != std::string::npos);
}

// Under the sanitizers attnlab reserves terabytes of address space for shadow memory, so an
// address-space limit cannot stand in for a machine short of memory there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ATTN_CLI_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ATTN_CLI_TEST_SANITIZED 1
#endif
#endif
#ifndef ATTN_CLI_TEST_SANITIZED
TEST_CASE("train that runs out of memory part-way stops, keeps and saves the last good model, exits 1",
          "[cli][train][memory]") {
  TempDir dir;
  const std::string ckpt = (dir.path / "oom.npz").string();
  // The estimate (~880 MB) fits the machine, so the run starts; an address-space limit of ~590 MB
  // then makes the first step's allocation fail, as memory taken by something else would.
  const std::string cmd = "sh -c \"ulimit -v 600000; exec " + std::string(ATTNLAB_BIN) +
                          " train --task induction --layers 4 --heads 16 --d-model 64 --batch 1024 --seq-len 32"
                          " --steps 3 --every 1 --save " +
                          ckpt + "\" 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) out += buffer.data();
  const int status = pclose(pipe);
  INFO(out);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(out.find("attnlab train: out of memory at step 1 (the run needs about ") != std::string::npos);
  CHECK(out.find("stopped, keeping the parameters of step 0") != std::string::npos);
  CHECK(out.find("# saved " + ckpt) != std::string::npos);
  CHECK(attn::load_checkpoint(ckpt).step == 0);
}
#endif

TEST_CASE("real-number flags take the documented forms only, and a range error names the range", "[cli]") {
  const std::string train = "train --task reverse --steps 1 --batch 2 --d-model 8 --heads 1 ";
  for (const char* bad : {"' 0.5'", "'0.5 '", "+0.5", "0x1p-3", "inf", "nan", "1e", ".", "0.5.1", "--1", "''"}) {
    INFO(bad);
    const Result r = run(train + "--lr " + bad);
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK(r.out.find("--lr needs a number such as 0.5 or 3e-4") != std::string::npos);
  }
  const Result tiny = run(train + "--lr 1e-44");
  CHECK(tiny.code == 2);
  CHECK_THAT(tiny.out, Catch::Contains("--lr must be from 1e-06 to 1, got 1e-44"));
  const Result huge = run(train + "--lr 1e30");
  CHECK(huge.code == 2);
  CHECK_THAT(huge.out, Catch::Contains("--lr must be from 1e-06 to 1, got 1e30"));
  CHECK(huge.out.find("00000000") == std::string::npos);
  CHECK_THAT(run(train + "--weight-decay 1").out, Catch::Contains("--weight-decay must be from 0 to 0.99, got 1"));
  CHECK_THAT(run("dump --temperature 1e-44 --out /nonexistent/x").out,
             Catch::Contains("--temperature must be from 1e-06 to 1e+06, got 1e-44"));
  CHECK_THAT(run(train + "--temperature 1e7").out,
             Catch::Contains("--temperature must be from 1e-06 to 1e+06, got 1e7"));
  for (const char* good : {"3e-3", "3E-3", "0.003", ".003", "3e-03", "0.003e+0"}) {
    INFO(good);
    CHECK(run(train + "--lr " + good).code == 0);
  }
}

TEST_CASE("dump --grads on a text of fewer than 2 tokens says there is nothing to score", "[cli][dump]") {
  TempDir dir;
  const std::string ckpt = std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/reverse.npz";
  const Result r = run("dump --model " + ckpt + " --text '<bos>' --grads --out " + (dir.path / "d").string());
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK(r.out.find("--grads needs a text of at least 2 tokens") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "d"));
  CHECK(run("dump --model " + ckpt + " --text '<bos> a' --grads --out " + (dir.path / "d").string()).code == 0);
}

TEST_CASE("loose arguments and bad weights are refused with one line", "[cli]") {
  TempDir dir;
  for (const char* args :
       {"dump --seed +5 --out /tmp/x", "dump --seed ' 5' --out /tmp/x", "export --what head:1,2 --out /tmp/x.png",
        "bench --d-model 10 --heads 3", "train --task sort --steps 5x"}) {
    INFO(args);
    const Result r = run(args);
    CHECK(r.code == 2);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  }
  const Result txt = run("export --out " + (dir.path / "x.txt").string());
  CHECK(txt.code == 2);
  CHECK(txt.out.find("'.txt' is not a file type attnlab writes") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path / "x.txt"));

  // Weights holding NaN are refused naming the tensor; finite weights that overflow say so.
  attn::ModelConfig c;
  c.d_model = 8;
  c.n_heads = 2;
  attn::MhaWeights w = attn::init_weights(c);
  w.in_proj_weight(0, 0) = std::numeric_limits<float>::quiet_NaN();
  attn::save_weights_npz(w, (dir.path / "nan.npz").string());
  const Result nan = run("dump --weights " + (dir.path / "nan.npz").string() + " --out " + (dir.path / "d").string());
  CHECK(nan.code == 1);
  CHECK(nan.out.find("in_proj_weight holds a non-finite value") != std::string::npos);
  w = attn::init_weights(c);
  for (float& v : w.in_proj_weight) v *= 1e19f;
  attn::save_weights_npz(w, (dir.path / "huge.npz").string());
  const Result huge = run("dump --weights " + (dir.path / "huge.npz").string() + " --out " + (dir.path / "d").string());
  CHECK(huge.code == 2);
  CHECK(huge.out.find("scores overflow") != std::string::npos);
}

TEST_CASE("a figure too large to encode is refused at once with the limit, and nothing is written", "[cli][export]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 256; ++i) text += "w" + std::to_string(i) + " ";
  const std::string out = (dir.path / "big.png").string();
  const Result r = run("export --heads 32 --scale 2 --text '" + text + "' --out " + out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("35427 x 34998") && Catch::Contains("32767") && Catch::Contains("--what head:N"));
  CHECK_FALSE(fs::exists(out));
  // The same figure as PDF is vector: the side limit still holds.
  CHECK(run("export --heads 32 --scale 2 --text '" + text + "' --out " + (dir.path / "big.pdf").string()).code == 2);
  CHECK(run("export --what head:1 --heads 32 --scale 2 --text '" + text + "' --format pdf --out " +
            (dir.path / "one.pdf").string())
            .code == 0);
  CHECK(attn::read_file((dir.path / "one.pdf").string()).rfind("%PDF-", 0) == 0);
}

namespace {

// Every file under `dir` (relative path -> bytes).
std::map<std::string, std::string> files_under(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = attn::read_file(e.path().string());
  return files;
}

std::size_t staging_folders(const fs::path& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string().rfind(".attnlab-", 0) == 0;
  return n;
}

}  // namespace

TEST_CASE("dump replaces an earlier dump as a whole, and a failure part-way leaves it as it was", "[cli][dump]") {
  TempDir dir;
  const fs::path out = dir.path / "trace";
  REQUIRE(run("dump --text 'first run' --heads 2 --d-model 8 --out " + out.string()).code == 0);
  const std::map<std::string, std::string> first = files_under(out);
  REQUIRE(first.size() == 11);

  // A write that fails part-way: the file size limit lets x, q, k and v (1.7 KB each) through and
  // stops scores.npy (160 KB) with EFBIG, as a full disk would. It binds root too.
  std::string words;
  for (int i = 0; i < 100; ++i) words += "w" + std::to_string(i) + " ";
  const std::string failing = "dump --text '" + words + "' --heads 4 --d-model 4 --out " + out.string();
  const std::string cmd =
      "sh -c \"trap '' XFSZ; ulimit -f 8; exec " + std::string(ATTNLAB_BIN) + " " + failing + "\" 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string message;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe)) message += buffer.data();
  const int status = pclose(pipe);
  INFO(message);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK_THAT(message, Catch::Contains("cannot write " + out.string() + "/scores.npy") &&
                          Catch::Contains("File too large") &&
                          Catch::Contains("nothing in " + out.string() + " was written"));
  CHECK(files_under(out) == first);  // the earlier set, byte for byte
  CHECK(staging_folders(dir.path) == 0);

  // The same dump without the limit replaces the set as a whole.
  const Result second = run(failing);
  INFO(second.out);
  REQUIRE(second.code == 0);
  const std::map<std::string, std::string> now = files_under(out);
  CHECK(now.size() == 11);
  CHECK(now.at("tokens.json") != first.at("tokens.json"));
  CHECK(shape_of(out / "scores.npy") == std::vector<std::size_t>{4, 100, 100});
  CHECK(staging_folders(dir.path) == 0);
}

TEST_CASE("dump refuses a folder holding files it did not write, and touches nothing", "[cli][dump]") {
  TempDir dir;
  const fs::path out = dir.path / "mine";
  fs::create_directory(out);
  std::ofstream(out / "notes.txt") << "my notes";
  std::ofstream(out / "q.npy") << "not dump's either, but a name dump writes";
  const Result r = run("dump --text 'a b' --heads 2 --d-model 8 --out " + out.string());
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("holds notes.txt, which this command did not write"));
  CHECK(attn::read_file((out / "notes.txt").string()) == "my notes");
  CHECK(attn::read_file((out / "q.npy").string()) == "not dump's either, but a name dump writes");
  CHECK(staging_folders(dir.path) == 0);
  // An empty folder, or one reached through a link, is fine; the link stays a link.
  fs::create_directory(dir.path / "empty");
  fs::create_directory_symlink(dir.path / "empty", dir.path / "link");
  CHECK(run("dump --text 'a b' --heads 2 --d-model 8 --out " + (dir.path / "link").string()).code == 0);
  CHECK(fs::is_symlink(dir.path / "link"));
  CHECK(fs::exists(dir.path / "empty" / "attn.npy"));
  CHECK(staging_folders(dir.path) == 0);
}

TEST_CASE("weights or a model that is not a regular file fail at once, saying what it is", "[cli]") {
  TempDir dir;
  const std::string out = " --out " + (dir.path / "d").string();
  const Result zero = run("dump --weights /dev/zero" + out);
  CHECK(zero.code == 1);
  CHECK_THAT(zero.out, Catch::Contains("/dev/zero: it is a character device"));
  const fs::path fifo = dir.path / "w.npz";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  const Result f = run("dump --weights " + fifo.string() + out);  // would block forever if opened
  CHECK(f.code == 1);
  CHECK_THAT(f.out, Catch::Contains("is a FIFO"));
  const Result model = run("dump --model " + fifo.string() + out);
  CHECK(model.code == 1);
  CHECK_THAT(model.out, Catch::Contains("is a FIFO"));
  CHECK_FALSE(fs::exists(dir.path / "d"));
}

TEST_CASE("every figure kind exports as a PDF that poppler renders", "[cli][export]") {
  TempDir dir;
  const std::vector<std::string> kinds = {"--what grid",
                                          "--what head:1",
                                          "--what qkv:1",
                                          "--what lines",
                                          "--what step:1:2",
                                          "--lesson reverse --what model",
                                          "--lesson reverse --layer 2 --what lines:1"};
  int n = 0;
  for (const std::string& kind : kinds) {
    const std::string pdf = (dir.path / ("f" + std::to_string(n++) + ".pdf")).string();
    const Result r = run("export " + kind + " --out " + pdf);
    INFO(kind << ": " << r.out);
    REQUIRE(r.code == 0);
    CHECK(attn::read_file(pdf).rfind("%PDF-", 0) == 0);
    CHECK(std::system(("pdftoppm -r 20 -png -singlefile " + pdf + " " + pdf + "-page").c_str()) == 0);
    CHECK(fs::file_size(pdf + "-page.png") > 500);
  }
}

TEST_CASE("a trained model whose finite weights overflow is refused like the explorer's, not drawn", "[cli][train]") {
  // One rule for every model (engine/finite_check.hpp): scores or logits that overflow have no
  // true picture; before, dump and export drew an even spread and exited 0.
  TempDir dir;
  const std::string lesson = std::string(ATTN_TEST_DATA_DIR) + "/../assets/models/induction.npz";
  const auto scaled = [&](const std::string& tensor, float value, const std::string& name) {
    attn::Checkpoint ck = attn::load_checkpoint(lesson);
    const attn::ParamTensor* t = ck.model.layout.find(tensor);
    REQUIRE(t != nullptr);
    std::fill_n(ck.model.params.begin() + static_cast<std::ptrdiff_t>(t->offset), t->size, value);
    const std::string path = (dir.path / name).string();
    attn::save_checkpoint(ck, path);
    return path;
  };
  const std::string scores = scaled("blocks.0.attn.in_proj_weight", 1e30f, "scores.npz");
  const std::string logits = scaled("unembed.weight", 3e38f, "logits.npz");
  for (const auto& [model, what] :
       {std::pair{scores, "attention scores overflow"}, std::pair{logits, "logits overflow"}}) {
    for (const std::string& command : {"dump --model " + model + " --out " + (dir.path / "d").string(),
                                       "export --model " + model + " --out " + (dir.path / "f.png").string()}) {
      INFO(command);
      const Result r = run(command);
      CHECK(r.code == 2);
      CHECK(r.out.find(what) != std::string::npos);
      CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    }
  }
  CHECK_FALSE(fs::exists(dir.path / "d"));
  CHECK_FALSE(fs::exists(dir.path / "f.png"));
}
