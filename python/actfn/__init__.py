"""actfn for PyTorch: every activation of actfn's registry as an autograd-aware operator.

    import actfn
    layer = actfn.Activation("prelu(num_parameters=64)")   # an nn.Module; weight in parameters()
    y = actfn.functional.mish(x)                           # or actfn.functional.leaky_relu(x, negative_slope=0.2)

The operators live in the C++ library libactfn_torch.so (torch.ops.actfn.*), loaded on import from,
in order: $ACTFN_TORCH_LIBRARY, the install tree (<prefix>/lib/libactfn_torch.so), the build tree
(<repo>/build/libactfn_torch.so).
"""
import torch

from ._library import library_path, load_library

load_library()

from . import functional  # noqa: E402  (needs the operators loaded)
from .module import Activation  # noqa: E402

__all__ = ["Activation", "functional", "library_path", "load_library", "names"]


def names():
    """Canonical names of every activation (aliases such as relu6 are accepted too)."""
    return list(torch.ops.actfn.names())
