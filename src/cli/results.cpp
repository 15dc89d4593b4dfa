#include "results.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "actfn/activation.hpp"
#include "actfn/error.hpp"

namespace actfn::cli {
namespace {

/// Two-sided 95% Student t quantile for n - 1 degrees of freedom (n ≤ 30 tabulated, 1.96 beyond).
double t95(std::int64_t n) {
  static constexpr double kT[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                  2.201, 2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                                  2.074, 2.069,  2.064, 2.060, 2.056, 2.052, 2.048, 2.045};
  const std::int64_t df = n - 1;
  return df >= 1 && df < 30 ? kT[df] : 1.96;
}

Measured summarise(const std::vector<double>& acc) {
  Measured m;
  m.seeds = static_cast<std::int64_t>(acc.size());
  for (double a : acc) m.mean += a / static_cast<double>(acc.size());
  double ss = 0;
  for (double a : acc) ss += (a - m.mean) * (a - m.mean);
  m.std = acc.size() > 1 ? std::sqrt(ss / static_cast<double>(acc.size() - 1)) : 0;
  const double half = acc.size() > 1 ? t95(m.seeds) * m.std / std::sqrt(static_cast<double>(acc.size())) : 0;
  m.ci_low = m.mean - half;
  m.ci_high = m.mean + half;
  return m;
}

}  // namespace

std::map<std::string, Measured> parse_results(std::string_view text, const std::string& name,
                                              const std::string& network) {
  const std::string file = "advise: " + quote(name, 200);
  // Nesting is bounded: results.json is two levels deep, and printing a value (a bad accuracy)
  // recurses once per level.
  constexpr int kMaxDepth = 64;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text.begin(), text.end(), [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
      if (depth > kMaxDepth) throw Error("nested deeper than " + std::to_string(kMaxDepth) + " levels");
      return true;
    });
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + " is not JSON (" + printable(e.what(), 160) + ")");
  } catch (const Error& e) {
    throw Error(file + " is not results.json: " + e.what());
  }
  if (!j.is_object() || !j.contains("rows") || !j["rows"].is_array())
    throw Error(file + " has no list of 'rows' (write it with actfn compare)");
  std::map<std::string, Measured> out;
  std::set<std::pair<std::string, std::string>> seen;
  std::size_t index = 0;
  for (const nlohmann::json& row : j["rows"]) {
    const std::string where = file + ": row " + std::to_string(++index);
    if (!row.is_object() || !row.contains("model") || !row["model"].is_string() || !row.contains("activation") ||
        !row["activation"].is_string() || !row.contains("test_accuracies") || !row["test_accuracies"].is_array())
      throw Error(where + " lacks a model, an activation or a list of test_accuracies");
    std::string spec;
    try {
      spec = parse(row["activation"].get<std::string>()).spec();
    } catch (const Error& e) {
      throw Error(where + ": " + e.what());
    }
    const std::string model = row["model"].get<std::string>();
    if (!seen.emplace(model, spec).second)
      throw Error(where + ": " + quote(model) + " " + spec + " appears twice");
    std::vector<double> acc;
    for (const nlohmann::json& a : row["test_accuracies"]) {
      if (!a.is_number() || !(a.get<double>() >= 0 && a.get<double>() <= 1))
        throw Error(where + " (" + spec + "): a test accuracy is not a number in [0, 1] (" + printable(a.dump(), 40) + ")");
      acc.push_back(a.get<double>());
    }
    if (acc.empty()) throw Error(where + " (" + spec + ") has no test accuracies");
    if (model == network) out[spec] = summarise(acc);
  }
  if (out.empty()) throw Error(file + " has no results for the " + printable(network) + " model");
  return out;
}

std::map<std::string, Measured> read_results(const std::string& path, const std::string& network) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("advise: cannot read " + quote(path, 200));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_results(text.str(), path, network);
}

}  // namespace actfn::cli
