#!/usr/bin/python3
"""Fits the f32 GELU (erf form) kernel's functions of a = |x| (F32InF64Lanes<fn::Gelu> in
src/kernels/gate_family-inl.h, which computes in f64 lanes and rounds once to f32).

With Mills' ratio M(a) = Q(a)/φ(a) (Q(a) = Φ(-a), φ the normal density) and a0 = 0.75179... the
root of M(a) = a (where GELU's slope Φ(x) + x φ(x) is 0, at x = -a0):

  value:  Q(a)                = e^(-a²/2) · t·PM(u)        PM(u) ≈ M(a)/(t √(2π))
  slope:  φ(a)(M(a) - a)      = e^(-a²/2) · (a0 - a)·PH(u), PH(u) ≈ (M(a) - a)/((a0 - a) √(2π))
  exp:    e^r                 = PE(r) on |r| ≤ ln2/2, what is left of e^h after Cody–Waite

on a ∈ [0, 28.5], folded onto an interval by t = 5/(5 + a) ∈ [0.149, 1], u = t - 1/2: past
a = 14.6 every f32 GELU result is ±0 or x itself, but geglu multiplies gelu(b) by a float a (up
to 2^128) and the slope by dy·a (up to 2^256), products that can be floats down to b = -19.6 and
-23.7; 28.5 leaves a margin (e^(-a²/2) = 2^-586, still normal in f64). The slope's quotient has no zero (its
removable singularity at a0 is where the cancelling difference was), so f' keeps its relative
accuracy next to its zero. In f64 lanes t, a², the products and the exponential's reduction carry
~2^-50 of rounding, so the fits' own errors (~2^-29) are all that reaches the f32 result besides
its one rounding.

Weighted least squares (relative error) on Chebyshev points, coefficients rounded to double.

  /usr/bin/python3 scripts/fits/gelu_f32.py [deg_M deg_H deg_E]

prints the constants as C++ literals and each fit's worst relative error on 2001 points, the
polynomial evaluated exactly with the coefficients as printed. Uses mpmath and numpy (Debian's
python3-mpmath and python3-numpy, both pulled in by python3-torch).
"""
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 40
SQRT_2PI = mp.sqrt(2 * mp.pi)
K, C, A_MAX = 5, mp.mpf("0.5"), mp.mpf("28.5")


def mills(a):
    return mp.erfc(a / mp.sqrt(2)) / 2 / (mp.exp(-a * a / 2) / SQRT_2PI)


A0 = mp.findroot(lambda a: mills(a) - a, 0.75)
T_MIN = K / (K + A_MAX)


def value_poly(u):
    t = u + C
    return mills(K / t - K) / SQRT_2PI / t


def slope_poly(u):
    a = K / (u + C) - K
    if abs(a - A0) < mp.mpf("1e-15"):  # the removable singularity: step aside
        a += mp.mpf("1e-15")
    return (mills(a) - a) / (A0 - a) / SQRT_2PI


def fit(nodes, values, degree):
    """Coefficients (x^0 first) fitting values at nodes in relative error, as doubles."""
    xs = np.array([float(v) for v in nodes])
    ys = np.array([float(values(v)) for v in nodes])
    basis = np.stack([xs**j / ys for j in range(degree + 1)], 1)
    return [float(c) for c in np.linalg.lstsq(basis, np.ones_like(ys), rcond=None)[0]]


def worst(values, coefficients, points):
    err = mp.mpf(0)
    for p in points:
        q = mp.mpf(0)
        for c in reversed(coefficients):
            q = q * p + mp.mpf(c)
        err = max(err, abs(q / values(p) - 1))
    return f"2^{float(mp.log(err, 2)):.2f}"


def chebyshev(lo, hi, count):
    return [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (k + mp.mpf(0.5)) / count) for k in range(count)]


def main():
    deg_m, deg_h, deg_e = (int(v) for v in sys.argv[1:4]) if len(sys.argv) > 3 else (11, 9, 6)
    print(f"a0 = {float(A0)!r}")
    u_lo = T_MIN - C
    us = chebyshev(u_lo, 1 - C, 400)
    u_points = [u_lo + (1 - C - u_lo) * mp.mpf(i) / 2000 for i in range(2001)]
    half_ln2 = mp.log(2) / 2
    rs = chebyshev(-half_ln2, half_ln2, 200)
    r_points = [half_ln2 * (2 * mp.mpf(i) / 2000 - 1) for i in range(2001)]
    for name, values, degree, nodes, points in (("PM", value_poly, deg_m, us, u_points),
                                                ("PH", slope_poly, deg_h, us, u_points),
                                                ("PE", mp.exp, deg_e, rs, r_points)):
        c = fit(nodes, values, degree)
        print(f"{name} (degree {degree}, relative error {worst(values, c, points)}):", ", ".join(repr(v) for v in c))


if __name__ == "__main__":
    main()
