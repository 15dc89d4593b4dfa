// Pictures are drawn by matplotlib on the system Python (/usr/bin/python3 with Debian's
// python3-matplotlib; $ACTFN_PYTHON overrides). The scripts are compiled into the executables
// (generated/*.cpp from src/**/*.py at configure time), so an installed actfn needs no data files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace actfn::cli {

/// Runs `python -c source args...` and waits. Throws actfn::Error when the interpreter cannot be
/// started or exits non-zero (with the last line it printed to stderr, e.g. a missing matplotlib).
void run_python(std::string_view what, const char* source, const std::vector<std::string>& args);

/// The embedded scripts (generated at configure time).
extern const char* const kPlotScript;    // src/cli/plot.py: actfn plot
extern const char* const kReportScript;  // src/lab/report.py: actfn compare's report
extern const char* const kDepthScript;   // src/cli/depth_plot.py: actfn analyze depth --png

}  // namespace actfn::cli
