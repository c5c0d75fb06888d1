// The image decoders behind read_image_file(): each recognizes its format by the first bytes.
#pragma once

#include <string>
#include <string_view>

#include "convscope/image_file.h"

namespace cs {

bool is_pnm(std::string_view bytes);
GrayImage decode_pnm(std::string_view bytes, const std::string& name);
bool is_png(std::string_view bytes);
GrayImage decode_png(std::string_view bytes, const std::string& name);

}  // namespace cs
