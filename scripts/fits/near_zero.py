#!/usr/bin/python3
"""Fits an activation's slope next to its zero, for the f64 kernels and
the f32 kernels in f64 lanes (src/kernels/*_family-inl.h, math_f32_in_f64-inl.h).

Where f'(x) = A(x) + B(x) cancels (the minimum of a gate such as GELU or Mish), the kernels take
f'(z + t) = t Q(t) for |t| <= H instead, with Q(t) = c0 + t R(t): z and c0 = f''(z) as double
pairs, R the interpolant at N + 1 Chebyshev nodes of [-H, H], rounded to double. The constants of
the reference's formulas are its long-double values, so the fit is of what the kernels must match.
The f32-via-f64 kernels hold c0's high part only and a lower degree: they need Q to ~2^-30.

  /usr/bin/python3 scripts/fits/near_zero.py {gelu|gelu_tanh|telu|mish|silu} N H

prints z and c0 as pairs, R's coefficients (t^0 first) and the worst relative error of Q with
the rounded coefficients on 801 points of [-H, H]. Uses mpmath (Debian's python3-mpmath, which
python3-torch pulls in through sympy). silu's fit is the swish family's, G(v) in v = beta x; the
f64 kernels' own (GateSlopeFit) predates this script.
"""
import sys

import mpmath as mp

mp.mp.dps = 60


def sigmoid(v):
    return 1 / (1 + mp.exp(-v))


def long_double(hex_literal):
    """A long double printed by printf("%La"), e.g. 0xc.c42299ea1b28468p-4, exactly."""
    mantissa, exponent = hex_literal.split("p")
    whole, fraction = mantissa.replace("0x", "").split(".")
    return mp.mpf(int(whole + fraction, 16)) * mp.mpf(2) ** (int(exponent) - 4 * len(fraction))


def gelu_tanh_slope(x):
    c = long_double("0xc.c42299ea1b28468p-4")  # fn::GeluTanh::kC, sqrt(2/pi)
    k = long_double("0xb.727136a400fba88p-8")  # fn::GeluTanh::kK, 0.044715
    s = sigmoid(2 * c * (x + k * x**3))
    return s + 2 * x * s * (1 - s) * c * (1 + 3 * k * x**2)


def silu_slope(v):
    s = sigmoid(v)
    return s * (1 + v * (1 - s))


def telu_slope(x):
    u = mp.exp(x)
    return mp.tanh(u) + x * u * mp.sech(u) ** 2


def mish_slope(x):
    t = mp.tanh(mp.log1p(mp.exp(x)))
    return t + x * (1 - t**2) * sigmoid(x)


def gelu_slope(x):
    return mp.erfc(-x / mp.sqrt(2)) / 2 + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi)


SLOPES = {
    "gelu": (gelu_slope, -0.75),
    "gelu_tanh": (gelu_tanh_slope, -0.75),
    "telu": (telu_slope, -1.08),
    "silu": (silu_slope, -1.28),
    "mish": (mish_slope, -1.19),
}


def main():
    name, degree, half_width = sys.argv[1], int(sys.argv[2]), mp.mpf(sys.argv[3])
    g, guess = SLOPES[name]
    root = mp.findroot(g, guess)
    z_hi = float(root)
    z_lo = float(root - z_hi)
    z = mp.mpf(z_hi) + mp.mpf(z_lo)  # the zero as the kernel holds it
    c0 = mp.diff(g, z)
    c0_hi = float(c0)
    c0_lo = float(c0 - c0_hi)
    second = mp.diff(g, z, 2) / 2

    def q(t):
        return c0 + t * second if abs(t) < mp.mpf("1e-25") else g(z + t) / t

    def r(t):
        return second if abs(t) < mp.mpf("1e-20") else (q(t) - c0) / t

    n = degree + 1
    nodes = [half_width * mp.cos(mp.pi * (2 * k + 1) / (2 * n)) for k in range(n)]
    vandermonde = mp.matrix([[t**j for j in range(n)] for t in nodes])
    coefficients = [float(c) for c in mp.lu_solve(vandermonde, mp.matrix([r(t) for t in nodes]))]
    worst = mp.mpf(0)
    for i in range(-400, 401):
        t = half_width * i / 400
        if t == 0:
            continue
        rt = mp.mpf(0)
        for c in reversed(coefficients):
            rt = rt * t + mp.mpf(c)
        worst = max(worst, abs(mp.mpf(c0_hi) + mp.mpf(c0_lo) + t * rt - q(t)) / abs(q(t)))
    print(f"zero   {z_hi.hex()} {z_lo.hex()}  ({mp.nstr(root, 20)})")
    print(f"c0     {c0_hi.hex()} {c0_lo.hex()}")
    print(f"Q's worst relative error: 2^{float(mp.log(worst, 2)):.2f}")
    print("R, t^0 first:", ", ".join(c.hex() for c in coefficients))


if __name__ == "__main__":
    main()
