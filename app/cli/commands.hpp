// The headless sub-commands (dump, export, bench, train, bench-train, bench-soak, tokenizer) and the shared
// error-to-exit-code policy: 2 for bad arguments or an invalid model, 1 for failed I/O, each with one line on stderr.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace app::cli {

bool is_headless_command(std::string_view name);
// argv[1] is a headless command, --help or --version.
int run_headless(int argc, char** argv);

int run_dump(const std::vector<std::string>& args);
int run_bench(const std::vector<std::string>& args);
int run_export(const std::vector<std::string>& args);
int run_train(const std::vector<std::string>& args);
int run_bench_train(const std::vector<std::string>& args);
int run_bench_soak(const std::vector<std::string>& args);
int run_tokenizer(const std::vector<std::string>& args);

// Runs body, turning exceptions into "attnlab <command>: <message>" and the exit code policy.
int guarded(std::string_view command, const std::function<int()>& body);

// The top-level help text, including the window's own options.
std::string top_level_help();
extern const char* const kWindowFlagsHelp;

}  // namespace app::cli
