// The scalar reference's measured accuracy (actfn_accuracy against MPFR), from the data embedded at
// configure time: docs/data/reference_accuracy.json.
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "cli.hpp"

namespace actfn::cli {

extern const char* const kReferenceAccuracy;

std::optional<MeasuredAccuracy> measured_accuracy(std::string_view name) {
  static const nlohmann::json data = nlohmann::json::parse(kReferenceAccuracy);
  // Three significant digits, as docs/accuracy.md shows them.
  const auto error = [](const nlohmann::json& column) -> std::optional<double> {
    if (column.is_null()) return std::nullopt;
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", column.at("error").get<double>());
    return std::stod(text);
  };
  for (const nlohmann::json& row : data.at("output").at("rows")) {
    if (row.at("activation").get<std::string>() != name) continue;
    return MeasuredAccuracy{error(row.at("f32_y")), error(row.at("f32_dy")), error(row.at("f64_y")),
                            error(row.at("f64_dy")),
                            "docs/data/reference_accuracy.json: " + data.at("date").get<std::string>() + ", commit " +
                                data.at("commit").get<std::string>()};
  }
  return std::nullopt;
}

}  // namespace actfn::cli
