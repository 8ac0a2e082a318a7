#include "cli/cli.h"

int main(int argc, char** argv) {
  return rampart::cli::Main(argc, argv);
}
