// Dispatch of the headless sub-commands and the one place exceptions become exit codes.
#include "cli/commands.hpp"

#include <cstdio>
#include <stdexcept>

#include "cli/args.hpp"
#include "cli/model_options.hpp"
#include "engine/weights.hpp"

namespace app::cli {

const char* const kWindowFlagsHelp =
    "  --session FILE.json      open a saved session (sentence and every setting)\n"
    "  --reset                  start clean: ignore the saved settings and last sentence\n"
    "  --scale S                UI scale, 0.75-3 (default: the monitor's content scale)\n"
    "  --fullscreen             start in presentation (full screen) mode\n"
    "  --mode explore|train     which mode to open (default: Train on the first start, else as last time)\n"
    "  --lesson NAME            a lesson model: sentences, induction, reverse or sort in Train mode;\n"
    "                           english in Explore (it reads any sentence)\n"
    "  --model CKPT.npz         a model saved by attnlab train or File > Save model: Train mode, or\n"
    "                           Explore when it was trained on text (--task text)\n"
    "  --model DIR              Explore a Hugging Face GPT-2 folder (config.json, model.safetensors,\n"
    "                           vocab.json, merges.txt): every layer and head, next-token predictions\n"
    "  --new TASK               Train mode on a fresh, untrained model of a task (text: the English\n"
    "                           corpus through a BPE of 4096 tokens learned on it first)\n"
    "  --text-file FILE[@N]     Train mode on a text file, as Task > a text file... chooses it (at\n"
    "                           frame N of a scripted run; a bad file is a message, the model stays)\n"
    "  --example TEXT           Train mode's input, in the task's words\n";

bool is_headless_command(std::string_view name) {
  return name == "dump" || name == "export" || name == "bench" || name == "train" || name == "bench-train" ||
         name == "bench-soak" || name == "tokenizer" || name == "--help" || name == "-h" || name == "--version" ||
         name == "help";
}

std::string top_level_help() {
  return std::string("attnlab " ATTN_VERSION
                     " - see multi-head attention, step by step\n\n"
                     "Usage:\n"
                     "  attnlab [model flags] [window flags]   open the window\n"
                     "  attnlab dump   --out DIR [model flags] write every intermediate tensor as .npy\n"
                     "  attnlab export --out PATH [model flags] [figure flags]\n"
                     "                                        write a heatmap figure or data file\n"
                     "  attnlab bench  [--n L] [--d-model L] [--heads L] [--reps R]\n"
                     "                                        time forward() and print one line per size\n"
                     "  attnlab bench  --model DIR|CKPT.npz [--n L]\n"
                     "                                        a model's load time, forward time and memory\n"
                     "  attnlab dump|export --model DIR [--text T | --ids 464,3290,...]\n"
                     "                                        a Hugging Face GPT-2 folder\n"
                     "  attnlab bench-ui [model flags]        time the real window frame by frame\n"
                     "  attnlab bench-ui --train [--minutes M] frames and training speed; with --minutes, train\n"
                     "                                        M minutes with the window open and print memory\n"
                     "  attnlab train  --task T [flags] [--save CKPT.npz | --save DIR/]\n"
                     "                                        train a tiny transformer, print its heads forming\n"
                     "  attnlab bench-train [--config C]      time training steps: grid, toy or english\n"
                     "  attnlab bench-soak [--recomputes N]   recompute N times as the window does, print memory\n"
                     "  attnlab tokenizer encode|decode|train|bench\n"
                     "                                        byte-level BPE: GPT-2's ids, or learn merges from text\n"
                     "  attnlab COMMAND --help                the flags of one command\n\n"
                     "Model flags:\n") +
         kModelFlagsHelp + "\nWindow flags:\n" + kWindowFlagsHelp +
         "\nExit codes: 0 success, 1 failed I/O, 2 bad arguments or invalid model.\n"
         // help2man turns these two headings into the man page's ENVIRONMENT and FILES sections.
         "\nEnvironment:\n"
         "  ATTNLAB_DATA_DIR         read the lesson models from $ATTNLAB_DATA_DIR/models\n"
         "\nFiles:\n"
         "  The lesson models (--lesson) are read from $ATTNLAB_DATA_DIR/models when it is set, else from\n"
         "  models/ in the installed data folder, bin/" ATTN_DATA_FROM_BIN
         " beside the binary, else from\n"
         "  the source tree's assets/models when attnlab runs from its build tree. The installed data\n"
         "  folder also holds lessons/*.json, sessions to open with --session.\n";
}

int guarded(std::string_view command, const std::function<int()>& body) {
  const std::string prefix = "attnlab " + std::string(command) + ": ";
  try {
    return body();
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%s%s (see attnlab %s --help)\n", prefix.c_str(), e.what(), std::string(command).c_str());
    return 2;
  } catch (const attn::FileError& e) {
    std::fprintf(stderr, "%s%s\n", prefix.c_str(), e.what());
    return 1;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "%s%s\n", prefix.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s%s\n", prefix.c_str(), e.what());
    return 1;
  }
}

int run_headless(int argc, char** argv) {
  const std::string command = argv[1];
  std::vector<std::string> rest(argv + 2, argv + argc);
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(top_level_help().c_str(), stdout);
    return 0;
  }
  if (command == "--version") {
    std::puts("attnlab " ATTN_VERSION);
    return 0;
  }
  if (command == "dump") return run_dump(rest);
  if (command == "bench") return run_bench(rest);
  if (command == "train") return run_train(rest);
  if (command == "bench-train") return run_bench_train(rest);
  if (command == "bench-soak") return run_bench_soak(rest);
  if (command == "tokenizer") return run_tokenizer(rest);
  return run_export(rest);
}

}  // namespace app::cli
