// Fuzz target: the activation spec parser, and what a parsed spec promises. Every input either
// parses or throws actfn::Error (anything else — another exception, a crash, undefined behaviour,
// a leak, a huge allocation — is a finding). A parsed activation reads back from its canonical
// spec() as itself, and the reference evaluates it, element-wise or along rows, in f32 and f64
// wherever its parameters are valid in that precision, without undefined behaviour.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "actfn/activation.hpp"
#include "actfn/error.hpp"
#include "actfn/reference.hpp"

namespace {

[[noreturn]] void finding(const char* what, const actfn::Activation& act) {
  std::fprintf(stderr, "spec_parser: %s: %s\n", what, act.spec().c_str());
  std::abort();
}

/// Forward and backward (from x, with parameter gradients; from y where allowed) of an
/// element-wise activation over inputs that include its special values.
template <class T>
void element_wise(const actfn::Activation& act) {
  constexpr T inf = std::numeric_limits<T>::infinity();
  const std::vector<T> x{-inf, T(-1e30), T(-3), T(-1), T(-0.0), T(0), T(1e-30), T(0.5), T(3), T(1e30), inf,
                         std::numeric_limits<T>::quiet_NaN()};
  std::vector<T> y(x.size()), dx(x.size()), dparams(actfn::learnable_count(act.kind()));
  const std::vector<T> dy(x.size(), T(1));
  actfn::reference::forward<T>(act, x, y);
  actfn::reference::backward<T>(act, {.x = x, .dy = dy}, dx, dparams);
  if (act.backward_from_y()) actfn::reference::backward<T>(act, {.y = y, .dy = dy}, dx);
}

/// Rows of every length the activation accepts up to 12, forward and backward.
template <class T>
void vector_wise(const actfn::Activation& act) {
  for (std::size_t n = 1; n <= 12; ++n) {
    std::size_t out = 0;
    try {
      out = actfn::reference::output_axis(act, n);
    } catch (const actfn::Error&) {
      continue;  // a length the activation does not take
    }
    std::vector<T> x(n), y(out), dx(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<T>((static_cast<double>(i * 7 % 5) - 2) * 1.5);
    const std::vector<T> dy(out, T(1));
    actfn::reference::forward<T>(act, actfn::Axis{1, n, 1}, x, y);
    actfn::reference::backward<T>(act, actfn::Axis{1, n, 1}, {.x = x, .y = y, .dy = dy}, dx);
  }
}

template <class T>
void evaluate(const actfn::Activation& act) {
  try {
    act.validate(actfn::precision_of<T>);
  } catch (const actfn::Error&) {
    return;  // parameters this precision cannot hold: every call refuses them the same way
  }
  if (act.info().vector_wise)
    vector_wise<T>(act);
  else
    element_wise<T>(act);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<actfn::Activation> act;
  try {
    act = actfn::parse(text);
  } catch (const actfn::Error&) {
    return 0;
  }
  // The canonical spec must parse back to the same activation (no Error allowed here).
  if (!(actfn::parse(act->spec()) == *act)) finding("spec() does not read back as itself", *act);
  evaluate<float>(*act);
  evaluate<double>(*act);
  return 0;
}
