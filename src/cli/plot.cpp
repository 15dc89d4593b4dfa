#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>

#include "cli.hpp"
#include "python.hpp"

namespace actfn::cli {

int plot(std::ostream& out, const PlotOptions& o) {
  if (o.specs.empty()) throw Error("plot: no activation given");
  if (!(std::isfinite(o.from) && std::isfinite(o.to) && o.from < o.to))
    throw Error("plot: the range must be two finite numbers, the first below the second");
  if (o.out.empty()) throw Error("plot: no output file (-o FILE.png)");
  constexpr std::size_t kPoints = 1201;
  std::vector<double> x(kPoints);
  for (std::size_t i = 0; i < kPoints; ++i) x[i] = o.from + (o.to - o.from) * static_cast<double>(i) / (kPoints - 1);
  const std::vector<double> ones(kPoints, 1.0);
  std::vector<std::vector<double>> columns;
  std::string head = "x";
  for (const std::string& spec : o.specs) {
    const Activation act = parse(spec);
    if (act.info().vector_wise)
      throw Error("plot draws element-wise activations; " + std::string(act.name()) + " is vector-wise");
    std::vector<double> y(kPoints), dx(kPoints);
    forward<double>(act, x, y);
    backward<double>(act, {.x = x, .dy = ones}, dx);
    head += ",\"f " + act.spec() + "\",\"df " + act.spec() + "\"";
    columns.push_back(std::move(y));
    columns.push_back(std::move(dx));
  }
  char csv[] = "/tmp/actfn-plot-XXXXXX";
  const int fd = ::mkstemp(csv);
  if (fd < 0) throw Error("plot: cannot create a temporary file");
  ::close(fd);
  {
    std::ofstream f(csv);
    f.precision(17);
    f << head << '\n';
    for (std::size_t i = 0; i < kPoints; ++i) {
      f << x[i];
      for (const auto& c : columns) f << ',' << c[i];
      f << '\n';
    }
  }
  try {
    run_python("plot", kPlotScript, {csv, o.out, o.derivative ? "1" : "0"});
  } catch (...) {
    ::unlink(csv);
    throw;
  }
  ::unlink(csv);
  out << "wrote " << o.out << "\n";
  return 0;
}

}  // namespace actfn::cli
