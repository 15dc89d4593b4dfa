// actfn — an activation with its parameter values, and the spec parser.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "actfn/registry.hpp"

namespace actfn {

/// The precision a call uses the parameters in: f32 (float data, and bf16/f16, which compute in
/// float) or f64. Parameters are rounded to it first, as frameworks do.
enum class Precision : std::uint8_t { F32, F64 };
template <class T>
inline constexpr Precision precision_of = std::is_same_v<T, double> ? Precision::F64 : Precision::F32;

/// A registry kind plus its parameter values (in registry order). Cheap to copy.
class Activation {
 public:
  /// The kind with every parameter at its default.
  explicit Activation(Kind kind);

  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] const FunctionInfo& info() const { return actfn::info(kind_); }
  [[nodiscard]] std::string_view name() const { return info().name; }

  /// Value of parameter `name`; throws Error when the activation has no such parameter.
  [[nodiscard]] double param(std::string_view name) const;
  /// All parameter values, in registry order (unused slots are 0).
  [[nodiscard]] const std::array<double, kMaxParams>& params() const { return values_; }
  /// Sets parameter `name`, validating its range; throws Error naming the problem.
  void set_param(std::string_view name, double value);
  /// Checks the parameters as `precision` will use them: each rounded to it must stay finite and
  /// in its range (negative_slope=1e39 is a double, not a float), and the constraints between them
  /// must hold for the rounded values (hardtanh's min_val < max_val); throws Error naming the
  /// parameter. parse() checks F64 (every value as given); every operation checks its data type's.
  void validate(Precision precision = Precision::F64) const;

  /// Canonical spec: the name plus every parameter that differs from its default, e.g.
  /// "leaky_relu(negative_slope=0.2)". parse(spec()) == *this.
  [[nodiscard]] std::string spec() const;

  /// Whether backward can run from y for these parameter values (e.g. not for leaky_relu
  /// with a negative slope, whose output does not determine the branch).
  [[nodiscard]] bool backward_from_y() const;

  friend bool operator==(const Activation&, const Activation&) = default;

 private:
  Kind kind_;
  std::array<double, kMaxParams> values_{};
};

/// Parses an activation spec:  name [ "(" arg { "," arg } ")" ]
///   arg   = value | key "=" value          (positional args fill parameters in order)
///   value = number | number "/" number | identifier
/// Numbers are decimal or hex-float, or inf/nan. `preset=NAME` applies a named preset; a variant
/// parameter (gelu's approximate=tanh) selects the variant kind. Names and aliases are
/// case-insensitive and '-' matches '_'. Throws Error with a one-line message (with "did you mean"
/// for unknown names) on any problem.
Activation parse(std::string_view spec);

/// Names similar to `name` among activations and aliases, best first (for "did you mean").
std::string suggest(std::string_view name);

}  // namespace actfn
