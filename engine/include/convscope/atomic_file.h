// Writing a whole file so that it is either complete or not there: a temp file in the same
// folder, every write, fsync and close checked, then a rename over the old file. A full disk or
// any other failure throws FileError naming the file and the reason, and leaves the old file
// (if any) as it was.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace cs {

class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace cs
