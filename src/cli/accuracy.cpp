// Reads the measured accuracy table embedded from docs/accuracy.md.
#include <sstream>

#include "cli.hpp"

namespace actfn::cli {

extern const char* const kAccuracyReport;

namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(' ');
  const auto e = s.find_last_not_of(' ');
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

/// "0.501 (x = -32.18)" -> 0.501; "-" -> nullopt.
std::optional<double> leading_number(const std::string& cell) {
  if (cell.empty() || cell == "-") return std::nullopt;
  std::istringstream in(cell);
  double v = 0;
  if (!(in >> v)) return std::nullopt;
  return v;
}

}  // namespace

std::optional<MeasuredAccuracy> measured_accuracy(std::string_view name) {
  std::istringstream report(kAccuracyReport);
  std::string line, run;
  while (std::getline(report, line)) {
    if (line.starts_with("Run ")) run = line;
    if (!line.starts_with("| ")) continue;
    std::vector<std::string> cells;
    std::istringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) cells.push_back(trim(cell));
    if (cells.size() < 5 || cells[0] != name) continue;
    return MeasuredAccuracy{leading_number(cells[1]), leading_number(cells[2]), leading_number(cells[3]),
                            leading_number(cells[4]), run};
  }
  return std::nullopt;
}

}  // namespace actfn::cli
