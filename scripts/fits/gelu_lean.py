#!/usr/bin/python3
"""Fits the f32-lane GELU (erf form) kernel (F32Lanes<fn::Gelu> in src/kernels/gate_family-inl.h).

GELU at a = |x|, with Q(a) = Φ(-a) = erfc(a/√2)/2 the upper tail and φ the normal density:

  f:   x < 0:  -a Q(a)     x ≥ 0:  x - a Q(a)     a Q(a)           = e^(-a²/2) U(a)
  f':  x < 0:  g           x ≥ 0:  1 - g          g = Q(a) - a φ(a) = e^(-a²/2) G(a)

U(a) = a M(a)/√(2π) and G(a) = (M(a) - a)/√(2π) (M Mills' ratio) are smooth; G has f''s zero,
a0 = 0.75179 (M(a0) = a0). Each is a polynomial in z = a - c_i on eight intervals of [0, 13],
chosen by the bits of a + 1 (its exponent and first mantissa bit: a + 1 ∈ [1, 1.5), [1.5, 2),
[2, 3), ... [12, 16)), so the index costs an add and a shift; z is exact (Sterbenz: a ≥ c_i/2).

- The first interval (a < 1/2) fits a Q(a) and g themselves, with no exponential (the kernel
  scales the exponential's argument by 0 there: one rounding fewer where nothing else dominates),
  centred at 0: a Q = z (1/2 + ...) (so a tiny x gives x/2 rounded once, as the reference), g =
  1/2 + z (...).
- Elsewhere c0 + z p(z), with the centre c_i a float near the interval's middle where the
  function is within 2^-34 of the float c0 (c0 is the value at z = 0, which no refit can fix);
  G's zero interval is centred at the float nearest a0, so G = c0 + z p(z) keeps its relative
  accuracy next to the zero (c0 is G there, tiny).

Degree 8; coefficients floats, rounded one at a time with the rest refitted (as float_fit.py does),
each in the function's relative error (p's own on G's zero interval). The kernel takes vectors whose
lanes all have x ≥ -13 (e^(-a²/2) ≥ 2^-122: a Q and g are normal); a = min(a, 13) above, where f
= x and f' = 1.

  /usr/bin/python3 scripts/fits/gelu_lean.py

prints the tables as C++ (kCentre; kHalf, the exponential's -1/2 or 0; kU and kG: z^k in row k)
and each interval's worst relative error on 4001 points, the polynomial evaluated exactly with
the float coefficients. mpmath and numpy (python3-torch pulls both in).
"""
import math

import mpmath as mp
import numpy as np

from float_fit import literal

mp.mp.dps = 30
DEGREE = 8
A_MAX = 13.0
# Interval i holds a with a + 1 in [b_i, b_{i+1}), b = 1, 1.5, 2, 3, 4, 6, 8, 12, 16.
EDGES = [0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 7.0, 11.0, A_MAX]


def q(a):
    return mp.erfc(a / mp.sqrt(2)) / 2


def phi(a):
    return mp.exp(-a * a / 2) / mp.sqrt(2 * mp.pi)


def value(a, scaled):
    """a Q(a), times e^(a²/2) where scaled (U)."""
    a = mp.mpf(a)
    return a * q(a) * (mp.exp(a * a / 2) if scaled else 1)


def slope(a, scaled):
    """Q(a) - a φ(a), times e^(a²/2) where scaled (G)."""
    a = mp.mpf(a)
    return (q(a) - a * phi(a)) * (mp.exp(a * a / 2) if scaled else 1)


A0 = mp.findroot(lambda a: slope(a, True), 0.75)


def f32(v):
    return float(np.float32(float(v)))


def chebyshev(lo, hi, count):
    return [(lo + hi) / 2 + (hi - lo) / 2 * math.cos(math.pi * (k + 0.5) / count) for k in range(count)]


def centre_of(func, i):
    lo, hi = EDGES[i], EDGES[i + 1]
    if i == 0:
        return 0.0
    if func is slope and lo < A0 < hi:
        return f32(A0)
    mid = (lo + hi) / 2
    for k in range(4096):
        for c in (mid + k * 2.0**-14, mid - k * 2.0**-14):
            v = func(c, True)
            if abs(mp.mpf(f32(v)) / v - 1) < mp.mpf(2) ** -34:
                return c
    raise RuntimeError("no centre")


def interval(func, i):
    lo, hi = EDGES[i], EDGES[i + 1]
    scaled = i > 0
    centre = centre_of(func, i)
    assert centre == f32(centre) and (i == 0 or lo >= centre / 2)
    nodes = chebyshev(lo, hi, 400)
    zs = np.array([a - centre for a in nodes])
    ys = np.array([float(func(a, scaled)) for a in nodes])
    if func is value and i == 0:
        held = [0.0, 0.5]
    elif func is slope and i == 0:
        held = [0.5]
    else:
        held = [f32(func(centre, True))]
    zero = func is slope and lo < A0 < hi
    for k in range(len(held), DEGREE + 1):
        rest = ys - sum(c * zs**j for j, c in enumerate(held))
        # Relative error of the function, or of p = (G - c0)/z next to G's zero.
        scale = (ys - held[0]) / zs if zero else ys
        basis = np.stack([zs**j / scale for j in range(k, DEGREE + 1)], 1)
        c = float(np.linalg.lstsq(basis, rest / scale, rcond=None)[0][0])
        held.append(f32(c))
    worst = mp.mpf(0)
    for k in range(4001):
        a = lo + (hi - lo) * k / 4000
        if a == 0 or (zero and abs(a - A0) < 1e-6):
            continue
        z = mp.mpf(a) - centre
        p = mp.mpf(0)
        for c in reversed(held):
            p = p * z + mp.mpf(c)
        worst = max(worst, abs(p / func(a, scaled) - 1))
    return centre, held, float(mp.log(worst, 2))


def table(name, rows):
    pad = ", 0, 0, 0, 0, 0, 0, 0, 0"  # sixteen lanes (the widest vector); the last eight never indexed
    print(f"alignas(64) static constexpr float {name}[{DEGREE + 1}][16] = {{")
    for k in range(DEGREE + 1):
        print("    {" + ", ".join(literal(co[k]) for _, co, _ in rows) + pad + "},")
    print("};")


def main():
    values = [interval(value, i) for i in range(len(EDGES) - 1)]
    slopes = [interval(slope, i) for i in range(len(EDGES) - 1)]
    print(f"// a0 = {float(A0)!r}")
    for i in range(len(EDGES) - 1):
        print(f"// [{EDGES[i]}, {EDGES[i + 1]}): U centre {values[i][0]!r}, relative error 2^{values[i][2]:.1f}; "
              f"G centre {slopes[i][0]!r}, 2^{slopes[i][2]:.1f}")
    pad = ", 0, 0, 0, 0, 0, 0, 0, 0"
    print("alignas(64) static constexpr float kHalf[16] = {0, " + ", ".join(["-0.5f"] * 7) + pad + "};")
    for name, rows in (("kU", values), ("kG", slopes)):
        print(f"alignas(64) static constexpr float {name}Centre[16] = {{" +
              ", ".join(literal(c) for c, _, _ in rows) + pad + "};")
        table(name, rows)


if __name__ == "__main__":
    main()
