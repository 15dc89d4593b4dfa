// actfn — properties of an element-wise activation, computed numerically at its parameter values
// from the long-double reference (not declared by hand), so they stay true for any parameters.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "actfn/activation.hpp"

namespace actfn {

/// One end of the output range: its value (±inf allowed) and whether some finite x attains it.
struct Bound {
  double value;
  bool attained;
};

struct Extremum {
  double x, y;
};

enum class Smoothness { Discontinuous, C0, C1, Smooth };
std::string_view to_string(Smoothness s);

/// Behaviour at a point where f or f' is not smooth.
struct Kink {
  double x;
  double left_slope, right_slope;  // one-sided limits of f'
  double slope_at;                 // the derivative actfn (and PyTorch) uses at x itself
  bool jump;                       // f itself is discontinuous here
};

struct Properties {
  Bound lower, upper;                // output range
  bool monotonic;                    // non-decreasing everywhere
  std::optional<Extremum> minimum;   // the global minimum, for non-monotonic functions
  bool zero_centred;                 // f(0) = 0 and f takes both signs
  Smoothness smoothness;             // worst over the kinks; Smooth when there are none
  std::vector<Kink> kinks;
  bool saturates_left, saturates_right;  // f'(x) -> 0 as x -> -inf / +inf
  bool backward_from_y;
  double limit_neg_inf, limit_pos_inf;   // f(-inf), f(+inf) as actfn returns them
  double at_neg_zero, at_pos_zero;       // f(-0), f(+0): signed zeros are visible here
  [[nodiscard]] bool bounded_below() const { return lower.value > -kInf; }
  [[nodiscard]] bool bounded_above() const { return upper.value < kInf; }
};

/// Computes the properties of an element-wise activation; throws Error for vector-wise ones.
Properties properties(const Activation& act);

}  // namespace actfn
