// actfn — the registry of activations.
//
// One row per activation drives parsing, the scalar reference, the tests, the CLI and the generated
// docs. A row is a `FunctionInfo`; its code lives beside the formulas in src/core/functions/. To add
// an activation: append it to ACTFN_KINDS below and write its formula struct (info + math) in one
// family file. The tables are static_asserted against this list, so a missing row does not compile.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>

namespace actfn {

// clang-format off
#define ACTFN_KINDS(X)                                                                          \
  /* sigmoid family */     X(Step) X(Sigmoid) X(HardSigmoid) X(LogSigmoid) X(GeneralizedSigmoid) \
  /* tanh family */        X(Tanh) X(Hardtanh) X(Tanhshrink) X(ShiftedTanh) X(LecunTanh)         \
                           X(Softsign) X(Telu)                                                   \
  /* rectifiers */         X(Relu) X(LeakyRelu) X(Prelu) X(Rrelu) X(ClippedRelu) X(Threshold)    \
                           X(ReluSquared)                                                        \
  /* exponential linear */ X(Elu) X(Celu) X(Selu)                                                \
  /* smooth gates */       X(Gelu) X(GeluTanh) X(GeluSigmoid) X(Silu) X(Swish) X(Hardswish)      \
                           X(Mish) X(Softplus) X(Squareplus)                                     \
  /* shrinkage, identity */ X(Hardshrink) X(Softshrink) X(Identity)                              \
  /* vector-wise */        X(Softmax) X(LogSoftmax) X(Softmin) X(Glu) X(Geglu) X(Swiglu)         \
                           X(Reglu) X(Maxout)
// clang-format on

enum class Kind : std::uint8_t {
#define ACTFN_ENUM_ROW(name) name,
  ACTFN_KINDS(ACTFN_ENUM_ROW)
#undef ACTFN_ENUM_ROW
      Count
};
inline constexpr std::size_t kKindCount = static_cast<std::size_t>(Kind::Count);

/// The most parameters any activation has (generalized_sigmoid has five).
inline constexpr std::size_t kMaxParams = 5;

inline constexpr double kInf = std::numeric_limits<double>::infinity();

/// An interval of valid parameter values; each end open or closed, ±inf allowed.
struct Range {
  double lo = -kInf, hi = kInf;
  bool lo_open = true, hi_open = true;
  [[nodiscard]] constexpr bool contains(double v) const {
    return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
  }
};
inline constexpr Range kAnyReal{};
inline constexpr Range kPositive{0.0, kInf, true, true};
inline constexpr Range kNonNegative{0.0, kInf, false, true};
/// Structural counts (PReLU's channels, maxout's pieces): whole numbers from 1 to 2^24, exact in
/// float (and in a float kernel's lanes), so no size is ever converted from an out-of-range value.
inline constexpr double kMaxCount = 16777216.0;
inline constexpr Range kCount{1.0, kMaxCount, false, false};

struct ParamSpec {
  std::string_view name;
  double default_value = 0.0;
  Range range = kAnyReal;
  bool learnable = false;  // has a gradient; the default is the initial value
  bool integer = false;    // structural count (num_parameters, pieces), not in the formula's math
  std::string_view doc;
};

/// A named set of parameter values in another framework's convention, e.g. hard_sigmoid's
/// `keras2` (slope 0.2). Spelled `hard_sigmoid(preset=keras2)`.
struct Preset {
  std::string_view name;
  std::string_view assignments;  // "slope=0.2": parsed by the spec parser itself
  std::string_view doc;
};

/// Another name for an activation, optionally with parameter values (relu6 = clipped_relu at 6).
struct Alias {
  std::string_view name;
  std::string_view assignments = {};
};

/// Activations that are one user-facing function with a choice parameter selecting the formula
/// (gelu(approximate=tanh)). Each choice is its own Kind so no kernel branches per element.
struct Variant {
  Kind base;                 // the kind whose name the user writes (gelu)
  std::string_view param;    // "approximate"
  std::string_view value;    // "tanh"
};

/// What backward needs: the input x, the output y, or either of them.
enum class Needs : std::uint8_t { X, Y, Either };

/// Documented accuracy bound of the scalar reference, in ULP of the correctly rounded result.
struct AccuracyBound {
  double f32_y, f32_dy, f64_y;
};
inline constexpr AccuracyBound kSmoothBound{2.0, 4.0, 2.0};
inline constexpr AccuracyBound kPiecewiseLinearBound{0.5, 0.5, 0.5};

struct FunctionInfo {
  Kind kind;
  std::string_view name;                 // PyTorch-style snake_case
  std::string_view family;
  std::string_view summary;              // one line
  std::string_view formula;              // f(x) = ...
  std::string_view derivative;           // f'(x) = ...
  std::string_view kinks = {};           // derivative convention at kinks, when there are any
  std::string_view reference;            // where the function comes from
  std::span<const ParamSpec> params = {};
  std::span<const Alias> aliases = {};
  std::span<const Preset> presets = {};
  std::optional<Variant> variant = {};
  Needs backward_needs = Needs::X;
  bool vector_wise = false;              // operates along an axis (softmax, glu, maxout)
  AccuracyBound accuracy = kSmoothBound;
  std::string_view notes = {};           // deliberate differences from other frameworks
};

/// The row of `kind`.
const FunctionInfo& info(Kind kind);
/// All rows, in enum order.
std::span<const FunctionInfo> all();
/// The kind named `name` (canonical name only, not aliases); nullopt when unknown.
std::optional<Kind> find(std::string_view name);

/// Index of the learnable parameters of `kind`, in order.
std::size_t learnable_count(Kind kind);

}  // namespace actfn
