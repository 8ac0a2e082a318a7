#pragma once
// The `rampart` command line: ingest, search, serve. Each subcommand lives in its own file
// and is registered in cli.cc.

namespace rampart::cli {

// Runs the command line; returns the process exit code.
int Main(int argc, char** argv);

}  // namespace rampart::cli
