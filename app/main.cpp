// attnlab entry point: a sub-command runs headless, anything else opens the window.
#include <cstdio>
#include <string_view>

#include "cli/commands.hpp"
#include "core/data_dir.hpp"
#include "engine/text/bpe.hpp"
#include "engine/train/text_task.hpp"
#ifndef ATTN_NO_GUI
#include "gui/window_main.hpp"
#endif

int main(int argc, char** argv) {
  // The explorer's gpt2 tokenizer reads GPT-2's files from the data folder on first use.
  attn::set_gpt2_folder(app::data_dir().path + "/tokenizers/gpt2");
  {
    // A text model (the english lesson) trains further on the English corpus of the data folder.
    attn::TextTaskOptions english;
    english.train_files = {app::data_dir().path + "/corpus/english/english-train.txt"};
    english.heldout_files = {app::data_dir().path + "/corpus/english/english-heldout.txt"};
    attn::set_default_corpus(english);
  }
  if (argc >= 2 && app::cli::is_headless_command(argv[1])) return app::cli::run_headless(argc, argv);
#ifdef ATTN_NO_GUI
  std::fputs("attnlab: this build has no window (built with ATTN_BUILD_APP=OFF); try attnlab --help\n", stderr);
  return 2;
#else
  return app::gui::window_main(argc, argv);
#endif
}
