// actfn_accuracy: measures every activation against the MPFR oracle and prints a table.
//
//   actfn_accuracy [--f32-shift K] [--f64-samples N] [--rows N] [--only NAME[,NAME]] [--markdown | --json]
//
// One row per measured activation (defaults plus other parameter sets): max ULP error (and the
// input where it occurs) of f32 y, f32 f', f64 y, f64 f', parameter gradients; the largest absolute
// error of subnormal results in units of the smallest subnormal; special mismatches; samples the
// oracle could not score. Vector-wise rows report forward (y) and backward (dx) per data type.
// --json gives the same numbers as data (docs/data/reference_accuracy.json, from which
// scripts/docs.py writes docs/accuracy.md's table and `actfn describe` its "measured" line).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "measure.hpp"

namespace {

using actfn_test::accuracy::Report;
using actfn_test::accuracy::Settings;
using actfn_test::accuracy::Worst;

struct Options {
  Settings settings;
  std::vector<std::string> only;
  bool markdown = false;
  bool json = false;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "actfn_accuracy: " << problem << "\n"
            << "usage: actfn_accuracy [--f32-shift K] [--f64-samples N] [--rows N] [--only NAME[,NAME]] "
               "[--markdown | --json]\n";
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  const std::vector<std::string_view> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) usage(std::string(a) + " needs a value");
      return std::string(args[++i]);
    };
    const auto number = [&](long lo, long hi) {
      const std::string v = value();
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || n < lo || n > hi) usage(std::string(a) + ": bad value " + v);
      return n;
    };
    if (a == "--f32-shift") {
      o.settings.f32_shift = static_cast<int>(number(0, 32));
    } else if (a == "--f64-samples") {
      o.settings.f64_samples = static_cast<std::size_t>(number(0, 1L << 40));
    } else if (a == "--rows") {
      o.settings.rows = static_cast<std::size_t>(number(0, 1L << 40));
    } else if (a == "--only") {
      const std::string list = value();
      for (std::size_t start = 0; start <= list.size();) {
        const std::size_t comma = std::min(list.find(',', start), list.size());
        o.only.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
    } else if (a == "--markdown") {
      o.markdown = true;
    } else if (a == "--json") {
      o.json = true;
    } else {
      usage("unknown option " + std::string(a));
    }
  }
  if (o.markdown && o.json) usage("--markdown and --json exclude each other");
  return o;
}

/// The activations to measure: all kinds, or those named with --only (each with its parameter sets).
std::vector<actfn::Activation> selected(const Options& o) {
  std::vector<actfn::Activation> out;
  for (const actfn::FunctionInfo& fi : actfn::all()) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), fi.name) == o.only.end()) continue;
    for (const actfn::Activation& act : actfn_test::accuracy::cases(fi.kind)) out.push_back(act);
  }
  for (const std::string& name : o.only)
    if (!actfn::find(name)) {
      const std::string hint = actfn::suggest(name);
      usage("unknown activation " + name + (hint.empty() ? "" : " (did you mean " + hint + "?)"));
    }
  return out;
}

std::string format(const char* pattern, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, pattern, v);
  return buf;
}

/// "0.512 (x = -3.5)", "-" for an empty column; vector-wise columns name the row.
std::string cell(const Worst& w, bool f32, bool rows) {
  if (w.samples == 0) return "-";
  return format("%.3g", w.error) + (rows ? " (row " + format("%.0f", w.at) + ")"
                                         : " (x = " + format(f32 ? "%.9g" : "%.17g", w.at) + ")");
}

void print(const std::vector<Report>& reports, bool markdown) {
  const std::vector<std::string> head = {"activation", "f32 y ULP", "f32 f' ULP", "f64 y ULP", "f64 f' ULP",
                                         "param grad ULP", "subnormal err", "special", "skipped"};
  std::vector<std::vector<std::string>> table;
  for (const Report& r : reports)
    table.push_back({r.spec, cell(r.f32_y, true, r.vector_wise), cell(r.f32_dy, true, r.vector_wise),
                     cell(r.f64_y, false, r.vector_wise), cell(r.f64_dy, false, r.vector_wise),
                     cell(r.param, false, false), r.subnormal.samples ? format("%.3g", r.subnormal.error) : "-",
                     std::to_string(r.special), std::to_string(r.skipped + r.unconverged)});
  if (markdown) {
    const auto line = [](const std::vector<std::string>& cells) {
      std::string s = "|";
      for (const std::string& c : cells) s += " " + c + " |";
      std::cout << s << "\n";
    };
    line(head);
    line(std::vector<std::string>(head.size(), "---"));
    for (const auto& row : table) line(row);
  } else {
    std::vector<std::size_t> width(head.size());
    for (std::size_t c = 0; c < head.size(); ++c) {
      width[c] = head[c].size();
      for (const auto& row : table) width[c] = std::max(width[c], row[c].size());
    }
    const auto line = [&](const std::vector<std::string>& cells) {
      for (std::size_t c = 0; c < cells.size(); ++c)
        std::cout << cells[c] << std::string(width[c] - cells[c].size() + 2, ' ');
      std::cout << "\n";
    };
    line(head);
    for (const auto& row : table) line(row);
  }
  for (const Report& r : reports)
    if (r.special) std::cout << "\n" << r.spec << ": " << r.special << " special mismatches; first: " << r.first_special;
  std::cout << "\n";
}

/// One column as data: the largest error, where (the input x as text that reads back to it, or
/// "row N") and over how many samples; null for an empty column.
nlohmann::json column(const Worst& w, bool f32, bool rows) {
  if (w.samples == 0) return nullptr;
  const std::string at = rows ? "row " + format("%.0f", w.at) : format(f32 ? "%.9g" : "%.17g", w.at);
  return {{"error", w.error}, {"at", at}, {"samples", w.samples}};
}

void print_json(const std::vector<Report>& reports, const Settings& s) {
  nlohmann::json rows = nlohmann::json::array();
  for (const Report& r : reports)
    rows.push_back({{"activation", r.spec},
                    {"vector_wise", r.vector_wise},
                    {"f32_y", column(r.f32_y, true, r.vector_wise)},
                    {"f32_dy", column(r.f32_dy, true, r.vector_wise)},
                    {"f64_y", column(r.f64_y, false, r.vector_wise)},
                    {"f64_dy", column(r.f64_dy, false, r.vector_wise)},
                    {"param_grad", column(r.param, false, false)},
                    {"subnormal", column(r.subnormal, false, false)},
                    {"special", r.special},
                    {"first_special", r.first_special},
                    {"skipped", r.skipped + r.unconverged}});
  const nlohmann::json out = {
      {"sampling", {{"f32_shift", s.f32_shift}, {"f64_samples", s.f64_samples}, {"rows", s.rows}}},
      {"rows", rows}};
  std::cout << out.dump(1) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  const std::vector<actfn::Activation> acts = selected(o);
  std::vector<Report> reports(acts.size());
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  // Two workers, one activation per task (the measurement of one activation is sequential).
  const auto work = [&] {
    try {
      for (std::size_t i; (i = next++) < acts.size();) {
        reports[i] = actfn_test::accuracy::measure(acts[i], o.settings);
        std::cerr << ("measured " + reports[i].spec + "\n");
      }
    } catch (...) {
      if (!failed.exchange(true)) failure = std::current_exception();
      next = acts.size();
    }
  };
  std::thread helper(work);
  work();
  helper.join();
  if (failure) std::rethrow_exception(failure);
  if (o.json) {
    print_json(reports, o.settings);
    return 0;
  }
  print(reports, o.markdown);
  std::cout << "sampling: f32 every 2^" << o.settings.f32_shift << "th bit pattern, " << o.settings.f64_samples
            << " random f64 inputs, " << o.settings.rows << " vector-wise rows per type\n";
  return 0;
}
