// actfn list / describe / eval / docs.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "actfn/analyze.hpp"
#include "cli.hpp"
#include "table.hpp"

namespace actfn::cli {
namespace {

std::string params_text(const FunctionInfo& fi, const std::array<double, kMaxParams>& values) {
  std::string s;
  for (std::size_t i = 0; i < fi.params.size(); ++i)
    s += (s.empty() ? "" : ", ") + std::string(fi.params[i].name) + "=" + format_short(values[i]);
  return s;
}

std::string saturation_text(const Properties& p) {
  if (p.saturates_left && p.saturates_right) return "both sides";
  if (p.saturates_left) return "left";
  if (p.saturates_right) return "right";
  return "neither side";
}

/// 10 significant digits, for quadrature results accurate to ~1e-12 (--json carries all 17).
std::string digits10(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string variants_text(const FunctionInfo& fi) {
  if (!fi.variant) return {};
  std::string s = std::string(fi.variant->param) + ": ";
  bool first = true;
  for (const FunctionInfo& other : all()) {
    if (!other.variant || other.variant->base != fi.variant->base) continue;
    s += (first ? "" : " | ") + std::string(other.variant->value) + " (" + std::string(other.name) + ")";
    first = false;
  }
  return s;
}

}  // namespace

int list(std::ostream& out, bool json) {
  if (json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const FunctionInfo& fi : all()) {
      nlohmann::json row = row_json(fi);
      if (!fi.vector_wise) row["properties"] = properties_json(properties(Activation(fi.kind)));
      rows.push_back(row);
    }
    out << rows.dump(2) << "\n";
    return 0;
  }
  out << std::left << std::setw(20) << "name" << std::setw(13) << "family" << std::setw(22) << "range"
      << std::setw(11) << "monotonic" << std::setw(15) << "smoothness" << std::setw(9) << "bwd" << "parameters\n";
  for (const FunctionInfo& fi : all()) {
    const Activation act(fi.kind);
    std::string range = "vector-wise", mono = "-", smooth = "-";
    if (!fi.vector_wise) {
      const Properties p = properties(act);
      range = format_range(p.lower, p.upper, true);
      mono = p.monotonic ? "yes" : "no";
      smooth = std::string(to_string(p.smoothness));
    }
    std::string params = params_text(fi, act.params());
    for (const Alias& a : fi.aliases) params += std::string(params.empty() ? "" : "  ") + "alias " + std::string(a.name);
    out << std::setw(20) << fi.name << std::setw(13) << fi.family << std::setw(22) << range << std::setw(11)
        << mono << std::setw(15) << smooth << std::setw(9) << to_string(fi.backward_needs) << params << "\n";
  }
  out << all().size() << " activations\n";
  return 0;
}

int describe(std::ostream& out, const std::string& spec, bool json) {
  const Activation act = parse(spec);
  const FunctionInfo& fi = act.info();
  std::optional<Properties> props;
  if (!fi.vector_wise) props = properties(act);
  if (json) {
    nlohmann::json j = row_json(fi);
    j["spec"] = act.spec();
    nlohmann::json values = nlohmann::json::object();
    for (std::size_t i = 0; i < fi.params.size(); ++i) values[std::string(fi.params[i].name)] = act.params()[i];
    j["values"] = values;
    j["backward_from_y"] = act.backward_from_y();
    if (const auto m = measured_accuracy(fi.name)) {
      const auto v = [](const std::optional<double>& u) { return u ? nlohmann::json(*u) : nlohmann::json(nullptr); };
      j["measured_accuracy_ulp"] = {{"f32", v(m->f32_y)}, {"f32_derivative", v(m->f32_dy)},
                                    {"f64", v(m->f64_y)}, {"f64_derivative", v(m->f64_dy)}, {"run", m->run}};
    }
    if (props) j["properties"] = properties_json(*props);
    if (!fi.vector_wise) j["gaussian"] = gaussian_json(act);
    out << j.dump(2) << "\n";
    return 0;
  }
  const auto line = [&](std::string_view key, const std::string& value) {
    out << "  " << std::left << std::setw(14) << key << value << "\n";
  };
  out << fi.name << " — " << fi.summary << "\n";
  line("spec", act.spec());
  line("family", std::string(fi.family));
  line("formula", std::string(fi.formula));
  line("derivative", std::string(fi.derivative));
  for (std::size_t i = 0; i < fi.params.size(); ++i) {
    const ParamSpec& p = fi.params[i];
    line(i == 0 ? "parameters" : "", std::string(p.name) + " = " + format_short(act.params()[i]) + "  (default " +
                                         format_short(p.default_value) + ", " + format_param_range(p.range) +
                                         (p.learnable ? ", learnable" : "") + ") " + std::string(p.doc));
  }
  if (fi.variant) line("variants", variants_text(fi));
  for (const Preset& p : fi.presets)
    line("preset", std::string(p.name) + ": " + std::string(p.assignments) + "  (" + std::string(p.doc) + ")");
  for (const Alias& a : fi.aliases)
    line("alias", std::string(a.name) + (a.assignments.empty() ? "" : " = " + std::string(fi.name) + "(" +
                                                                        std::string(a.assignments) + ")"));
  line("backward", "needs " + std::string(to_string(fi.backward_needs)) +
                       (act.backward_from_y() ? "" : fi.backward_needs == Needs::X ? "" : " (not y with these parameters)"));
  if (props) {
    const Properties& p = *props;
    line("range", format_range(p.lower, p.upper) + (p.bounded_below() ? ", bounded below" : "") +
                      (p.bounded_above() ? ", bounded above" : ""));
    std::string mono = p.monotonic ? "yes" : "no";
    if (p.minimum) mono += ", minimum f(" + format_short(p.minimum->x) + ") = " + format_short(p.minimum->y);
    line("monotonic", mono);
    line("zero-centred", p.zero_centred ? "yes" : "no");
    line("smoothness", std::string(to_string(p.smoothness)));
    line("saturates", saturation_text(p));
    line("limits", "f(-inf) = " + format_short(p.limit_neg_inf) + ", f(+inf) = " + format_short(p.limit_pos_inf));
    line("zeros", "f(-0) = " + format_value(p.at_neg_zero) + ", f(+0) = " + format_value(p.at_pos_zero));
    const analyze::GaussianMoments m = analyze::gaussian_moments(act);
    line("init gain", digits10(analyze::init_gain(act)) + " = 1/E[f(z)^2]: Var(w) = gain/fan_in keeps E[x^2]; z ~ N(0,1): E[f] = " +
                          digits10(m.mean) + ", E[f^2] = " + digits10(m.second) + "  [actfn analyze moments]");
    for (const Kink& k : p.kinks)
      line("kink", "x = " + format_short(k.x) + ": f'(x-) = " + format_short(k.left_slope) + ", f'(x+) = " +
                       format_short(k.right_slope) + ", f'(x) = " + format_short(k.slope_at) + (k.jump ? ", f jumps" : ""));
  } else {
    line("shape", "vector-wise: along an axis (actfn eval --axis-len N)");
  }
  if (!fi.kinks.empty()) line("convention", std::string(fi.kinks));
  line("accuracy", "bound f32 " + format_short(fi.accuracy.f32_y) + " ULP (f' " + format_short(fi.accuracy.f32_dy) +
                       " ULP), f64 " + format_short(fi.accuracy.f64_y) + " ULP");
  if (const auto m = measured_accuracy(fi.name)) {
    const auto v = [](const std::optional<double>& u) { return u ? format_short(*u) : std::string("-"); };
    const std::string d = fi.vector_wise ? "backward" : "f'";
    line("measured", "max ULP at default parameters: f32 " + v(m->f32_y) + " (" + d + " " + v(m->f32_dy) + "), f64 " +
                         v(m->f64_y) + " (" + d + " " + v(m->f64_dy) + ")  [docs/accuracy.md]");
  }
  if (!fi.notes.empty()) line("note", std::string(fi.notes));
  line("reference", std::string(fi.reference));
  return 0;
}

namespace {

/// Reads a number in the data type: decimal, hex-float, inf, nan. Parsing f32 input with strtof
/// rounds the text once, straight to float.
template <class T>
T parse_input(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  T v;
  if constexpr (std::is_same_v<T, float>) v = std::strtof(begin, &end); else v = std::strtod(begin, &end);
  // The whole text: "1\0abc" stops strtod at the NUL, and is not the number 1.
  if (end == begin || end != begin + text.size()) throw Error("eval: " + quote(text) + " is not a number");
  return v;
}

std::vector<std::string> read_inputs(std::istream& in) {
  std::vector<std::string> inputs;
  std::string line;
  while (std::getline(in, line)) {
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    const auto e = line.find_last_not_of(" \t\r");
    inputs.push_back(line.substr(b, e - b + 1));
  }
  return inputs;
}

template <class T>
int eval_typed(std::ostream& out, const Activation& act, const EvalOptions& o, const std::vector<std::string>& texts) {
  const FunctionInfo& fi = act.info();
  std::vector<T> x;
  for (const std::string& t : texts) x.push_back(parse_input<T>(t));
  const std::size_t n = x.size();
  std::vector<T> y, grad;
  std::vector<std::vector<T>> pgrad;  // one column per learnable parameter
  std::vector<std::string> pnames;
  for (const ParamSpec& p : fi.params)
    if (p.learnable) pnames.push_back("grad_" + std::string(p.name));

  if (!fi.vector_wise) {
    if (o.axis_len) throw Error("eval: --axis-len is for vector-wise activations; " + std::string(fi.name) + " is element-wise");
    y.resize(n);
    forward<T>(act, x, y);
    if (o.grad) {
      grad.resize(n);
      pgrad.assign(pnames.size(), std::vector<T>(n));
      const std::vector<T> ones(n, T(1));
      std::vector<T> one_dp(pnames.size());
      for (std::size_t i = 0; i < n; ++i) {  // per element, so each row gets its own parameter gradient
        std::ranges::fill(one_dp, T(0));
        backward<T>(act, {.x = std::span(x).subspan(i, 1), .dy = std::span(ones).subspan(i, 1)},
                    std::span(grad).subspan(i, 1), one_dp);
        for (std::size_t k = 0; k < pnames.size(); ++k) pgrad[k][i] = one_dp[k];
      }
    }
  } else if (n > 0) {
    // One row per input element: y is the output that element feeds and grad its derivative,
    // d y_owner(i) / d x_i (softmax family: the Jacobian diagonal).
    const std::size_t len = o.axis_len ? static_cast<std::size_t>(*o.axis_len) : n;
    if (n % len != 0)
      throw Error("eval: " + std::to_string(n) + " inputs do not form rows of --axis-len " + std::to_string(len));
    const std::size_t rows = n / len, out_len = output_axis(act, len);
    const Axis layout{rows, len, 1};
    std::vector<T> yv(rows * out_len);
    forward<T>(act, layout, x, yv);
    const auto owner = [&](std::size_t i) {
      if (out_len == len) return i;
      return act.kind() == Kind::Maxout ? i / (len / out_len) : i % out_len;
    };
    y.resize(n);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t i = 0; i < len; ++i) y[r * len + i] = yv[r * out_len + owner(i)];
    if (o.grad && out_len != len) {
      // The glu family and maxout: every input feeds one output, so dy = 1 everywhere gives each
      // input its owner's derivative in one call.
      const std::vector<T> ones(rows * out_len, T(1));
      grad.resize(n);
      backward<T>(act, layout, {.x = x, .y = yv, .dy = ones}, grad);
    } else if (o.grad) {
      // The softmax family, backward from y: dx_i = s·y_i (dy_i - <dy, y>) or dy_i - e^(y_i) Σ dy.
      // With dy = e_i those need only y_i, <dy, y> = y_i and Σ dy = 1, which the two-element row
      // (y_i, 0) with dy (1, 0) has too: its dx_0 is the diagonal entry, by the same formula as a
      // whole row's, in linear time (a backward per diagonal entry would be quadratic).
      std::vector<T> pairs(2 * n, T(0)), picks(2 * n, T(0)), dx(2 * n);
      for (std::size_t i = 0; i < n; ++i) pairs[2 * i] = yv[i], picks[2 * i] = T(1);
      backward<T>(act, Axis{n, 2, 1}, {.y = pairs, .dy = picks}, dx);
      grad.resize(n);
      for (std::size_t i = 0; i < n; ++i) grad[i] = dx[2 * i];
    }
  }

  out << "x\ty";
  if (o.grad) {
    out << "\tgrad";
    for (const std::string& name : pnames) out << "\t" << name;
  }
  out << "\n";
  for (std::size_t i = 0; i < n; ++i) {
    out << format_value(x[i]) << "\t" << format_value(y[i]);
    if (o.grad) {
      out << "\t" << format_value(grad[i]);
      for (const auto& column : pgrad) out << "\t" << format_value(column[i]);
    }
    out << "\n";
  }
  return 0;
}

/// eval on bf16 or f16 storage: inputs are read as float and rounded to H, outputs are H widened
/// back to float for printing. Element-wise only; no parameter gradients (16-bit backward has none).
template <class H>
int eval_storage16(std::ostream& out, const Activation& act, const EvalOptions& o, const std::vector<std::string>& texts) {
  const FunctionInfo& fi = act.info();
  if (fi.vector_wise || o.axis_len)
    throw Error("eval: --dtype " + o.dtype + " is for element-wise activations; " + std::string(fi.name) + " is vector-wise");
  std::vector<H> x, y(texts.size()), grad(texts.size());
  for (const std::string& t : texts) {
    if constexpr (std::is_same_v<H, bf16>)
      x.push_back(to_bf16(parse_input<float>(t)));
    else
      x.push_back(to_f16(parse_input<float>(t)));
  }
  forward<H>(act, x, y);
  if (o.grad) {
    const H one = std::is_same_v<H, bf16> ? H{0x3f80} : H{0x3c00};
    const std::vector<H> ones(x.size(), one);
    backward<H>(act, {.x = x, .dy = ones}, grad);
  }
  out << (o.grad ? "x\ty\tgrad\n" : "x\ty\n");
  for (std::size_t i = 0; i < x.size(); ++i) {
    out << format_value(to_float(x[i])) << "\t" << format_value(to_float(y[i]));
    if (o.grad) out << "\t" << format_value(to_float(grad[i]));
    out << "\n";
  }
  return 0;
}

}  // namespace

int eval(std::ostream& out, std::istream& in, const EvalOptions& o) {
  const Activation act = parse(o.spec);
  if (o.axis_len && *o.axis_len < 1) throw Error("eval: --axis-len must be >= 1 (got " + std::to_string(*o.axis_len) + ")");
  const std::vector<std::string> texts = o.inputs.empty() ? read_inputs(in) : o.inputs;
  // Render into a buffer first so an error half way leaves no partial table on stdout.
  std::ostringstream buffer;
  const int rc = o.dtype == "f64"    ? eval_typed<double>(buffer, act, o, texts)
                 : o.dtype == "bf16" ? eval_storage16<bf16>(buffer, act, o, texts)
                 : o.dtype == "f16"  ? eval_storage16<f16>(buffer, act, o, texts)
                                     : eval_typed<float>(buffer, act, o, texts);
  out << buffer.str();
  return rc;
}

namespace {

/// "f f'(x) f'(y) f+f' dparams" of one data type, then the contract: "exact" for the
/// piecewise-linear kernels (the reference's bits), else the ULP of f and f'.
std::string kernel_cells(const kernels::Ops& ops, const kernels::Contract& contract) {
  std::string cells;
  for (const kernels::Path p : {ops.f, ops.df, ops.df_from_y, ops.fdf, ops.dparams}) {
    std::string cell(kernels::name(p));
    cell.resize(std::max<std::size_t>(cell.size() + 1, 11), ' ');
    cells += cell;
  }
  if (ops.f == kernels::Path::None) return cells + "-";
  return cells + (ops.f == kernels::Path::PiecewiseLinear ? std::string("exact")
                                                           : format_short(contract.f) + " / " + format_short(contract.df));
}

}  // namespace

int targets(std::ostream& out) {
  const std::string active = target();
  for (const std::string& t : actfn::targets()) out << t << (t == active ? "  (in use)" : "") << "\n";
  // f32 and f64 each: a kernel for both, for f32 data only, or the scalar reference only.
  std::string both, f32_only, f64_only, without;
  for (const FunctionInfo& fi : all()) {
    const Activation act(fi.kind);
    const bool f32 = has_kernel<float>(act), f64 = has_kernel<double>(act);
    std::string& list = f32 && f64 ? both : f32 ? f32_only : f64 ? f64_only : without;
    if (!list.empty()) list += ' ';
    list += fi.name;
  }
  out << "SIMD kernels: " << both << "\n";
  if (!f32_only.empty()) out << "SIMD kernels for f32 data only (f64 on the reference): " << f32_only << "\n";
  if (!f64_only.empty()) out << "SIMD kernels for f64 data only (f32 on the reference): " << f64_only << "\n";
  out << "reference only: " << (without.empty() ? "none" : without) << "\n";
  // The kernel table: what computes each operation (exact: piecewise-linear in the data type, the
  // reference's bits; f32 / f64: lanes of that type; f32-in-f64: f32 data in f64 lanes, rounded
  // once; rows / gated / maxout / channels / noise: kernels of that shape; -: the reference) and
  // the accuracy each kernel promises, in ULP of f / f'.
  out << "\nkernel table:\n" << std::string(25, ' ') << "f          f'(x)      f'(y)      f+f'       dparams    max ULP f / f'\n";
  for (const kernels::KernelRow& row : kernels::rows()) {
    std::string name(info(row.kind).name);
    name.resize(std::max<std::size_t>(name.size() + 1, 20), ' ');
    out << name << "f32: " << kernel_cells(row.f32, row.f32_contract) << "\n";
    out << std::string(20, ' ') << "f64: " << kernel_cells(row.f64, row.f64_contract) << "\n";
  }
  return 0;
}

int docs(std::ostream& out, const std::optional<std::string>& check) {
  const std::string md = catalog_markdown();
  if (!check) {
    out << md;
    return 0;
  }
  std::ifstream file(*check, std::ios::binary);
  if (!file) throw Error("docs: cannot read " + quote(*check, 200));
  std::stringstream current;
  current << file.rdbuf();
  if (current.str() != md)
    throw Error(quote(*check, 200) + " is stale: regenerate it with 'actfn docs > " + *check + "'");
  out << *check << " is up to date\n";
  return 0;
}

}  // namespace actfn::cli
