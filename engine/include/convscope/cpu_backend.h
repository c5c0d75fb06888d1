// The CPU backend (library convscope_cpu): threaded, vectorized kernels for a group of networks.
#pragma once

#include <memory>

#include "convscope/backend.h"

namespace cs {

// threads <= 0 means std::thread::hardware_concurrency().
std::unique_ptr<Backend> make_cpu_backend(int threads = 0);

}  // namespace cs
