// The kernel table's test cases (src/kernels/table.hpp): for each row a test selects, the
// activation at its defaults, then each spec of the row's `cases`. A kernel added to the table is
// tested with no test edit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "actfn/actfn.hpp"
#include "table.hpp"

namespace actfn_test {

struct TableCase {
  actfn::Activation act;
  const actfn::kernels::KernelRow* row;
};

/// The specs of one row's `cases`, split at ';' and trimmed.
inline std::vector<std::string> case_specs(std::string_view cases) {
  std::vector<std::string> out;
  while (!cases.empty()) {
    const std::size_t end = cases.find(';');
    std::string_view spec = cases.substr(0, end);
    while (!spec.empty() && spec.front() == ' ') spec.remove_prefix(1);
    while (!spec.empty() && spec.back() == ' ') spec.remove_suffix(1);
    if (!spec.empty()) out.emplace_back(spec);
    cases = end == std::string_view::npos ? std::string_view{} : cases.substr(end + 1);
  }
  return out;
}

/// The names of the activations whose f32 forward the table gives to kernel `path`.
inline std::vector<std::string> names_with(actfn::kernels::Path path) {
  std::vector<std::string> out;
  for (const actfn::kernels::KernelRow& row : actfn::kernels::rows())
    if (row.f32.f == path) out.emplace_back(actfn::info(row.kind).name);
  return out;
}

/// Every case of every row for which wanted(row) holds.
template <class Wanted>
std::vector<TableCase> table_cases(Wanted wanted) {
  std::vector<TableCase> out;
  for (const actfn::kernels::KernelRow& row : actfn::kernels::rows()) {
    if (!wanted(row)) continue;
    out.push_back({actfn::Activation(row.kind), &row});
    for (const std::string& spec : case_specs(row.cases)) out.push_back({actfn::parse(spec), &row});
  }
  return out;
}

}  // namespace actfn_test
