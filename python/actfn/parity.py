"""actfn against PyTorch's own activations: values and gradients, side by side with a float64 truth.

    /usr/bin/python3 -m actfn.parity            # markdown table (PYTHONPATH=python in the repo)

For every function both have, on float32 inputs (random, wide-range and adversarial: ±0, ±inf, NaN,
subnormals, ±FLT_MAX, the kinks and their neighbours), it measures the largest difference between
actfn and torch (in float32 ULPs) and each one's largest error against the truth, for y and for dx
(autograd with a random dy). The truth is actfn's float64 result rounded to float32: its reference
computes float64 in long double and is certified against MPFR (tests/accuracy), whereas torch's own
float64 kernels flush several tails (elu, gelu, tanhshrink) and cannot serve.
"""
import math

import torch
import torch.nn.functional as F

from . import functional as A

_ROWS = 64  # vector-wise functions run along rows of this length

# (actfn spec, torch function, kink points, vector-wise). Parameters differ from the defaults in a
# few rows so that they are exercised too.
CASES = [
    ("relu", F.relu, [0.0], False),
    ("leaky_relu(negative_slope=0.2)", lambda x: F.leaky_relu(x, 0.2), [0.0], False),
    ("prelu", lambda x: F.prelu(x, torch.tensor([0.25], dtype=x.dtype)), [0.0], False),
    ("rrelu", lambda x: F.rrelu(x, training=False), [0.0], False),
    ("relu6", F.relu6, [0.0, 6.0], False),
    ("threshold(threshold=0.5, value=-1)", lambda x: F.threshold(x, 0.5, -1.0), [0.5], False),
    ("elu", F.elu, [0.0], False),
    ("celu(alpha=1.5)", lambda x: F.celu(x, 1.5), [0.0], False),
    ("selu", F.selu, [0.0], False),
    ("gelu", F.gelu, [], False),
    ("gelu(approximate=tanh)", lambda x: F.gelu(x, approximate="tanh"), [], False),
    ("silu", F.silu, [], False),
    ("mish", F.mish, [], False),
    ("softplus", F.softplus, [20.0], False),
    ("hardswish", F.hardswish, [-3.0, 3.0], False),
    ("hardsigmoid", F.hardsigmoid, [-3.0, 3.0], False),
    ("hardtanh", F.hardtanh, [-1.0, 1.0], False),
    ("hardshrink", F.hardshrink, [-0.5, 0.5], False),
    ("softshrink", F.softshrink, [-0.5, 0.5], False),
    ("tanhshrink", F.tanhshrink, [], False),
    ("softsign", F.softsign, [], False),
    ("log_sigmoid", F.logsigmoid, [], False),
    ("sigmoid", torch.sigmoid, [], False),
    ("tanh", torch.tanh, [], False),
    ("glu", lambda x: F.glu(x, -1), [], True),
    ("softmax", lambda x: F.softmax(x, -1), [], True),
    ("log_softmax", lambda x: F.log_softmax(x, -1), [], True),
    ("softmin", lambda x: F.softmin(x, -1), [], True),
]

_SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e-45, -1e-45, 1e-38, -1e-38, 3.4e38, -3.4e38]


def inputs(kinks, vector_wise, seed=0):
    """float32 inputs: random normal ×4, log-uniform magnitudes 1e-30..1e30 of both signs, the
    kinks with their float neighbours, and the special values (element-wise functions only)."""
    g = torch.Generator().manual_seed(seed)
    if vector_wise:
        rows = [torch.randn(48, _ROWS, generator=g) * 4, torch.randn(8, _ROWS, generator=g) * 60]
        return torch.cat(rows)
    parts = [torch.randn(4096, generator=g) * 4]
    magnitude = torch.pow(10.0, torch.rand(4096, generator=g) * 60 - 30)
    sign = torch.where(torch.rand(4096, generator=g) < 0.5, -1.0, 1.0)
    parts.append(magnitude * sign)
    edges = []
    for k in kinks:
        k32 = torch.tensor(k, dtype=torch.float32)
        edges += [k32, torch.nextafter(k32, torch.tensor(math.inf)), torch.nextafter(k32, torch.tensor(-math.inf))]
    parts.append(torch.stack(edges) if edges else torch.empty(0))
    parts.append(torch.tensor(_SPECIAL, dtype=torch.float32))
    return torch.cat(parts)


def _ordered(t):
    """float32 bit patterns as integers in the order of the values (for ULP distances)."""
    i = t.contiguous().view(torch.int32).to(torch.int64)
    return torch.where(i < 0, -(i & 0x7FFFFFFF), i)


def ulp_distance(a, b):
    """|a - b| in float32 ULPs, element-wise; 0 where both are NaN, inf where only one is."""
    a, b = a.to(torch.float32), b.to(torch.float32)
    d = (_ordered(a) - _ordered(b)).abs().to(torch.float64)
    both_nan = a.isnan() & b.isnan()
    one_nan = a.isnan() ^ b.isnan()
    d = torch.where(both_nan, torch.zeros_like(d), d)
    return torch.where(one_nan, torch.full_like(d, math.inf), d)


def _run(f, x):
    """y and dx of f at x, for a fixed random dy (dy = 1 would make softmax's dx pure rounding)."""
    x = x.detach().clone().requires_grad_()
    y = f(x)
    g = torch.Generator().manual_seed(1)
    dy = torch.randn(y.shape, generator=g, dtype=torch.float64).to(y.dtype)
    (dx,) = torch.autograd.grad(y, x, dy)
    return y.detach(), dx


def compare(spec, torch_fn, kinks, vector_wise):
    """One row: max ULP differences and errors against the float64 truth, for y and dx."""
    x = inputs(kinks, vector_wise)
    dim = {"dim": -1} if vector_wise else {}
    ours = lambda t: A.apply(spec.split("(")[0], t, **_params(spec), **dim)  # noqa: E731
    mine = _run(ours, x)
    theirs = _run(torch_fn, x)
    truth = _run(ours, x.to(torch.float64))
    row = {"spec": spec}
    for k, what in enumerate(("y", "dx")):
        t32 = truth[k].to(torch.float32)
        finite = torch.isfinite(x) if not vector_wise else torch.ones_like(mine[k], dtype=torch.bool)
        row[what + "_diff_ulp"] = float(ulp_distance(mine[k], theirs[k])[finite].max()) if finite.any() else 0.0
        row[what + "_actfn_err_ulp"] = float(ulp_distance(mine[k], t32)[finite].max())
        row[what + "_torch_err_ulp"] = float(ulp_distance(theirs[k], t32)[finite].max())
        row[what + "_special_mismatch"] = int((ulp_distance(mine[k], theirs[k])[~finite] > 0).sum())
        row[what + "_worse_than_torch"] = int(
            (ulp_distance(mine[k], t32) > torch.maximum(ulp_distance(theirs[k], t32), torch.tensor(4.0)))[finite].sum()
        )
    return row


def _params(spec):
    """The keyword arguments of a spec "name(a=1, b=x)"."""
    if "(" not in spec:
        return {}
    out = {}
    for item in spec[spec.index("(") + 1 : -1].split(","):
        key, value = (s.strip() for s in item.split("="))
        try:
            out[key] = float(value)
        except ValueError:
            out[key] = value
    return out


def table():
    return [compare(*case) for case in CASES]


def markdown(rows):
    head = ("| function | y: max diff vs torch (ULP) | y: actfn err | y: torch err | dx: max diff | dx: actfn err "
            "| dx: torch err | special mismatches y/dx |\n|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        lines.append(
            "| %s | %g | %g | %g | %g | %g | %g | %d/%d |"
            % (r["spec"], r["y_diff_ulp"], r["y_actfn_err_ulp"], r["y_torch_err_ulp"], r["dx_diff_ulp"],
               r["dx_actfn_err_ulp"], r["dx_torch_err_ulp"], r["y_special_mismatch"], r["dx_special_mismatch"])
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(table()))
