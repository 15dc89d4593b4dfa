// Activation values and the spec parser.
#include "actfn/activation.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "actfn/error.hpp"
#include "functions/all.hpp"

namespace actfn {
namespace {

std::string normalise(std::string_view s) {
  std::string out;
  for (char c : s) out += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string format_number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, r.ptr};
}

std::string describe_range(const Range& r) {
  std::string lo = r.lo == -kInf ? "" : (r.lo_open ? "> " : ">= ") + format_number(r.lo);
  std::string hi = r.hi == kInf ? "" : (r.hi_open ? "< " : "<= ") + format_number(r.hi);
  return lo.empty() ? hi : hi.empty() ? lo : lo + " and " + hi;
}

/// A number: decimal, hex-float, inf, nan, or a fraction a/b of two of them.
std::optional<double> parse_number(std::string_view text) {
  const auto one = [](std::string_view t) -> std::optional<double> {
    const std::string s(trim(t));
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
    return v;
  };
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    const auto num = one(text.substr(0, slash)), den = one(text.substr(slash + 1));
    if (!num || !den) return std::nullopt;
    return *num / *den;
  }
  return one(text);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

/// Splits "a, b=c, d" at top-level commas.
std::vector<std::string_view> split_args(std::string_view s) {
  std::vector<std::string_view> out;
  if (trim(s).empty()) return out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ',') {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

struct Arg {
  std::string key;  // empty for positional
  std::string_view value;
};

std::vector<Arg> parse_args(std::string_view name, std::string_view text) {
  std::vector<Arg> args;
  for (std::string_view a : split_args(text)) {
    if (a.empty()) throw Error(std::string(name) + ": empty argument in " + quote(text));
    const auto eq = a.find('=');
    if (eq == std::string_view::npos) {
      args.push_back({"", a});
    } else {
      const std::string key = normalise(trim(a.substr(0, eq)));
      if (key.empty()) throw Error(std::string(name) + ": missing parameter name before '='");
      args.push_back({key, trim(a.substr(eq + 1))});
    }
  }
  return args;
}

const ParamSpec* find_param(const FunctionInfo& fi, std::string_view key) {
  for (const ParamSpec& p : fi.params)
    if (p.name == key) return &p;
  return nullptr;
}

/// Sets keyword and positional arguments on `act` (positionals fill parameters in order).
void apply_args(Activation& act, const std::vector<Arg>& args, std::vector<std::string>& seen) {
  const FunctionInfo& fi = act.info();
  std::size_t position = 0;
  for (const Arg& a : args) {
    if (a.key == "preset") {
      const auto it = std::ranges::find(fi.presets, normalise(a.value), &Preset::name);
      if (it == fi.presets.end()) {
        std::string names;
        for (const Preset& p : fi.presets) names += (names.empty() ? "" : ", ") + std::string(p.name);
        throw Error(std::string(fi.name) + ": unknown preset " + quote(a.value) +
                    (names.empty() ? " (it has none)" : " (presets: " + names + ")"));
      }
      apply_args(act, parse_args(fi.name, it->assignments), seen);
      continue;
    }
    std::string key = a.key;
    if (key.empty()) {
      if (position >= fi.params.size())
        throw Error(std::string(fi.name) + ": too many arguments (it takes " +
                    std::to_string(fi.params.size()) + ")");
      key = std::string(fi.params[position++].name);
    }
    if (std::ranges::find(seen, key) != seen.end())
      throw Error(std::string(fi.name) + ": parameter " + quote(key) + " given twice");
    seen.push_back(key);
    if (!find_param(fi, key)) {
      std::string names;
      for (const ParamSpec& p : fi.params) names += (names.empty() ? "" : ", ") + std::string(p.name);
      throw Error(std::string(fi.name) + ": unknown parameter " + quote(key) +
                  (names.empty() ? " (it takes none)" : " (parameters: " + names + ")"));
    }
    const auto v = parse_number(a.value);
    if (!v)
      throw Error(std::string(fi.name) + ": " + key + "=" + quote(a.value) + " is not a number");
    act.set_param(key, *v);
  }
}

/// Resolves a variant argument (gelu's approximate=tanh) to its kind and removes it from args.
Kind resolve_variant(Kind kind, std::vector<Arg>& args) {
  const FunctionInfo& fi = info(kind);
  if (!fi.variant) return kind;
  const auto it = std::ranges::find(args, fi.variant->param, &Arg::key);
  if (it == args.end()) return kind;
  if (std::ranges::count(args, fi.variant->param, &Arg::key) > 1)
    throw Error(std::string(fi.name) + ": parameter '" + it->key + "' given twice");
  const std::string value = normalise(it->value);
  std::string choices;
  for (const FunctionInfo& other : all()) {
    if (!other.variant || other.variant->base != fi.variant->base) continue;
    if (other.variant->value == value) {
      if (fi.kind != fi.variant->base && other.kind != kind)
        throw Error(std::string(fi.name) + ": " + it->key + "=" + value + " contradicts the name");
      args.erase(it);
      return other.kind;
    }
    choices += (choices.empty() ? "" : ", ") + std::string(other.variant->value);
  }
  throw Error(std::string(fi.name) + ": " + it->key + " must be one of " + choices + " (got " + quote(it->value) +
              ")");
}

}  // namespace

Activation::Activation(Kind kind) : kind_(kind) {
  const FunctionInfo& fi = actfn::info(kind);
  for (std::size_t i = 0; i < fi.params.size(); ++i) values_[i] = fi.params[i].default_value;
}

double Activation::param(std::string_view name) const {
  const FunctionInfo& fi = info();
  for (std::size_t i = 0; i < fi.params.size(); ++i)
    if (fi.params[i].name == name) return values_[i];
  throw Error(std::string(fi.name) + " has no parameter " + quote(name));
}

void Activation::set_param(std::string_view name, double value) {
  const FunctionInfo& fi = info();
  for (std::size_t i = 0; i < fi.params.size(); ++i) {
    const ParamSpec& p = fi.params[i];
    if (p.name != name) continue;
    if (!std::isfinite(value))
      throw Error(std::string(fi.name) + ": " + std::string(name) + " must be finite (got " +
                  format_number(value) + ")");
    if (!p.range.contains(value))
      throw Error(std::string(fi.name) + ": " + std::string(name) + " must be " +
                  describe_range(p.range) + " (got " + format_number(value) + ")");
    if (p.integer && value != std::floor(value))
      throw Error(std::string(fi.name) + ": " + std::string(name) + " must be a whole number (got " +
                  format_number(value) + ")");
    values_[i] = value;
    return;
  }
  throw Error(std::string(fi.name) + " has no parameter " + quote(name));
}

void Activation::validate(Precision precision) const {
  const FunctionInfo& fi = info();
  std::array<double, kMaxParams> used = values_;
  if (precision == Precision::F32) {
    for (std::size_t i = 0; i < fi.params.size(); ++i) {
      const ParamSpec& p = fi.params[i];
      used[i] = static_cast<float>(values_[i]);  // IEEE: out of float's range gives ±inf
      if (used[i] == values_[i]) continue;
      const std::string what = std::string(fi.name) + ": " + std::string(p.name) + "=" + format_number(values_[i]);
      if (std::isinf(used[i]))
        throw Error(what + " is beyond float's range (float, bf16 and f16 data use parameters as floats)");
      if (!p.range.contains(used[i]))
        throw Error(what + " rounds to " + format_number(used[i]) + " as a float, which is not " +
                    describe_range(p.range) + " (float, bf16 and f16 data use parameters as floats)");
    }
  }
  fn::visit(kind_, [&]<class F>() {
    if constexpr (fn::HasValidate<F>) {
      if (used == values_) return F::validate(used);
      try {
        F::validate(used);
      } catch (const Error& e) {
        throw Error(std::string(e.what()) + " once its parameters are rounded to float");
      }
    }
  });
}

std::string Activation::spec() const {
  const FunctionInfo& fi = info();
  std::string args;
  for (std::size_t i = 0; i < fi.params.size(); ++i) {
    if (values_[i] == fi.params[i].default_value) continue;
    args += (args.empty() ? "" : ", ") + std::string(fi.params[i].name) + "=" + format_number(values_[i]);
  }
  return std::string(fi.name) + (args.empty() ? "" : "(" + args + ")");
}

bool Activation::backward_from_y() const {
  return fn::visit(kind_, [&]<class F>() {
    if constexpr (fn::VectorWise<F>) {
      return F::info.backward_needs != Needs::X;
    } else {
      return fn::from_y_valid<F>(values_);
    }
  });
}

std::string suggest(std::string_view name) {
  // No name in the catalogue is near a long one, and edit distances cost its length per candidate.
  if (name.size() > 64) return {};
  const std::string n = normalise(name);
  const std::size_t limit = std::max<std::size_t>(2, n.size() / 3);
  std::vector<std::pair<std::size_t, std::string_view>> scored;
  const auto consider = [&](std::string_view candidate) {
    const bool prefix = candidate.starts_with(n) || n.starts_with(candidate);
    if (prefix && n.size() >= 3) {
      scored.emplace_back(0, candidate);
      return;
    }
    // The lengths' difference bounds the distance from below: most candidates need no table.
    if (std::max(n.size(), candidate.size()) - std::min(n.size(), candidate.size()) > limit) return;
    if (const std::size_t d = edit_distance(n, candidate); d <= limit) scored.emplace_back(prefix ? 0 : d, candidate);
  };
  for (const FunctionInfo& fi : all()) {
    consider(fi.name);
    for (const Alias& a : fi.aliases) consider(a.name);
  }
  std::ranges::stable_sort(scored, {}, &std::pair<std::size_t, std::string_view>::first);
  std::string out;
  for (std::size_t i = 0; i < scored.size() && i < 3; ++i)
    out += (i ? ", " : "") + std::string(scored[i].second);
  return out;
}

Activation parse(std::string_view spec) {
  const std::string_view s = trim(spec);
  const auto open = s.find('(');
  const std::string name = normalise(trim(s.substr(0, open)));
  std::string_view body;
  if (open != std::string_view::npos) {
    if (s.back() != ')') throw Error("activation spec " + quote(s) + ": missing ')'");
    body = s.substr(open + 1, s.size() - open - 2);
    if (body.find_first_of("()") != std::string_view::npos)
      throw Error("activation spec " + quote(s) + ": unbalanced parentheses");
  }
  if (name.empty()) throw Error("empty activation spec");

  std::optional<Kind> kind = find(name);
  std::string_view alias_args;
  if (!kind) {
    for (const FunctionInfo& fi : all())
      for (const Alias& a : fi.aliases)
        if (a.name == name) kind = fi.kind, alias_args = a.assignments;
  }
  if (!kind) {
    const std::string hint = suggest(name);
    throw Error("unknown activation " + quote(name) + (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                "; 'actfn list' shows them all");
  }

  std::vector<Arg> args = parse_args(name, body);
  kind = resolve_variant(*kind, args);
  Activation act(*kind);
  std::vector<std::string> seen;
  // An alias fixes its values (relu6 is ceiling=6): re-setting one is reported as given twice.
  if (!alias_args.empty()) apply_args(act, parse_args(name, alias_args), seen);
  apply_args(act, args, seen);
  act.validate();
  return act;
}

}  // namespace actfn
