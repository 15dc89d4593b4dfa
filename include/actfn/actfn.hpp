// actfn — activation functions for neural networks: the whole public API.
#pragma once

#include "actfn/activation.hpp"
#include "actfn/error.hpp"
#include "actfn/ops.hpp"
#include "actfn/properties.hpp"
#include "actfn/registry.hpp"
