// The other process of test_store_processes' lock tests: appends one run to the store named on
// its command line and exits (0, or 1 with the error on stderr). It is started with exec, not
// fork: a forked child inherits the test process's SQLite state, its idea of the file locks
// that process holds included, and would not see those locks missing.
#include <cstdio>
#include <exception>

#include "store_test_util.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: store_writer STORE\n");
    return 2;
  }
  try {
    cs::store_test::make_store(argv[1]);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "store_writer: %s\n", e.what());
    return 1;
  }
}
