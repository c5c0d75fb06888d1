#include "args.h"

#include <charconv>
#include <cstdio>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace cs::cli {

void Args::option(const std::string& name, const std::string& value_name, const std::string& def,
                  const std::string& help) {
  m_order.push_back(name);
  m_specs[name] = {value_name, def, help, m_section, false, {}};
}

void Args::flag(const std::string& name, const std::string& help) {
  m_order.push_back(name);
  m_specs[name] = {"", "", help, m_section, true, {}};
}

void Args::section(const std::string& title) {
  m_section = title;
}

const Args::Spec& Args::spec(const std::string& name) const {
  const auto it = m_specs.find(name);
  if (it == m_specs.end()) throw std::logic_error("undeclared flag --" + name);
  return it->second;
}

void Args::refuse(const std::string& name, const std::string& why) {
  const auto it = m_specs.find(name);
  if (it == m_specs.end()) throw std::logic_error("refuse(): --" + name + " is not declared");
  it->second.refused = why;
}

bool Args::parse(const std::vector<std::string>& argv) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(help().c_str(), stdout);
      return false;
    }
    if (!m_positional_name.empty() && a == "--") {
      m_positional.insert(m_positional.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
      break;
    }
    if (a.rfind("--", 0) != 0) {
      if (m_positional_name.empty())
        throw UsageError("unexpected argument '" + a + "' (flags start with --)");
      m_positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    const size_t eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const auto it = m_specs.find(name);
    if (it == m_specs.end())
      throw UsageError("unknown flag --" + name + " for '" + m_command + "' (see --help)");
    if (!it->second.refused.empty()) throw UsageError("--" + name + ": " + it->second.refused);
    // Given twice, one value would be dropped unseen: a script's default overridden, say.
    if (m_values.count(name)) throw UsageError("--" + name + " is given twice");
    if (it->second.is_flag) {
      if (inline_value) throw UsageError("--" + name + " takes no value");
      m_values[name] = "1";
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argv.size()) throw UsageError("--" + name + " needs a value");
      value = argv[++i];
    }
    // An empty name (an unset variable in a script) would be the working folder, or a new run.
    const std::string& kind = it->second.value_name;
    if (value.empty() && (kind == "FILE" || kind == "DIR"))
      throw UsageError("--" + name + ": the " + (kind == "DIR" ? "folder" : "file") +
                       " name is empty");
    m_values[name] = value;
  }
  return true;
}

std::string Args::str(const std::string& name) const {
  const Spec& s = spec(name);
  const auto it = m_values.find(name);
  return it != m_values.end() ? it->second : s.def;
}

int Args::integer(const std::string& name, int min, int max) const {
  const std::string v = str(name);
  int out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  const bool whole = end == v.data() + v.size();
  if (!whole || (ec != std::errc() && ec != std::errc::result_out_of_range))
    throw UsageError("--" + name + " expects a whole number, got '" + v + "'");
  if (ec == std::errc::result_out_of_range || out < min || out > max)
    throw UsageError("--" + name + " must be between " + std::to_string(min) + " and " +
                     std::to_string(max) + ", got " + v);
  return out;
}

double Args::real(const std::string& name) const {
  const std::string v = str(name);
  try {
    size_t used = 0;
    const double out = std::stod(v, &used);
    if (used == v.size()) return out;
  } catch (const std::exception&) {
  }
  throw UsageError("--" + name + " expects a number, got '" + v + "'");
}

unsigned long long Args::u64(const std::string& name) const {
  const std::string v = str(name);
  unsigned long long out = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (end != v.data() + v.size() || (ec != std::errc() && ec != std::errc::result_out_of_range))
    throw UsageError("--" + name + " expects a non-negative whole number, got '" + v + "'");
  if (ec == std::errc::result_out_of_range)
    throw UsageError("--" + name + " must be at most " +
                     std::to_string(std::numeric_limits<unsigned long long>::max()) + ", got " + v);
  return out;
}

bool Args::on(const std::string& name) const {
  (void)spec(name);
  return m_values.count(name) > 0;
}

bool Args::given(const std::string& name) const {
  return m_values.count(name) > 0;
}

void Args::only_with(const std::string& needed, std::initializer_list<const char*> names) const {
  (void)spec(needed);  // each one declared: a misspelt name is a bug, not a flag never given
  for (const char* name : names) {
    (void)spec(name);
    if (given(name) && !given(needed))
      throw UsageError(std::string("--") + name + " goes with --" + needed);
  }
}

void Args::one_of(std::initializer_list<const char*> names) const {
  std::string first;
  for (const char* name : names) {
    (void)spec(name);
    if (!given(name)) continue;
    if (!first.empty())
      throw UsageError("--" + first + " and --" + name + " do not go together: give one");
    first = name;
  }
}

std::string Args::help() const {
  std::ostringstream os;
  os << "usage: convscope-cli " << m_command << " [flags]"
     << (m_positional_name.empty() ? "" : " " + m_positional_name + "...") << "\n\n"
     << m_summary << "\n";
  std::string section = "\x01";
  for (const std::string& name : m_order) {
    const Spec& s = m_specs.at(name);
    if (!s.refused.empty()) continue;
    if (s.section != section) {
      section = s.section;
      os << "\n" << (section.empty() ? "Flags" : section) << ":\n";
    }
    std::string left = "  --" + name + (s.is_flag ? "" : " " + s.value_name);
    if (left.size() < 28)
      left.resize(28, ' ');
    else
      left += "\n" + std::string(28, ' ');
    os << left << s.help;
    if (!s.is_flag && !s.def.empty()) os << " (default: " << s.def << ")";
    os << "\n";
  }
  os << "  --help                    show this help\n";
  return os.str();
}

}  // namespace cs::cli
