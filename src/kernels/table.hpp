// The kernel table: for every activation (ACTFN_KINDS order, static_asserted) and data type, which
// kernel computes f, f′ from x, f′ from y, f and f′ together, and the learnable parameters'
// gradients, with the accuracy each kernel promises and the parameter cases that take its distinct
// paths. Dispatch (simd.cpp, which static_asserts every entry against the kernel structs both
// ways), has_kernel, `actfn targets`, `actfn accuracy` and the kernel tests read this table; adding
// a kernel is a kernel struct and a row here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "actfn/registry.hpp"

namespace actfn::kernels {

/// What computes an operation. The element-wise kernels are structs over the formula struct F:
enum class Path : std::uint8_t {
  None,             // the scalar reference (src/core)
  PiecewiseLinear,  // PiecewiseLinear<F> (piecewise_linear-inl.h): in the data type; bit-identical to the reference where correctly rounded
  F32Lanes,         // F32Lanes<F> (the family files, on math_f32-inl.h): f32 data in f32 lanes
  F32InF64Lanes,    // F32InF64Lanes<F> (family files, on math_f32_in_f64-inl.h): f32 data in f64 lanes, rounded once
  F64Lanes,         // F64Lanes<F> (the family files, on math_f64-inl.h): f64 data
  // ... and the vector-wise ones are kernels of their own shape:
  Rows,             // softmax.cpp: whole contiguous rows
  Gated,            // simd.cpp: y = a·gate(b), the gate's element-wise kernel inside the product
  Maxout,           // maxout.cpp: the first maximal member of each group
  // ... and two element-wise kernels for calls of another shape:
  Channels,         // channels.cpp: PReLU with one learned slope per channel
  Noise,            // rrelu_noise.cpp: RReLU's training mode, its slopes drawn per element
};

/// A path's short name, as `actfn targets` and `actfn bench --json` show it.
constexpr std::string_view name(Path p) {
  switch (p) {
    case Path::None: return "-";
    case Path::PiecewiseLinear: return "exact";
    case Path::F32Lanes: return "f32";
    case Path::F32InF64Lanes: return "f32-in-f64";
    case Path::F64Lanes: return "f64";
    case Path::Rows: return "rows";
    case Path::Gated: return "gated";
    case Path::Maxout: return "maxout";
    case Path::Channels: return "channels";
    case Path::Noise: return "noise";
  }
  return "?";
}

/// The operations of one data type. f′ is backward with dy; from y only where the registry's
/// backward_needs allows it.
struct Ops {
  Path f = Path::None;           // y = f(x)
  Path df = Path::None;          // dx = dy·f′(x) (vector-wise: the whole backward)
  Path df_from_y = Path::None;   // dx = dy·f′(x) computed from y
  Path fdf = Path::None;         // y and f′(x) in one pass (forward_with_slope); None: f, then df
  Path dparams = Path::None;     // Σ dy·∂f/∂p for the learnable parameters, beside df
  Path per_channel = Path::None; // learned slopes per channel (the Channels overloads)
  Path train = Path::None;       // training mode (rrelu_train_forward/backward)
  [[nodiscard]] constexpr bool any() const { return f != Path::None; }
};

/// The largest error a kernel may have, in ULP of the correctly rounded result (units of the
/// smallest subnormal where that result is subnormal), for every input; special values exact,
/// nothing ≥ the smallest normal flushed. 0.5: correctly rounded.
struct Contract {
  double f = 0, df = 0;
};
inline constexpr Contract kCorrectlyRounded{0.5, 0.5};
/// f within an ULP (one of the two neighbours of the exact value; hard_sigmoid: within 0.5 +
/// 2^-22 ULP, a tie going the way slope·lo's rounding tips it), f' correctly rounded.
inline constexpr Contract kFaithful{1.0, 0.5};
inline constexpr Contract kWithinBudget{2.0, 4.0};  // the project's accuracy budget (README)

struct KernelRow {
  Kind kind;
  Ops f32, f64;
  Contract f32_contract = kWithinBudget, f64_contract = kWithinBudget;
  /// Specs beside the defaults that take other paths through the kernels ("; "-separated): the
  /// kernel tests run each of them, on every target.
  std::string_view cases = {};
  [[nodiscard]] constexpr const Ops& ops(bool f64_data) const { return f64_data ? f64 : f32; }
};

namespace table {
using enum Path;
inline constexpr Ops kPiecewise{.f = PiecewiseLinear, .df = PiecewiseLinear, .df_from_y = PiecewiseLinear};
inline constexpr Ops kPiecewiseFromX{.f = PiecewiseLinear, .df = PiecewiseLinear};
inline constexpr Ops kF32{.f = F32Lanes, .df = F32Lanes, .df_from_y = F32Lanes};
inline constexpr Ops kF32FromX{.f = F32Lanes, .df = F32Lanes};
inline constexpr Ops kF64{.f = F64Lanes, .df = F64Lanes, .df_from_y = F64Lanes};
inline constexpr Ops kF64FromX{.f = F64Lanes, .df = F64Lanes};
/// f32 lanes, f and f′ also in one pass.
inline constexpr Ops kF32Fused{.f = F32Lanes, .df = F32Lanes, .fdf = F32Lanes};
/// f32 data in f64 lanes, f and f′ also in one pass.
inline constexpr Ops kF32InF64Fused{.f = F32InF64Lanes, .df = F32InF64Lanes, .fdf = F32InF64Lanes};
inline constexpr Ops kAlongRows{.f = Rows, .df_from_y = Rows};
inline constexpr Ops kGated{.f = Gated, .df = Gated};
inline constexpr Ops kMaxout{.f = Maxout, .df = Maxout};

// clang-format off
inline constexpr std::array<KernelRow, kKindCount> kTable{{
  // sigmoid family
  {Kind::Step, kPiecewise, kPiecewise, kCorrectlyRounded, kCorrectlyRounded, "step(value_at_zero=0.25)"},
  {Kind::Sigmoid, kF32, kF64},
  {Kind::HardSigmoid, kPiecewiseFromX, kPiecewiseFromX, kFaithful, kFaithful,
   "hard_sigmoid(slope=0.2, offset=0.5); hard_sigmoid(slope=3, offset=-0.25)"},
  {Kind::LogSigmoid, {.f = F32InF64Lanes, .df = F32Lanes, .df_from_y = F32Lanes}, kF64},
  {Kind::GeneralizedSigmoid, {.f = F32InF64Lanes, .df = F32InF64Lanes, .dparams = F32InF64Lanes},
   {.f = F64Lanes, .df = F64Lanes, .dparams = F64Lanes}, kWithinBudget, kWithinBudget,
   "generalized_sigmoid(alpha=2, beta=0.5, gamma=-1.5, epsilon=0.25, delta=0.5); "
   "generalized_sigmoid(alpha=-0.75, beta=3, gamma=0.5, epsilon=-2, delta=-1); "
   "generalized_sigmoid(alpha=1.25, beta=3, gamma=0); generalized_sigmoid(alpha=2, beta=3, gamma=0.5, epsilon=1); "
   "generalized_sigmoid(beta=0.25, gamma=-1.5); generalized_sigmoid(alpha=-1.5, delta=2)"},
  // tanh family
  {Kind::Tanh, kF32, kF64},
  {Kind::Hardtanh, kPiecewise, kPiecewise, kCorrectlyRounded, kCorrectlyRounded, "hardtanh(min_val=-2, max_val=0.5)"},
  {Kind::Tanhshrink, kF32FromX, kF64FromX},
  // Output shifts of at least 1 in magnitude: tanh(v) + output_shift then has no zero, where the
  // reference's own sum (like the kernel's) would cancel.
  {Kind::ShiftedTanh, {.f = F32Lanes, .df = F32Lanes, .dparams = F32InF64Lanes},
   {.f = F64Lanes, .df = F64Lanes, .dparams = F64Lanes}, kWithinBudget, kWithinBudget,
   "shifted_tanh(input_shift=0.75, output_shift=1.5); shifted_tanh(input_shift=-3.5, output_shift=-2); "
   "shifted_tanh(input_shift=-2.5)"},
  {Kind::LecunTanh, kF32, kF64},
  {Kind::Softsign, kF32FromX, kF64FromX},
  {Kind::Telu, kF32InF64Fused, kF64FromX},
  // rectifiers
  {Kind::Relu, kPiecewise, kPiecewise, kCorrectlyRounded, kCorrectlyRounded},
  {Kind::LeakyRelu, kPiecewise, kPiecewise, kCorrectlyRounded, kCorrectlyRounded, "leaky_relu(negative_slope=-0.3)"},
  {Kind::Prelu, {.f = PiecewiseLinear, .df = PiecewiseLinear, .per_channel = Channels},
   {.f = PiecewiseLinear, .df = PiecewiseLinear, .per_channel = Channels}, kCorrectlyRounded,
   kCorrectlyRounded, "prelu(weight=0.1)"},
  // Evaluation mode is x times the mean slope, exact only in f64 lanes for f32 data.
  {Kind::Rrelu, {.f = F32InF64Lanes, .df = F32InF64Lanes, .df_from_y = F32InF64Lanes, .train = Noise},
   {.f = F64Lanes, .df = F64Lanes, .df_from_y = F64Lanes, .train = Noise}, kCorrectlyRounded,
   kCorrectlyRounded,
   "rrelu(lower=0.125, upper=0.375); rrelu(lower=0x1p-7, upper=0.875); rrelu(lower=0.25, upper=0.75); "
   "rrelu(lower=0, upper=0); rrelu(lower=1.5, upper=3.5)"},
  {Kind::ClippedRelu, kPiecewise, kPiecewise, kCorrectlyRounded, kCorrectlyRounded, "clipped_relu(ceiling=0.75)"},
  {Kind::Threshold, kPiecewiseFromX, kPiecewiseFromX, kCorrectlyRounded, kCorrectlyRounded,
   "threshold(threshold=0.5, value=-2)"},
  {Kind::ReluSquared, kPiecewise, kPiecewise, kCorrectlyRounded, kCorrectlyRounded},
  // exponential linear
  {Kind::Elu, kF32, kF64, kWithinBudget, kWithinBudget, "elu(alpha=0.5); elu(alpha=1.25); elu(alpha=1.7)"},
  {Kind::Celu, kF32, kF64, kWithinBudget, kWithinBudget, "celu(alpha=2); celu(alpha=0.375); celu(alpha=0.3)"},
  {Kind::Selu, kF32, kF64},
  // smooth gates
  {Kind::Gelu, kF32Fused, kF64FromX},
  {Kind::GeluTanh, kF32InF64Fused, kF64FromX},
  {Kind::GeluSigmoid, kF32FromX, kF64FromX},
  {Kind::Silu, kF32FromX, kF64FromX},
  {Kind::Swish, {.f = F32Lanes, .df = F32Lanes, .dparams = F32InF64Lanes},
   {.f = F64Lanes, .df = F64Lanes, .dparams = F64Lanes}, kWithinBudget, kWithinBudget,
   "swish(beta=1.5); swish(beta=-0.5); swish(beta=0); swish(beta=0x1p-100); swish(beta=0.3)"},
  {Kind::Hardswish, kF32FromX, kF64FromX},
  {Kind::Mish, kF32InF64Fused, kF64FromX},
  {Kind::Softplus, {.f = F32InF64Lanes, .df = F32Lanes, .df_from_y = F32Lanes}, kF64, kWithinBudget, kWithinBudget,
   "softplus(beta=2.5); softplus(beta=0.7)"},
  {Kind::Squareplus, {.f = F32InF64Lanes, .df = F32InF64Lanes, .df_from_y = F32InF64Lanes}, kF64, kWithinBudget,
   kWithinBudget, "squareplus(b=0.5); squareplus(b=100)"},
  // shrinkage, identity
  {Kind::Hardshrink, kPiecewise, kPiecewise, kCorrectlyRounded, kCorrectlyRounded, "hardshrink(lambd=0)"},
  {Kind::Softshrink, kPiecewise, kPiecewise, kCorrectlyRounded, kCorrectlyRounded, "softshrink(lambd=2)"},
  {Kind::Identity, kPiecewise, kPiecewise, kCorrectlyRounded, kCorrectlyRounded},
  // vector-wise
  {Kind::Softmax, kAlongRows, kAlongRows},
  {Kind::LogSoftmax, kAlongRows, kAlongRows},
  {Kind::Softmin, kAlongRows, kAlongRows},
  {Kind::Glu, kGated, kGated},
  {Kind::Geglu, kGated, kGated},
  {Kind::Swiglu, kGated, kGated},
  {Kind::Reglu, kGated, kGated},
  {Kind::Maxout, kMaxout, kMaxout, kCorrectlyRounded, kCorrectlyRounded},
}};
// clang-format on

constexpr bool in_kind_order() {
  for (std::size_t i = 0; i < kTable.size(); ++i)
    if (kTable[i].kind != static_cast<Kind>(i)) return false;
  return true;
}
static_assert(in_kind_order(), "kernel table rows must follow ACTFN_KINDS");
}  // namespace table

/// The row of `kind`.
constexpr const KernelRow& row(Kind kind) { return table::kTable[static_cast<std::size_t>(kind)]; }
/// All rows, in ACTFN_KINDS order.
constexpr const std::array<KernelRow, kKindCount>& rows() { return table::kTable; }

}  // namespace actfn::kernels
