// attnlab entry point: a sub-command runs headless, anything else opens the window.
#include "cli/commands.hpp"

int main(int argc, char** argv) { return app::cli::main_entry(argc, argv); }
