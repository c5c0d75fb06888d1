// Command-line flags: declared with a help text, parsed strictly (unknown flag, a flag given twice,
// missing value, an empty FILE or DIR, or malformed number -> UsageError, which the CLI turns into
// a message and exit code 2).
#pragma once

#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "convscope/error.h"

namespace cs::cli {

class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what) : Error(ErrorKind::Usage, what) {}
};

class Args {
 public:
  explicit Args(std::string command) : m_command(std::move(command)) {}

  // Declare a flag taking a value (with its default shown in --help) or a boolean switch.
  void option(const std::string& name, const std::string& value_name, const std::string& def,
              const std::string& help);
  void flag(const std::string& name, const std::string& help);
  void section(const std::string& title);  // groups the flags that follow in --help
  // A declared flag (one of a shared set) that this command does not take: left out of --help,
  // and a UsageError "--name: why" when given.
  void refuse(const std::string& name, const std::string& why);
  // Accept arguments that are not flags (file names), shown as `value_name...` in --help;
  // everything after "--" is one of them too. Without this call they are a UsageError.
  void positionals(const std::string& value_name) { m_positional_name = value_name; }
  const std::vector<std::string>& positional() const { return m_positional; }

  // Parses argv; returns false when --help was given (help already printed to stdout).
  bool parse(const std::vector<std::string>& argv);

  std::string str(const std::string& name) const;
  int integer(const std::string& name, int min, int max) const;
  double real(const std::string& name) const;
  unsigned long long u64(const std::string& name) const;
  bool on(const std::string& name) const;
  bool given(const std::string& name) const;  // set on the command line, not defaulted
  bool declared(const std::string& name) const { return m_specs.count(name) > 0; }
  // UsageError "--name goes with --needed" for any of `names` given without `needed`: a flag that
  // would be ignored.
  void only_with(const std::string& needed, std::initializer_list<const char*> names) const;
  // UsageError when more than one of `names` is given: modes of which one would be ignored.
  void one_of(std::initializer_list<const char*> names) const;

  std::string help() const;
  void set_summary(const std::string& summary) { m_summary = summary; }

 private:
  struct Spec {
    std::string value_name, def, help, section;
    bool is_flag = false;
    std::string refused;  // refuse()'s why
  };
  const Spec& spec(const std::string& name) const;

  std::string m_command, m_summary, m_section, m_positional_name;
  std::vector<std::string> m_positional;
  std::vector<std::string> m_order;
  std::map<std::string, Spec> m_specs;
  std::map<std::string, std::string> m_values;
};

}  // namespace cs::cli
