// Restores the process-wide settings a test may change (target, threads, threshold), however the
// test ends, so later tests see the defaults.
#pragma once

#include "actfn/ops.hpp"

struct SettingsGuard {
  SettingsGuard() = default;
  SettingsGuard(const SettingsGuard&) = delete;
  SettingsGuard& operator=(const SettingsGuard&) = delete;
  ~SettingsGuard() {
    actfn::set_target("auto");
    actfn::set_threads(0);
    actfn::set_parallel_threshold(0);
  }
};
