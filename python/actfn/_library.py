"""Finding and loading libactfn_torch.so (the operators torch.ops.actfn.*)."""
import os

import torch

_NAME = "libactfn_torch.so"
_HERE = os.path.dirname(os.path.abspath(__file__))
_loaded = None


def library_path():
    """Where the operator library is: $ACTFN_TORCH_LIBRARY, else the install or build tree."""
    explicit = os.environ.get("ACTFN_TORCH_LIBRARY")
    if explicit:
        return explicit
    candidates = [
        os.path.join(_HERE, "..", "..", "..", _NAME),  # <prefix>/lib/actfn/python/actfn -> <prefix>/lib
        os.path.join(_HERE, "..", "..", "build", _NAME),  # <repo>/python/actfn -> <repo>/build
    ]
    for path in candidates:
        if os.path.isfile(path):
            return os.path.normpath(path)
    raise ImportError(
        "actfn: cannot find " + _NAME + "; build it (cmake --build build) or set ACTFN_TORCH_LIBRARY to its path"
    )


def load_library(path=None):
    """Loads the operators once (later calls are no-ops); returns the path loaded."""
    global _loaded
    if _loaded is None:
        path = path or library_path()
        if not os.path.isfile(path):
            raise ImportError("actfn: " + path + " does not exist (ACTFN_TORCH_LIBRARY?)")
        torch.ops.load_library(path)
        _loaded = path
    return _loaded
