// Internal to the dataset loaders: an IDX file's bytes and their parse, kept apart so that
// load_idx_pair can hash the exact bytes it parses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convscope/dataset.h"

namespace cs {

// The whole file, decompressed when it starts with the gzip magic (1f 8b). Throws DataError.
std::vector<uint8_t> read_file_bytes(const std::string& path);
// Validates the IDX header against the payload; `path` is only used in messages.
IdxArray parse_idx(const std::string& path, std::vector<uint8_t> bytes);

}  // namespace cs
