"""Used by the f32 kernels' fit script tanhshrink.py (... f32): polynomials with
float coefficients, and their C++ literals. Imported, not run."""
import numpy as np


def fit_float(us, ys, degree, first_double=False):
    """Coefficients (u^0 first) of a polynomial of the given degree fitting ys at us in relative
    error: weighted least squares, each coefficient rounded to float in turn and the rest refitted,
    so the error is that of the coefficients the kernel holds. With first_double the constant term
    stays a double (the kernel splits it into a float pair)."""
    us, ys = np.asarray(us, dtype=float), np.asarray(ys, dtype=float)
    held = []
    for k in range(degree + 1):
        rest = ys - sum(c * us**j for j, c in enumerate(held))
        basis = np.stack([us**j / ys for j in range(k, degree + 1)], 1)
        c = float(np.linalg.lstsq(basis, rest / ys, rcond=None)[0][0])
        held.append(c if (k == 0 and first_double) else float(np.float32(c)))
    return held


def literal(x):
    """x (a float value) as a C++ hex float literal."""
    mantissa, exponent = float(x).hex().split("p")
    return f"{mantissa.rstrip('0').rstrip('.')}p{exponent}f"
