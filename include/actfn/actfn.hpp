// actfn — activation functions for neural networks: the whole public API (link actfn::actfn).
#pragma once

#include "actfn/activation.hpp"
#include "actfn/error.hpp"
#include "actfn/ops.hpp"
#include "actfn/properties.hpp"
#include "actfn/reference.hpp"
#include "actfn/registry.hpp"
#include "actfn/types.hpp"
