// For a test that works in another folder: it moves there, and the folder it was in comes back
// however the test ends (the process's other tests run from there).
#pragma once

#include <filesystem>
#include <system_error>

class CurrentFolder {
 public:
  explicit CurrentFolder(const std::filesystem::path& to) { std::filesystem::current_path(to); }
  ~CurrentFolder() {
    std::error_code ec;
    std::filesystem::current_path(m_was, ec);
  }
  CurrentFolder(const CurrentFolder&) = delete;
  CurrentFolder& operator=(const CurrentFolder&) = delete;
  const std::filesystem::path& was() const { return m_was; }

 private:
  std::filesystem::path m_was = std::filesystem::current_path();
};
