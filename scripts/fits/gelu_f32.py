#!/usr/bin/python3
"""Fits the f32 GELU (erf form) kernel's two functions of a = |x| (src/kernels/smooth_f32-inl.h).

With Mills' ratio M(a) = Q(a)/φ(a) (Q(a) = Φ(-a), φ the normal density) and a0 = 0.75179... the
root of M(a) = a (where GELU's slope Φ(x) + x φ(x) is 0, at x = -a0):

  value:  Q(a)   = e^(-a²/2) · t·PM(u)        PM(u) ≈ M(a)/(t √(2π))
  slope:  φ(a)(M(a) - a) = e^(-a²/2) · (a0 - a)·PH(u),   PH(u) ≈ (M(a) - a)/((a0 - a) √(2π))

on a ∈ [0, 14.6] (past it every result is 0 or subnormal in f32), folded onto an interval by
t = 5/(5 + a) ∈ [0.255, 1] and u = t - 1/2 (exact in f32: Sterbenz, since t ≥ 1/4). The slope's
quotient has no zero (its removable singularity at a0 is where the cancelling difference was), so
f' keeps its relative accuracy next to its zero with a0 - a formed from a0 as a float pair.

The fits are weighted least squares on Chebyshev points of t (relative error), each coefficient
rounded to float in turn and the rest refitted; the constant terms are kept as float pairs. The
kernel corrects for the rounding of t through the derivatives (M from M' = aM - 1; PH from DH, a
low-degree fit of PH', enough for a correction that is itself ~2^-24 relative).

  /usr/bin/python3 scripts/fits/gelu_f32.py [deg_M deg_H deg_D]

prints the constants as C++ hex floats and each fit's worst relative error, evaluated exactly
with the rounded coefficients on 2001 points. Uses mpmath and numpy (Debian's python3-mpmath and
python3-numpy, both pulled in by python3-torch).
"""
import sys

import mpmath as mp
import numpy as np
from float_fit import fit_float, literal

mp.mp.dps = 40
SQRT_2PI = mp.sqrt(2 * mp.pi)
K, C, A_MAX = 5, mp.mpf("0.5"), mp.mpf("14.6")


def mills(a):
    return mp.erfc(a / mp.sqrt(2)) / 2 / (mp.exp(-a * a / 2) / SQRT_2PI)


A0 = mp.findroot(lambda a: mills(a) - a, 0.75)
T_MIN = K / (K + A_MAX)


def a_of(t):
    return K / t - K


def value_poly(t):
    return mills(a_of(t)) / SQRT_2PI / t


def slope_poly(t):
    a = a_of(t)
    if abs(a - A0) < mp.mpf("1e-15"):  # the removable singularity: step aside
        a += mp.mpf("1e-15")
    return (mills(a) - a) / (A0 - a) / SQRT_2PI


NODES = [(T_MIN + 1) / 2 + (1 - T_MIN) / 2 * mp.cos(mp.pi * (k + mp.mpf(0.5)) / 400) for k in range(400)]


def fit(values, degree, pair_first=True):
    """Coefficients u^0 first; the first one a double (split into a float pair by the caller)."""
    return fit_float([float(t - C) for t in NODES], [float(values(t)) for t in NODES], degree, pair_first)


def worst(values, coefficients):
    err = mp.mpf(0)
    for i in range(2001):
        t = T_MIN + (1 - T_MIN) * mp.mpf(i) / 2000
        p = mp.mpf(0)
        for c in reversed(coefficients):
            p = p * (t - C) + mp.mpf(c)
        err = max(err, abs(p / values(t) - 1))
    return f"2^{float(mp.log(err, 2)):.2f}"


def pair(x):
    hi = np.float32(x)
    return hi, np.float32(mp.mpf(x) - mp.mpf(float(hi)))


def main():
    deg_m, deg_h, deg_d = (int(v) for v in sys.argv[1:4]) if len(sys.argv) > 3 else (10, 9, 4)
    a0_hi, a0_lo = pair(A0)
    print(f"a0 = {A0}: {literal(a0_hi)}, {literal(a0_lo)}")
    for name, values, degree in (("PM", value_poly, deg_m), ("PH", slope_poly, deg_h)):
        c = fit(values, degree)
        hi, lo = pair(c[0])
        print(f"{name} (degree {degree}, relative error {worst(values, c)}): c0 = {literal(hi)}, {literal(lo)};",
              "then", ", ".join(literal(v) for v in c[1:]))
        if name == "PH":
            # PH' from the fitted PH, refitted at low degree (relative error of the derivative).
            def derivative(t, c=c):
                return sum(j * mp.mpf(v) * (t - C) ** (j - 1) for j, v in enumerate(c) if j)
            dc = fit(derivative, deg_d, pair_first=False)
            print(f"DH (degree {deg_d}, relative error {worst(derivative, dc)}):", ", ".join(literal(v) for v in dc))


if __name__ == "__main__":
    main()
