#include "tools/spinel/options.hpp"

#include <CLI/CLI.hpp>
#include <charconv>
#include <iostream>

#include "sim/units.hpp"

namespace spinel::tools {

namespace {

template <typename T>
Convert unsigned_in(T& out, T min, T max, const std::string& names, const std::string& what) {
  return [&out, min, max, what = what.empty() ? integer_range(min, max) : what,
          name = option_name(names)](const std::string& v) -> std::optional<std::string> {
    T n = 0;
    const char* end = v.data() + v.size();
    const auto [p, ec] = std::from_chars(v.data(), end, n);
    if (v.empty() || ec != std::errc{} || p != end || n < min || n > max) {
      return name + " takes " + what + ", got '" + v + "'";
    }
    out = n;
    return std::nullopt;
  };
}

}  // namespace

Options::Options(std::string_view help, UsageError usage, std::string unknown_suffix)
    : app_(std::make_unique<CLI::App>()),
      help_(help),
      usage_(std::move(usage)),
      unknown_suffix_(std::move(unknown_suffix)) {
  app_->set_help_flag();
  app_->allow_extras();
  // A wrapper script may append its own --seed: the last value counts.
  app_->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

Options::~Options() = default;

void Options::one_word(std::optional<std::string>& out, std::string two) {
  one_ = &out;
  two_ = std::move(two);
  app_->add_option("words", words_);
}

void Options::words(std::vector<std::filesystem::path>& out) {
  all_ = &out;
  app_->add_option("words", words_);
}

void Options::flag(const std::string& names, bool& out) {
  app_->add_flag(names, out);
}

void Options::integer(const std::string& names, std::uint64_t& out, std::uint64_t min,
                      std::uint64_t max, const std::string& what) {
  value(names, unsigned_in(out, min, max, names, what));
}
void Options::integer(const std::string& names, std::uint32_t& out, std::uint32_t min,
                      std::uint32_t max, const std::string& what) {
  value(names, unsigned_in(out, min, max, names, what));
}
void Options::integer(const std::string& names, std::uint16_t& out, std::uint16_t min,
                      std::uint16_t max, const std::string& what) {
  value(names, unsigned_in(out, min, max, names, what));
}

void Options::duration(const std::string& names, sim::Time& out, bool allow_zero) {
  value(names,
        [&out, allow_zero,
         name = option_name(names)](const std::string& v) -> std::optional<std::string> {
          const auto d = sim::parse_duration_ps(v);
          if (!d || (!allow_zero && d.value == 0)) {
            return name + " takes a duration" + (allow_zero ? "" : " above zero") +
                   " such as 500ms or 2s, got '" + v + "'" + (d ? "" : " (" + d.error + ")");
          }
          out = d.value;
          return std::nullopt;
        });
}

void Options::value(const std::string& names, Convert convert) {
  app_->add_option_function<std::string>(names,
                                         [convert = std::move(convert)](const std::string& v) {
                                           if (auto wrong = convert(v))
                                             throw CLI::ValidationError(*wrong);
                                         });
}

bool Options::given(const std::string& name) const {
  return app_->count(name) > 0;
}

std::optional<int> Options::parse(const std::vector<std::string>& args) {
  const CLI::Option* help = app_->add_flag("-h,--help");
  const auto unknown = [&](const std::string& word) {
    return usage_("unknown option '" + word + "'" + unknown_suffix_);
  };
  // CLI11 takes the words last first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app_->parse(reversed);
  } catch (const CLI::ParseError& e) {
    if (help->count() > 0) {
      std::cout << help_;
      return 0;
    }
    // A value missing: the option is the last word ("--out needs a value").
    if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr && !args.empty() &&
        app_->get_option_no_throw(args.back()) != nullptr) {
      return usage_(args.back() + " needs a value");
    }
    return usage_(e.what());
  }
  if (help->count() > 0) {
    std::cout << help_;
    return 0;
  }
  // What CLI11 left is unknown: options, and words where the command takes none.
  const std::vector<std::string> left = app_->remaining();
  if (!left.empty()) return unknown(left.front());
  for (const std::string& word : words_) {
    if (!word.empty() && word[0] == '-') return unknown(word);
  }
  if (all_ != nullptr) all_->assign(words_.begin(), words_.end());
  if (one_ != nullptr && !words_.empty()) {
    if (words_.size() > 1) return usage_(two_ + " '" + words_[0] + "' and '" + words_[1] + "'");
    *one_ = words_[0];
  }
  return std::nullopt;
}

std::string integer_range(std::uint64_t min, std::uint64_t max) {
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

std::string option_name(const std::string& names) {
  return names.substr(names.rfind(',') + 1);
}

std::string one_of(const std::vector<std::string>& choices) {
  std::string text;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) text += i + 1 == choices.size() ? " or " : ", ";
    text += choices[i];
  }
  return text;
}

}  // namespace spinel::tools
