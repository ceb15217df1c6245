// The schoolyard binary: everything lives in the core library; this only hands over argv.
#include "cli/commands.h"

int main(int argc, char** argv) { return sy::cli::run(argc, argv); }
