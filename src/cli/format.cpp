// Formatting shared by the commands: numbers, ranges, JSON rows and the markdown catalogue.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "actfn/analyze.hpp"
#include "cli.hpp"

namespace actfn::cli {
namespace {

template <class T>
std::string format_with(T v, const char* fmt) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, static_cast<double>(v));
  return buf;
}

nlohmann::json number_json(double v) {
  if (std::isfinite(v)) return v;
  return format_short(v);  // JSON has no inf/nan: spelled as strings
}

}  // namespace

std::string format_value(float v) { return format_with(v, "%.9g"); }
std::string format_value(double v) { return format_with(v, "%.17g"); }

std::string format_short(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, r.ptr};
}

std::string format_range(const Bound& lower, const Bound& upper, bool compact) {
  const auto num = [&](double v) { return compact && std::isfinite(v) ? format_with(v, "%.6g") : format_short(v); };
  return std::string(lower.attained ? "[" : "(") + num(lower.value) + ", " + num(upper.value) +
         (upper.attained ? "]" : ")");
}

std::string format_param_range(const Range& r) {
  const std::string lo = r.lo == -kInf ? "" : (r.lo_open ? "> " : ">= ") + format_short(r.lo);
  const std::string hi = r.hi == kInf ? "" : (r.hi_open ? "< " : "<= ") + format_short(r.hi);
  if (lo.empty() && hi.empty()) return "any";
  return lo.empty() ? hi : hi.empty() ? lo : lo + " and " + hi;
}

std::string_view to_string(Needs n) {
  switch (n) {
    case Needs::X: return "x";
    case Needs::Y: return "y";
    case Needs::Either: return "x or y";
  }
  return "?";
}

nlohmann::json row_json(const FunctionInfo& fi) {
  nlohmann::json params = nlohmann::json::array();
  for (const ParamSpec& p : fi.params)
    params.push_back({{"name", p.name},
                      {"default", p.default_value},
                      {"range", format_param_range(p.range)},
                      {"learnable", p.learnable},
                      {"integer", p.integer},
                      {"doc", p.doc}});
  nlohmann::json aliases = nlohmann::json::array();
  for (const Alias& a : fi.aliases) aliases.push_back(a.assignments.empty() ? std::string(a.name)
                                                                            : std::string(a.name) + " = " +
                                                                                  std::string(fi.name) + "(" +
                                                                                  std::string(a.assignments) + ")");
  nlohmann::json presets = nlohmann::json::array();
  for (const Preset& p : fi.presets)
    presets.push_back({{"name", p.name}, {"values", p.assignments}, {"doc", p.doc}});
  nlohmann::json j = {{"name", fi.name},
                      {"family", fi.family},
                      {"summary", fi.summary},
                      {"formula", fi.formula},
                      {"derivative", fi.derivative},
                      {"reference", fi.reference},
                      {"parameters", params},
                      {"aliases", aliases},
                      {"presets", presets},
                      {"vector_wise", fi.vector_wise},
                      {"backward_needs", to_string(fi.backward_needs)},
                      {"accuracy_bound_ulp",
                       {{"f32", fi.accuracy.f32_y}, {"f32_derivative", fi.accuracy.f32_dy}, {"f64", fi.accuracy.f64_y}}}};
  if (!fi.kinks.empty()) j["kink_convention"] = fi.kinks;
  if (!fi.notes.empty()) j["notes"] = fi.notes;
  if (fi.variant) {
    j["variant"] = {{"of", info(fi.variant->base).name}, {"param", fi.variant->param}, {"value", fi.variant->value}};
  }
  return j;
}

nlohmann::json properties_json(const Properties& p) {
  nlohmann::json kinks = nlohmann::json::array();
  for (const Kink& k : p.kinks)
    kinks.push_back({{"x", k.x},
                     {"left_derivative", k.left_slope},
                     {"right_derivative", k.right_slope},
                     {"derivative_at", k.slope_at},
                     {"jump", k.jump}});
  nlohmann::json j = {
      {"range", {{"lower", number_json(p.lower.value)}, {"lower_attained", p.lower.attained},
                 {"upper", number_json(p.upper.value)}, {"upper_attained", p.upper.attained}}},
      {"bounded_below", p.bounded_below()},
      {"bounded_above", p.bounded_above()},
      {"monotonic", p.monotonic},
      {"zero_centred", p.zero_centred},
      {"smoothness", to_string(p.smoothness)},
      {"kinks", kinks},
      {"saturates_left", p.saturates_left},
      {"saturates_right", p.saturates_right},
      {"backward_from_y", p.backward_from_y},
      {"limits", {{"neg_inf", number_json(p.limit_neg_inf)}, {"pos_inf", number_json(p.limit_pos_inf)}}},
      {"signed_zero", {{"f_neg_zero", format_value(p.at_neg_zero)}, {"f_pos_zero", format_value(p.at_pos_zero)}}},
  };
  if (p.minimum) j["minimum"] = {{"x", p.minimum->x}, {"y", p.minimum->y}};
  return j;
}

nlohmann::json gaussian_json(const Activation& act) {
  const analyze::GaussianMoments m = analyze::gaussian_moments(act);
  return {{"init_gain", analyze::init_gain(act)}, {"mean", m.mean}, {"second_moment", m.second}};
}

std::string catalog_markdown() {
  std::ostringstream md;
  md << "# actfn catalogue\n\n"
     << "Generated from the registry by `actfn docs`; a test fails when this file is stale.\n"
     << "Properties are computed numerically at the default parameters (`actfn describe SPEC` for others).\n"
     << "Accuracy bounds are in ULP of the correctly rounded result; measured values: `docs/accuracy.md`.\n\n"
     << "| name | family | parameters (default) | range | monotonic | smoothness | backward from |\n"
     << "|---|---|---|---|---|---|---|\n";
  for (const FunctionInfo& fi : all()) {
    std::string params;
    for (const ParamSpec& p : fi.params)
      params += (params.empty() ? "" : ", ") + std::string(p.name) + "=" + format_short(p.default_value);
    md << "| [" << fi.name << "](#" << fi.name << ") | " << fi.family << " | " << (params.empty() ? "—" : params) << " | ";
    if (fi.vector_wise) {
      md << "vector-wise | — | — | " << to_string(fi.backward_needs) << " |\n";
    } else {
      const Properties p = properties(Activation(fi.kind));
      md << format_range(p.lower, p.upper) << " | " << (p.monotonic ? "yes" : "no") << " | "
         << to_string(p.smoothness) << " | " << to_string(fi.backward_needs) << " |\n";
    }
  }
  for (const FunctionInfo& fi : all()) {
    md << "\n## " << fi.name << "\n\n" << fi.summary << ".\n\n";
    md << "- formula: `" << fi.formula << "`\n";
    md << "- derivative: `" << fi.derivative << "`\n";
    if (!fi.kinks.empty()) md << "- at kinks: " << fi.kinks << "\n";
    for (const ParamSpec& p : fi.params)
      md << "- parameter `" << p.name << "` = " << format_short(p.default_value) << " (" << format_param_range(p.range)
         << (p.learnable ? ", learnable" : "") << (p.integer ? ", whole number" : "") << "): " << p.doc << "\n";
    if (fi.variant) {
      md << "- variant: `" << info(fi.variant->base).name << "(" << fi.variant->param << "=" << fi.variant->value
         << ")`\n";
    }
    for (const Alias& a : fi.aliases)
      md << "- alias `" << a.name << "`" << (a.assignments.empty() ? "" : " = `" + std::string(fi.name) + "(" +
                                                                             std::string(a.assignments) + ")`")
         << "\n";
    for (const Preset& p : fi.presets)
      md << "- preset `" << p.name << "`: `" << p.assignments << "` (" << p.doc << ")\n";
    md << "- backward needs: " << to_string(fi.backward_needs) << "\n";
    if (!fi.vector_wise) {
      const Properties p = properties(Activation(fi.kind));
      md << "- range " << format_range(p.lower, p.upper) << "; monotonic " << (p.monotonic ? "yes" : "no");
      if (p.minimum) md << " (minimum " << format_short(p.minimum->y) << " at x = " << format_short(p.minimum->x) << ")";
      md << "; zero-centred " << (p.zero_centred ? "yes" : "no") << "; " << to_string(p.smoothness)
         << "; saturates " << (p.saturates_left ? (p.saturates_right ? "both sides" : "left") : p.saturates_right ? "right" : "neither")
         << "\n";
      md << "- f(-inf) = " << format_short(p.limit_neg_inf) << ", f(+inf) = " << format_short(p.limit_pos_inf)
         << ", f(-0) = " << format_value(p.at_neg_zero) << ", f(+0) = " << format_value(p.at_pos_zero) << "\n";
      for (const Kink& k : p.kinks)
        md << "- kink at x = " << format_short(k.x) << ": f'(x-) = " << format_short(k.left_slope)
           << ", f'(x+) = " << format_short(k.right_slope) << ", f'(x) = " << format_short(k.slope_at)
           << (k.jump ? " (f jumps)" : "") << "\n";
    }
    md << "- accuracy bound: f32 " << format_short(fi.accuracy.f32_y) << " ULP (f' " << format_short(fi.accuracy.f32_dy)
       << " ULP), f64 " << format_short(fi.accuracy.f64_y) << " ULP\n";
    if (!fi.notes.empty()) md << "- note: " << fi.notes << "\n";
    md << "- reference: " << fi.reference << "\n";
  }
  return md.str();
}

}  // namespace actfn::cli
