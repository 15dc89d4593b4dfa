#!/usr/bin/python3
"""Fits tanhshrink's cancelling range for the f64 and f32 kernels (src/kernels/tanh_family-inl.h).

x - tanh x = x^3 P(x^2) with P(w) = 1/3 - 2w/15 + w^2 R(w); the kernel holds 1/3 and -2/15 as
double pairs and R as the interpolant at N + 1 Chebyshev nodes of [0, W], rounded to double.

  /usr/bin/python3 scripts/fits/tanhshrink.py N W      (the kernel: 12 0.5625, i.e. |x| <= 3/4)

prints R's coefficients (w^0 first) and the worst contribution of R's error to P's relative error
on 2000 points of (0, W]. Uses mpmath (Debian's python3-mpmath, through python3-torch's sympy).

  /usr/bin/python3 scripts/fits/tanhshrink.py N W f32  (the f32 kernel: 7 0.5625)

fits P itself for the f32 kernel instead: degree N, the constant term a float pair and the other
coefficients floats, rounded one at a time with the rest refitted (scripts/fits/float_fit.py);
prints them and P's worst relative error with them on the same points.
"""
import sys

import mpmath as mp
import numpy as np
from float_fit import fit_float, literal

mp.mp.dps = 80


def p(w):
    v = mp.sqrt(w)
    return (v - mp.tanh(v)) / v**3


def r(w):
    if w < mp.mpf("1e-20"):
        return mp.mpf(17) / 315 - mp.mpf(62) / 2835 * w  # the series' next terms
    return (p(w) - mp.mpf(1) / 3 + 2 * w / 15) / w**2


def fit_f32(degree, width):
    ws = [width * i / 2000 for i in range(1, 2001)]
    ps = [p(w) for w in ws]
    held = fit_float([float(w) for w in ws], [float(v) for v in ps], degree, first_double=True)
    c0_hi = float(np.float32(held[0]))
    c0_lo = float(np.float32(held[0] - c0_hi))
    held = [mp.mpf(c0_hi) + mp.mpf(c0_lo)] + [mp.mpf(c) for c in held[1:]]
    worst = mp.mpf(0)
    for w, pw in zip(ws, ps):
        acc = mp.mpf(0)
        for c in reversed(held):
            acc = acc * w + c
        worst = max(worst, abs(acc - pw) / pw)
    print(f"c0     {literal(c0_hi)}, {literal(c0_lo)}")
    print(f"P's worst relative error with these coefficients: 2^{float(mp.log(worst, 2)):.2f}")
    print("P from w^1:", ", ".join(literal(c) for c in held[1:]))


def main():
    degree, width = int(sys.argv[1]), mp.mpf(sys.argv[2])
    if len(sys.argv) > 3 and sys.argv[3] == "f32":
        return fit_f32(degree, width)
    n = degree + 1
    nodes = [width * (1 + mp.cos(mp.pi * (2 * k + 1) / (2 * n))) / 2 for k in range(n)]
    vandermonde = mp.matrix([[w**j for j in range(n)] for w in nodes])
    coefficients = [float(c) for c in mp.lu_solve(vandermonde, mp.matrix([r(w) for w in nodes]))]
    worst = mp.mpf(0)
    for i in range(1, 2001):
        w = width * i / 2000
        rw = mp.mpf(0)
        for c in reversed(coefficients):
            rw = rw * w + mp.mpf(c)
        worst = max(worst, abs(rw - r(w)) * w**2 / p(w))
    print(f"R's worst contribution to P's relative error: 2^{float(mp.log(worst, 2)):.2f}")
    print("R, w^0 first:", ", ".join(c.hex() for c in coefficients))


if __name__ == "__main__":
    main()
