// The registry table, built from the formula structs in ACTFN_KINDS order.
#include "actfn/registry.hpp"

#include <algorithm>
#include <array>

#include "functions/all.hpp"

namespace actfn {
namespace {

constexpr std::array<FunctionInfo, kKindCount> kTable = {
#define ACTFN_TABLE_ROW(name) fn::name::info,
    ACTFN_KINDS(ACTFN_TABLE_ROW)
#undef ACTFN_TABLE_ROW
};

// Each row sits at its own enum position, every formula satisfies its interface, and the row's
// declarations agree with the code (a from-y backward exists iff the row says so).
template <class F>
constexpr bool row_is_consistent() {
  constexpr const FunctionInfo& i = F::info;
  if constexpr (fn::VectorWise<F>) {
    return i.vector_wise;
  } else {
    static_assert(fn::ElementWise<F>, "formula struct lacks f/df");
    constexpr bool from_y = i.backward_needs == Needs::Either;
    return !i.vector_wise && from_y == fn::HasFromY<F> && i.backward_needs != Needs::Y;
  }
}
#define ACTFN_CHECK_ROW(name)                                                         \
  static_assert(kTable[static_cast<std::size_t>(Kind::name)].kind == Kind::name,      \
                "registry row " #name " is out of enum order");                       \
  static_assert(row_is_consistent<fn::name>(), "registry row " #name " contradicts its formula");
ACTFN_KINDS(ACTFN_CHECK_ROW)
#undef ACTFN_CHECK_ROW

constexpr bool params_fit() {
  return std::ranges::all_of(kTable, [](const FunctionInfo& i) { return i.params.size() <= kMaxParams; });
}
static_assert(params_fit(), "an activation has more parameters than kMaxParams");

}  // namespace

const FunctionInfo& info(Kind kind) {
  const auto i = static_cast<std::size_t>(kind);
  if (i >= kKindCount) throw Error("actfn: invalid activation kind " + std::to_string(i));
  return kTable[i];
}

std::span<const FunctionInfo> all() { return kTable; }

std::optional<Kind> find(std::string_view name) {
  for (const FunctionInfo& i : kTable)
    if (i.name == name) return i.kind;
  return std::nullopt;
}

std::size_t learnable_count(Kind kind) {
  return static_cast<std::size_t>(
      std::ranges::count_if(info(kind).params, [](const ParamSpec& p) { return p.learnable; }));
}

}  // namespace actfn
