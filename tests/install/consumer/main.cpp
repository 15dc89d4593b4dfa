// A user of the installed actfn: parse a spec, run forward and backward, check known values.
#include <actfn/actfn.hpp>

#include <array>
#include <cstdio>

int main() {
  const actfn::Activation act = actfn::parse("leaky_relu(negative_slope=0.5)");
  const std::array<double, 2> x{-2.0, 3.0};
  std::array<double, 2> y{}, dx{};
  const std::array<double, 2> dy{1.0, 1.0};
  actfn::forward<double>(act, x, y);
  actfn::backward<double>(act, {.x = x, .dy = dy}, dx);
  const bool ok = y[0] == -1.0 && y[1] == 3.0 && dx[0] == 0.5 && dx[1] == 1.0;
  std::printf("%s %g %g %g %g\n", ok ? "ok" : "WRONG", y[0], y[1], dx[0], dx[1]);
  return ok ? 0 : 1;
}
