// Finding and loading the CUDA backend module, and saying why it cannot be used.
#include "cuda_module_loader.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace cs {

namespace {

namespace fs = std::filesystem;

constexpr const char* kModuleName = "libconvscope_cuda.so";

// The folder of libconvscope_engine.so, found from the address of one of its functions.
fs::path engine_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&init_parameters), &info) == 0 || !info.dli_fname) return {};
  return fs::path(info.dli_fname).lexically_normal().parent_path();
}

// dlerror() names a missing file as "<file>: cannot open shared object file: ...". `looked`
// says where a missing module was looked for, when that is not in its path.
std::string explain(const std::string& path, const std::string& dl_error,
                    const std::string& looked) {
  const size_t at = dl_error.find(": cannot open shared object file");
  if (at != std::string::npos) {
    const std::string missing = dl_error.substr(0, at);
    if (missing == path) return "the CUDA backend module " + path + " is missing" + looked;
    return missing + " is missing: the CUDA backend " + path + " needs it";
  }
  return "cannot load the CUDA backend " + path + ": " + dl_error;
}

LoadedCudaModule load(const std::string& path, const std::string& looked = "") {
  LoadedCudaModule m;
  m.path = path;
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = dlerror();
    m.error = explain(path, err ? err : "unknown dlopen error", looked);
    return m;
  }
  const auto entry =
      reinterpret_cast<ConvscopeCudaModuleEntry>(dlsym(handle, CONVSCOPE_CUDA_MODULE_ENTRY));
  const ConvscopeCudaModule* api = entry ? entry() : nullptr;
  if (!api) {
    m.error = path + " is not a Convscope CUDA module (no " CONVSCOPE_CUDA_MODULE_ENTRY ")";
  } else if (api->abi != CONVSCOPE_CUDA_MODULE_ABI) {
    m.error = path + " has module ABI " + std::to_string(api->abi) + ", this build needs " +
              std::to_string(CONVSCOPE_CUDA_MODULE_ABI) + " (a module from another build?)";
  } else {
    m.api = api;  // never unloaded: the backends it makes run its code
    return m;
  }
  dlclose(handle);
  return m;
}

LoadedCudaModule find_and_load() {
  const char* chosen = std::getenv("CONVSCOPE_CUDA_MODULE");
  if (chosen && *chosen) return load(chosen);
  if (!CONVSCOPE_CUDA_MODULE_BUILT) {
    LoadedCudaModule m;
    m.error = "this build has no CUDA backend (no CUDA toolkit or cuDNN at configure time)";
    return m;
  }
  // Without the driver the module would load cuDNN and cuBLAS (0.4 s of relocations) only to
  // say so: ask the dynamic loader for the driver library first. The module uses it anyway.
  if (!dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL)) {
    LoadedCudaModule m;
    m.error = "no CUDA driver: libcuda.so.1 is not installed";
    return m;
  }
  const fs::path dir = engine_dir();
  std::error_code ec;
  if (!dir.empty() && fs::exists(dir / kModuleName, ec)) return load(dir / kModuleName);
  return load(kModuleName, " (not in " + dir.string() + " nor on the library path)");
}

}  // namespace

const LoadedCudaModule& cuda_module() {
  static const LoadedCudaModule module = find_and_load();
  return module;
}

}  // namespace cs
