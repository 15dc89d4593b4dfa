// The accuracy measurement: actfn's forward, backward and parameter gradients against the MPFR
// oracle, in ULP of the exact value. Used by the actfn_accuracy tool and by accuracy_test.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "actfn/actfn.hpp"

namespace actfn_test::accuracy {

/// How densely to sample.
struct Settings {
  int f32_shift = 16;               // f32: every 2^f32_shift-th bit pattern (0 = all 2^32)
  std::size_t f64_samples = 20000;  // f64: random inputs (plus the fixed boundary points)
  std::size_t rows = 400;           // vector-wise: random rows per data type
  std::size_t param_stride = 4;     // parameter gradients at every param_stride-th input
};

/// The largest error of one column and where it occurred.
struct Worst {
  double error = 0;
  double at = std::numeric_limits<double>::quiet_NaN();  // the input x (vector-wise: the row number)
  std::size_t samples = 0;
  void add(double e, double x);
};

/// The measurement of one activation with one set of parameter values.
///
/// Element-wise errors are |computed - exact| / ulp(exact), ulp the spacing of the data type in the
/// binade of the exact MPFR value. Exact values below the smallest normal number go to `subnormal`
/// as absolute errors in units of the smallest subnormal (2^-149 for f32, 2^-1074 for f64).
///
/// Vector-wise columns hold forward (y) and backward (dx = J^T dy) errors. Forward errors are
/// relative: ULP of the exact value. Backward errors are in ULP of max(|exact dx_j|, max_i |dy_i|):
/// the gradients of the softmax family are differences y_j (dy_j - <dy, y>) computed from the
/// output y as rounded to the data type, so when they are small (a saturated row) they carry an
/// absolute error of the order of ulp(y_j · max|dy|) however small they are themselves. The row's
/// largest upstream gradient is the floor of that measure.
struct Report {
  std::string spec;
  bool vector_wise = false;
  Worst f32_y, f32_dy, f64_y, f64_dy, param, subnormal;
  std::size_t special = 0;    // finite expected but NaN/inf computed, normal result flushed to 0,
                              // or an overflowing result not returned as inf
  std::string first_special;  // what and where, for the first one
  std::size_t skipped = 0;    // samples where the textbook formula overflows even in MPFR
                              // (e^x for |x| > ~3e18): not scored
  std::size_t unconverged = 0;  // oracle evaluations where no two precisions agreed: not scored
};

/// The activations measured for `kind`: its defaults, plus other parameter values where the
/// function stays well conditioned.
std::vector<actfn::Activation> cases(actfn::Kind kind);

/// Measures one activation (element-wise or vector-wise) with the given sampling.
Report measure(const actfn::Activation& act, const Settings& settings);

}  // namespace actfn_test::accuracy
