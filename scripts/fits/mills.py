#!/usr/bin/python3
"""Fits Mills' ratio M(a) = Q(a)/φ(a) (Q(a) = Φ(-a) = erfc(a/√2)/2, φ the normal density) for the
f64 GELU kernel (src/kernels/gate_family-inl.h: scripts/fits/mills.py 24 4); the f32 kernel's fits
(in f64 lanes, to f32 accuracy) are scripts/fits/gelu_f32.py's.

With t = 4/(4 + a) ∈ (0, 1], M(a) = t P(t - 0.6) on a ∈ [0, 16] (t ∈ [0.2, 1]), P the interpolant at
N + 1 Chebyshev nodes. The f64 kernel holds P's first K coefficients (u^0 first) as double pairs
and the rest as doubles, P(u) = c0 + u(c1 + u(c2 + ... + u R(u))):

  /usr/bin/python3 scripts/fits/mills.py N K

prints the coefficients (pairs first) and the worst relative error of P, with the rounded
coefficients, against M(a)/t on 1601 points of [0, 16]. Uses mpmath (Debian's python3-mpmath,
through python3-torch's sympy).
"""
import sys

import mpmath as mp

mp.mp.dps = 60


def mills(a):
    return mp.erfc(a / mp.sqrt(2)) / 2 / (mp.exp(-a * a / 2) / mp.sqrt(2 * mp.pi))


def main():
    degree, pairs = int(sys.argv[1]), int(sys.argv[2])
    n = degree + 1
    lo, hi = mp.mpf("0.2"), mp.mpf(1)
    nodes = [(lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (2 * k + 1) / (2 * n)) for k in range(n)]
    def g(t):
        return mills(4 / t - 4) / t
    u_nodes = [t - mp.mpf("0.6") for t in nodes]
    vandermonde = mp.matrix([[u**j for j in range(n)] for u in u_nodes])
    exact = mp.lu_solve(vandermonde, mp.matrix([g(t) for t in nodes]))
    held = []
    for j in range(n):
        h = float(exact[j])
        if j < pairs:
            held.append((h, float(exact[j] - h)))
        else:
            held.append((h, 0.0))
    worst = mp.mpf(0)
    for i in range(1601):
        a = mp.mpf(16) * i / 1600
        t = 4 / (4 + a)
        u = t - mp.mpf("0.6")
        p = mp.mpf(0)
        for h, l in reversed(held):
            p = p * u + mp.mpf(h) + mp.mpf(l)
        worst = max(worst, abs(p - g(t)) / g(t))
    print(f"P's worst relative error: 2^{float(mp.log(worst, 2)):.2f}")
    print("pairs:", ", ".join(f"{{{h.hex()}, {l.hex()}}}" for h, l in held[:pairs]))
    print("rest, in order:", ", ".join(h.hex() for h, _ in held[pairs:]))


if __name__ == "__main__":
    main()
