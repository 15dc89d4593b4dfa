// actfn analyze moments / selu / underflow: thin wrappers over actfn::analyze that print tables or JSON.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <unistd.h>

#include "actfn/analyze.hpp"
#include "cli.hpp"
#include "python.hpp"

namespace actfn::cli {
namespace {

/// The activations named by `specs`, or every element-wise one at its defaults; vector-wise ones
/// are rejected by name.
std::vector<Activation> element_wise(const std::vector<std::string>& specs, std::string_view command) {
  std::vector<Activation> out;
  if (specs.empty()) {
    for (const FunctionInfo& fi : all())
      if (!fi.vector_wise) out.emplace_back(fi.kind);
    return out;
  }
  for (const std::string& s : specs) {
    const Activation act = parse(s);
    if (act.info().vector_wise)
      throw Error("analyze " + std::string(command) + ": " + std::string(act.name()) +
                  " is vector-wise; only element-wise activations can be analysed");
    out.push_back(act);
  }
  return out;
}

/// 10 significant digits: the table is for reading; --json carries full precision.
std::string num(double v) {
  if (!std::isfinite(v)) return format_short(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

/// JSON number, with inf and nan as strings (JSON has neither).
nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(format_short(v)); }

void require_finite(double v, double lo, std::string_view name) {
  if (!std::isfinite(v) || v < lo) throw Error("analyze: " + std::string(name) + " must be finite and >= " + format_short(lo));
}

}  // namespace

int analyze_moments(std::ostream& out, const MomentsOptions& o) {
  require_finite(o.q, 0, "--q");
  if (o.sigma_w) require_finite(*o.sigma_w, 0, "--sigma-w");
  require_finite(o.sigma_b, 0, "--sigma-b");
  nlohmann::json rows = nlohmann::json::array();
  std::ostringstream table;
  table << std::left << std::setw(30) << "activation" << std::setw(18) << "E[f]" << std::setw(18) << "E[f^2]"
        << std::setw(18) << "E[f']" << std::setw(18) << "E[f'^2]" << std::setw(18) << "gain" << std::setw(18)
        << "sigma_w" << std::setw(18) << "q*" << std::setw(18) << "chi" << "phase\n";
  for (const Activation& act : element_wise(o.specs, "moments")) {
    const analyze::GaussianMoments m = analyze::gaussian_moments(act, o.q);
    const double gain = analyze::init_gain(act);
    const double sigma_w = o.sigma_w.value_or(std::sqrt(gain));
    const analyze::FixedPoint fp = analyze::variance_fixed_point(act, sigma_w, o.sigma_b);
    rows.push_back({{"spec", act.spec()},
                    {"q", m.q},
                    {"mean", m.mean},
                    {"second_moment", m.second},
                    {"slope_mean", m.slope_mean},
                    {"slope_second_moment", m.slope_second},
                    {"gain", gain},
                    {"sigma_w", sigma_w},
                    {"sigma_b", o.sigma_b},
                    {"q_star", json_number(fp.q_star)},
                    {"chi", json_number(fp.chi)},
                    {"phase", analyze::to_string(fp.phase)}});
    table << std::setw(30) << act.spec() << std::setw(18) << num(m.mean) << std::setw(18) << num(m.second)
          << std::setw(18) << num(m.slope_mean) << std::setw(18) << num(m.slope_second) << std::setw(18) << num(gain)
          << std::setw(18) << num(sigma_w) << std::setw(18) << num(fp.q_star) << std::setw(18) << num(fp.chi)
          << analyze::to_string(fp.phase) << "\n";
  }
  if (o.json) {
    out << rows.dump(2) << "\n";
    return 0;
  }
  out << "z ~ N(0, q), q = " << format_short(o.q) << "; gain = 1/E[f(z)^2] at q = 1 (Var(w) = gain/fan_in); "
      << "q* = fixed point of q -> sigma_w^2 E[f(sqrt(q) z)^2] + sigma_b^2 from q = 1, sigma_b = "
      << format_short(o.sigma_b) << (o.sigma_w ? "" : ", sigma_w = sqrt(gain)")
      << "; chi = sigma_w^2 E[f'(sqrt(q*) z)^2] (< 1 ordered, > 1 chaotic)\n"
      << table.str();
  return 0;
}

int analyze_selu(std::ostream& out, const SeluOptions& o) {
  const analyze::SeluConstants c = analyze::selu_defaults();
  const analyze::MeanVar unit{0, 1};
  const analyze::MeanVar image = analyze::selu_map(c, unit, o.omega, o.tau);
  const analyze::MeanVar fixed = analyze::selu_fixed_point(c, o.omega, o.tau);
  const analyze::SeluJacobian jac = analyze::selu_jacobian(c, fixed, o.omega, o.tau);
  const analyze::MeanVar target{o.mean, o.var};
  const analyze::SeluConstants solved = analyze::selu_constants_for(target, o.omega, o.tau);
  const analyze::MeanVar check = analyze::selu_map(solved, target, o.omega, o.tau);
  const analyze::SeluJacobian solved_jac = analyze::selu_jacobian(solved, target, o.omega, o.tau);
  if (o.json) {
    const auto mv = [](analyze::MeanVar v) { return nlohmann::json{{"mean", v.mean}, {"var", v.var}}; };
    const auto jj = [](const analyze::SeluJacobian& j) {
      return nlohmann::json{{"matrix", {{j.j[0][0], j.j[0][1]}, {j.j[1][0], j.j[1][1]}}}, {"spectral_norm", j.spectral_norm}};
    };
    const nlohmann::json j = {
        {"omega", o.omega},
        {"tau", o.tau},
        {"default", {{"alpha", c.alpha}, {"lambda", c.lambda}, {"map_of_0_1", mv(image)}, {"fixed_point", mv(fixed)},
                     {"jacobian", jj(jac)}}},
        {"solved", {{"target", mv(target)}, {"alpha", solved.alpha}, {"lambda", solved.lambda}, {"map_of_target", mv(check)},
                    {"jacobian", jj(solved_jac)}}}};
    out << j.dump(2) << "\n";
    return 0;
  }
  const auto line = [&](std::string_view key, const std::string& value) {
    out << "  " << std::left << std::setw(22) << key << value << "\n";
  };
  const auto pair = [](double a, double b) { return std::string("(") + format_short(a) + ", " + format_short(b) + ")"; };
  const auto matrix = [&](const analyze::SeluJacobian& j) {
    return std::string("[[") + format_short(j.j[0][0]) + ", " + format_short(j.j[0][1]) + "], [" + format_short(j.j[1][0]) + ", " +
           format_short(j.j[1][1]) + "]]  (rows mean~, var~; columns mean, var)";
  };
  out << "SELU mean/variance map (Klambauer et al. 2017), z ~ N(mean omega, var tau), omega = n E[w] = "
      << format_short(o.omega) << ", tau = n E[w^2] = " << format_short(o.tau) << "\n";
  line("alpha, lambda", pair(c.alpha, c.lambda) + "  (the registry's selu)");
  line("(0, 1) maps to", pair(image.mean, image.var));
  line("fixed point", pair(fixed.mean, fixed.var));
  line("Jacobian there", matrix(jac));
  line("spectral norm", format_short(jac.spectral_norm) + (jac.spectral_norm < 1 ? " < 1: attracting" : " >= 1: not a contraction"));
  out << "for the fixed point (mean, var) = " << pair(o.mean, o.var) << ":\n";
  line("alpha, lambda", pair(solved.alpha, solved.lambda));
  line("check: it maps to", pair(check.mean, check.var));
  line("Jacobian there", matrix(solved_jac));
  line("spectral norm", format_short(solved_jac.spectral_norm) +
                            (solved_jac.spectral_norm < 1 ? " < 1: attracting" : " >= 1: not a contraction"));
  return 0;
}

namespace {

/// Shortest text that reads back to the same value of T (a float threshold prints as a float).
template <class T>
std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<T>(v));
  return {buf, r.ptr};
}
template <class T>
std::string zero_text(const std::optional<double>& x) {
  return x ? shortest<T>(*x) : "none";
}
template <class T>
std::string subnormal_text(const std::optional<std::array<double, 2>>& s) {
  return s ? std::string("[") + shortest<T>((*s)[0]) + ", " + shortest<T>((*s)[1]) + "]" : "none";
}
nlohmann::json tail_json(const analyze::UnderflowTail& t) {
  return {{"zero_beyond", t.zero_beyond ? nlohmann::json(*t.zero_beyond) : nlohmann::json(nullptr)},
          {"subnormal", t.subnormal ? nlohmann::json{(*t.subnormal)[0], (*t.subnormal)[1]} : nlohmann::json(nullptr)}};
}

}  // namespace

int analyze_underflow(std::ostream& out, const std::vector<std::string>& specs, bool json) {
  nlohmann::json rows = nlohmann::json::array();
  std::ostringstream table;
  table << std::left << std::setw(22) << "activation" << std::setw(6) << "type" << std::setw(24) << "f'=0 for x <="
        << std::setw(52) << "f' subnormal (left)" << std::setw(24) << "f'=0 for x >=" << "f' subnormal (right)\n";
  for (const Activation& act : element_wise(specs, "underflow")) {
    const auto row = [&]<class T>(std::string_view type) {
      const analyze::Underflow u = analyze::gradient_underflow<T>(act);
      rows.push_back({{"spec", act.spec()}, {"type", type}, {"identically_zero", u.identically_zero},
                      {"left", tail_json(u.left)}, {"right", tail_json(u.right)}});
      table << std::setw(22) << act.spec() << std::setw(6) << type;
      if (u.identically_zero) {
        table << "f' is never normal (0 everywhere)\n";
        return;
      }
      table << std::setw(24) << zero_text<T>(u.left.zero_beyond) << std::setw(52) << subnormal_text<T>(u.left.subnormal)
            << std::setw(24) << zero_text<T>(u.right.zero_beyond) << subnormal_text<T>(u.right.subnormal) << "\n";
    };
    row.template operator()<float>("f32");
    row.template operator()<double>("f64");
  }
  if (json) {
    out << rows.dump(2) << "\n";
    return 0;
  }
  out << "f'(x) = reference backward with dy = 1; tails scanned over the finite inputs of each type\n" << table.str();
  return 0;
}

}  // namespace actfn::cli

namespace actfn::cli {

int analyze_depth(std::ostream& out, const DepthCommand& o) {
  const std::vector<Activation> acts = element_wise(o.specs, "depth");
  if (acts.empty()) throw Error("analyze depth: no activation given");
  nlohmann::json runs = nlohmann::json::array();
  std::ostringstream table;
  for (const Activation& act : acts) {
    const analyze::DepthSignal sig = analyze::signal_propagation(act, o.options);
    nlohmann::json layers = nlohmann::json::array();
    table << act.spec() << ": init " << sig.init << " (sigma_w^2 = " << num(sig.sigma_w2) << "), width "
          << o.options.width << ", batch " << o.options.batch << ", sigma_b " << format_short(o.options.sigma_b) << "\n"
          << std::left << std::setw(8) << "layer" << std::setw(19) << "mean z" << std::setw(19) << "var z"
          << std::setw(19) << "mean f(z)" << std::setw(19) << "var f(z)" << std::setw(19) << "rms dL/dh"
          << "rms dL/dW\n";
    for (std::size_t l = 0; l < sig.layers.size(); ++l) {
      const analyze::LayerSignal& s = sig.layers[l];
      layers.push_back({{"layer", l + 1}, {"z_mean", json_number(s.z_mean)}, {"z_var", json_number(s.z_var)},
                        {"h_mean", json_number(s.h_mean)}, {"h_var", json_number(s.h_var)},
                        {"grad_h", json_number(s.grad_h)}, {"grad_w", json_number(s.grad_w)}});
      // Every layer up to 10, then every tenth and the last: the trend, not a wall of numbers.
      if (l < 10 || (l + 1) % 10 == 0 || l + 1 == sig.layers.size())
        table << std::setw(8) << l + 1 << std::setw(19) << num(s.z_mean) << std::setw(19) << num(s.z_var)
              << std::setw(19) << num(s.h_mean) << std::setw(19) << num(s.h_var) << std::setw(19) << num(s.grad_h)
              << num(s.grad_w) << "\n";
    }
    runs.push_back({{"spec", act.spec()}, {"init", sig.init}, {"sigma_w2", sig.sigma_w2}, {"depth", o.options.depth},
                    {"width", o.options.width}, {"batch", o.options.batch}, {"sigma_b", o.options.sigma_b},
                    {"seed", o.options.seed}, {"layers", layers}});
  }
  if (!o.png.empty()) {
    char data[] = "/tmp/actfn-depth-XXXXXX";
    const int fd = ::mkstemp(data);
    if (fd < 0) throw Error("analyze depth: cannot create a temporary file");
    const std::string text = runs.dump();
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!written) {
      ::unlink(data);
      throw Error("analyze depth: cannot write a temporary file");
    }
    try {
      run_python("analyze depth --png", kDepthScript, {data, o.png});
    } catch (...) {
      ::unlink(data);
      throw;
    }
    ::unlink(data);
  }
  if (o.json) {
    out << runs.dump(2) << "\n";
    return 0;
  }
  out << "random MLP at initialisation: x ~ N(0, 1), W ~ N(0, sigma_w^2/width), f' from the f64 reference; "
         "dL/dh = N(0, 1) at the top, propagated back\n"
      << table.str();
  if (!o.png.empty()) out << "wrote " << o.png << "\n";
  return 0;
}

int analyze_dead(std::ostream& out, const DeadCommand& o) {
  const std::vector<Activation> acts = element_wise(o.specs, "dead");
  if (acts.empty()) throw Error("analyze dead: no activation given");
  if (o.depths.empty() || o.widths.empty()) throw Error("analyze dead: no depths or widths");
  nlohmann::json rows = nlohmann::json::array();
  std::ostringstream table;
  for (const Activation& act : acts) {
    table << act.spec() << ": P(born dead) over " << o.options.trials << " networks, " << o.options.inputs
          << " inputs from [-1, 1]^d (d = width), init "
          << (o.options.init == "auto" ? std::string(analyze::auto_init(act)) : o.options.init)
          << ", tolerance " << format_short(o.options.tolerance) << "; rows depth, columns width\n"
          << std::left << std::setw(8) << "depth";
    for (std::size_t w : o.widths) table << std::setw(10) << ("w=" + std::to_string(w));
    table << "\n";
    for (std::size_t depth : o.depths) {
      table << std::setw(8) << depth;
      for (std::size_t width : o.widths) {
        analyze::DeadOptions d = o.options;
        d.depth = depth;
        d.width = width;
        const analyze::DeadNetworks r = analyze::born_dead(act, d);
        rows.push_back({{"spec", act.spec()}, {"depth", depth}, {"width", width}, {"trials", r.trials},
                        {"dead", r.dead}, {"probability", r.probability}, {"ci95", {r.low, r.high}},
                        {"mean_dead_layer", r.mean_dead_layer}});
        char cell[16];
        std::snprintf(cell, sizeof cell, "%.3f", r.probability);
        table << std::setw(10) << cell;
      }
      table << "\n";
    }
  }
  if (o.json) {
    out << rows.dump(2) << "\n";
    return 0;
  }
  out << "born dead: some layer outputs the same value for every input (each unit's range <= tolerance x its "
         "largest |output|); "
         "95% Wilson intervals in --json\n"
      << table.str();
  return 0;
}

}  // namespace actfn::cli
