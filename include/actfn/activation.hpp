// actfn — an activation with its parameter values, and the spec parser.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "actfn/registry.hpp"

namespace actfn {

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
  /// Checks constraints between parameters (hardtanh min_val < max_val, ...); throws Error.
  /// parse() and every operation call it.
  void validate() const;

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
