"""actfn's PyTorch operators from Python: parity with torch, gradcheck, modules, in place, strides,
dtypes, errors. Run by CTest with /usr/bin/python3 (python3-torch), PYTHONPATH=python and
ACTFN_TORCH_LIBRARY pointing at the built libactfn_torch.so."""
import io
import math
import unittest

import torch
import torch.nn.functional as F

import actfn
from actfn import parity

A = actfn.functional

# Every random tensor below comes from this seed: a run's inputs are the same on every run.
torch.manual_seed(0)

PIECEWISE_LINEAR = {"relu", "leaky_relu(negative_slope=0.2)", "prelu", "rrelu", "relu6",
                    "threshold(threshold=0.5, value=-1)", "hardtanh", "hardshrink", "softshrink"}

# Inputs for gradcheck: at least 0.07 from every kink of the catalogue (0, ±0.5, ±1, ±3, 6, 20).
SAFE = [-7.3, -4.37, -2.71, -1.63, -1.21, -0.77, -0.29, -0.13, 0.09, 0.41, 0.88, 1.37, 2.29, 3.61, 5.3, 7.1]

# Non-default parameters for a few functions, so parameter handling is exercised by gradcheck too.
GRADCHECK_SPECS = {"elu": "elu(alpha=0.5)", "softplus": "softplus(beta=2)", "leaky_relu": "leaky_relu(negative_slope=0.3)",
                   "hard_sigmoid": "hard_sigmoid(preset=keras2)", "squareplus": "squareplus(b=2)"}


def safe_input(shape=(4, 8)):
    n = math.prod(shape)
    values = torch.tensor([SAFE[i % len(SAFE)] * (1 + 0.01 * (i // len(SAFE))) for i in range(n)], dtype=torch.float64)
    return values.reshape(shape).requires_grad_()


class Parity(unittest.TestCase):
    """Against torch's own functions on random, wide-range and adversarial float32 inputs."""

    @classmethod
    def setUpClass(cls):
        cls.rows = {case[0]: parity.compare(*case) for case in parity.CASES}

    def test_piecewise_linear_functions_match_torch_bit_for_bit(self):
        for spec in PIECEWISE_LINEAR:
            row = self.rows[spec]
            self.assertEqual(row["y_diff_ulp"], 0, spec)
            self.assertEqual(row["dx_diff_ulp"], 0, spec)

    def test_hardsigmoid_is_torchs_x_plus_3_over_6_to_the_rounding(self):
        # actfn: slope·(x - c) with the corner c = -offset/slope exact (-3) and the slope rounded to
        # float once; torch: (x + 3)/6 in two roundings. Within 2 ULP everywhere, next to the corner
        # too (slope·x + offset with the float slope was 1e6 ULP off there).
        above_corner = -(0x40400000 - torch.arange(1, 2001, dtype=torch.int32)).view(torch.float32)  # -3 + k ULP
        x = torch.cat([torch.linspace(-4, 4, 100001), above_corner])
        self.assertLessEqual(float(parity.ulp_distance(A.hardsigmoid(x), F.hardsigmoid(x)).max()), 2)

    def test_actfn_is_within_its_bounds_and_never_worse_than_torch(self):
        for spec, row in self.rows.items():
            vector_wise = spec in ("glu", "softmax", "log_softmax", "softmin")
            self.assertLessEqual(row["y_actfn_err_ulp"], 2, spec)
            self.assertEqual(row["y_worse_than_torch"], 0, spec)
            if not vector_wise or spec == "glu":  # the softmax family's dx is checked below
                self.assertLessEqual(row["dx_actfn_err_ulp"], 4, spec)
                self.assertEqual(row["dx_worse_than_torch"], 0, spec)

    def test_softmax_family_gradients_as_accurate_as_torchs(self):
        # dx = y ⊙ (dy - Σ y dy) cancels by design; compare absolute errors against the f64 truth.
        x = parity.inputs([], True)
        dy = torch.randn(x.shape, generator=torch.Generator().manual_seed(3))
        for name, theirs in (("softmax", F.softmax), ("log_softmax", F.log_softmax), ("softmin", F.softmin)):
            grads = []
            for f, t in ((lambda t: A.apply(name, t, dim=-1), x), (lambda t: theirs(t, -1), x),
                         (lambda t: A.apply(name, t, dim=-1), x.double())):
                t = t.detach().clone().requires_grad_()
                (g,) = torch.autograd.grad(f(t), t, dy.to(t.dtype))
                grads.append(g.double())
            mine, torchs, truth = grads
            self.assertLessEqual(float((mine - truth).abs().max()), 2 * float((torchs - truth).abs().max()) + 1e-12, name)

    def test_special_values_differ_only_where_actfn_is_deliberately_different(self):
        # Allowed: NaN in gives NaN out in backward too (torch's rectifier backwards give 0 or dy),
        # and ±inf give the mathematical limits where torch gives NaN (gelu(-inf) = -0, softsign(inf) = 1).
        for spec, f, kinks, vector_wise in parity.CASES:
            if vector_wise:
                continue
            x = parity.inputs(kinks, False)
            ours = parity._run(lambda t: A.apply(spec.split("(")[0], t, **parity._params(spec)), x)
            theirs = parity._run(f, x)
            for k in range(2):
                bad = ~torch.isfinite(x) & (parity.ulp_distance(ours[k], theirs[k]) > 0)
                for i in bad.nonzero().flatten().tolist():
                    xi, a, t = x[i].item(), ours[k][i].item(), theirs[k][i].item()
                    allowed = (math.isnan(xi) and math.isnan(a)) or (math.isinf(xi) and math.isnan(t) and not math.isnan(a))
                    self.assertTrue(allowed, "%s %s at %r: actfn %r, torch %r" % (spec, "y dx".split()[k], xi, a, t))


class Gradcheck(unittest.TestCase):
    def test_every_activation_including_parameter_gradients(self):
        for name in actfn.names():
            spec = GRADCHECK_SPECS.get(name, name)
            with self.subTest(spec=spec):
                _, vector_wise, _ = torch.ops.actfn.describe(spec)
                x = safe_input()
                names, values, _ = torch.ops.actfn.learnable(spec)
                if names:
                    # Learned values nudged off their defaults (and off 0, where shifts vanish).
                    w = torch.tensor([[v * 1.1 + 0.05 for v in values]], dtype=torch.float64).reshape(-1)
                    w = (w if len(names) == 1 else w.reshape(1, -1)).requires_grad_()
                    self.assertTrue(torch.autograd.gradcheck(lambda t, p: torch.ops.actfn.forward(t, spec, p), (x, w)))
                else:
                    dim = 1 if vector_wise else None
                    self.assertTrue(torch.autograd.gradcheck(lambda t: torch.ops.actfn.forward(t, spec, None, dim), (x,)))

    def test_per_channel_prelu_and_swish(self):
        x = safe_input((3, 4, 5))
        for spec, w in (("prelu(num_parameters=4)", torch.tensor([0.1, -0.2, 0.3, 0.7], dtype=torch.float64)),
                        ("swish", torch.tensor([0.5, 1.0, 1.5, 2.5], dtype=torch.float64))):
            w.requires_grad_()
            self.assertTrue(torch.autograd.gradcheck(lambda t, p: torch.ops.actfn.forward(t, spec, p), (x, w)), spec)

    def test_prelu_per_channel_matches_torch(self):
        x = torch.randn(8, 16, 5, 5, requires_grad=True)
        w = torch.rand(16, requires_grad=True)
        x2, w2 = x.detach().clone().requires_grad_(), w.detach().clone().requires_grad_()
        dy = torch.randn(8, 16, 5, 5)
        A.prelu(x, w).backward(dy)
        F.prelu(x2, w2).backward(dy)
        self.assertTrue(torch.equal(x.grad, x2.grad))
        self.assertTrue(torch.allclose(w.grad, w2.grad, rtol=1e-5, atol=1e-5))


class Modules(unittest.TestCase):
    def test_parameters_state_dict_round_trip_and_torch_prelu_compatibility(self):
        m = actfn.Activation("prelu(num_parameters=3)")
        self.assertEqual([n for n, _ in m.named_parameters()], ["weight"])
        with torch.no_grad():
            m.weight.copy_(torch.tensor([0.1, 0.2, 0.3]))
        buffer = io.BytesIO()
        torch.save(m.state_dict(), buffer)
        buffer.seek(0)
        other = actfn.Activation("prelu(num_parameters=3)")
        other.load_state_dict(torch.load(buffer))
        self.assertTrue(torch.equal(other.weight, m.weight))
        theirs = torch.nn.PReLU(3)
        theirs.load_state_dict(m.state_dict())  # same key and shape as torch.nn.PReLU
        x = torch.randn(4, 3, 7)
        self.assertTrue(torch.equal(theirs(x), m(x)))
        m.reset_parameters()
        self.assertTrue(torch.equal(m.weight, torch.full((3,), 0.25)))

    def test_learnable_parameters_train(self):
        m = actfn.Activation("swish")
        self.assertEqual([n for n, _ in m.named_parameters()], ["beta"])
        m(torch.randn(100)).sum().backward()
        self.assertIsNotNone(m.beta.grad)
        g = actfn.Activation("generalized_sigmoid")
        self.assertEqual([n for n, _ in g.named_parameters()], ["alpha", "beta", "gamma", "epsilon", "delta"])
        g(torch.randn(10)).sum().backward()
        self.assertTrue(all(p.grad is not None for p in g.parameters()))

    def test_repr_and_functional(self):
        self.assertEqual(repr(actfn.Activation("leaky_relu(0.2)")), "Activation(leaky_relu(negative_slope=0.2))")
        self.assertEqual(repr(actfn.Activation("softmax", dim=1)), "Activation(softmax, dim=1)")
        x = torch.randn(50)
        self.assertTrue(torch.equal(A.leaky_relu(x, negative_slope=0.2), F.leaky_relu(x, 0.2)))
        self.assertTrue(torch.equal(A.relu6(x), F.relu6(x)))
        self.assertFalse(hasattr(A, "no_such_activation"))


class Layouts(unittest.TestCase):
    def test_in_place_where_backward_runs_from_y(self):
        # Wide inputs on purpose: where sigmoid saturates, y(1 - y) from two different y's (actfn's
        # and torch's, each within a few ULP) differs by far more than an ULP, so the expected
        # gradient is the chain rule on actfn's own y: dx = 2 · y(1 - y), in float64.
        x = (torch.randn(6, 7, generator=torch.Generator().manual_seed(0)) * 4).requires_grad_()
        h = x * 2
        y = torch.ops.actfn.forward_(h, "sigmoid")
        self.assertIs(y, h)
        self.assertTrue(torch.allclose(y.detach(), torch.sigmoid(x.detach() * 2), rtol=1e-6, atol=0))
        y.backward(torch.ones_like(y))
        y64 = y.detach().double()
        self.assertTrue(torch.allclose(x.grad.double(), 2 * y64 * (1 - y64), rtol=1e-6, atol=0))
        with self.assertRaisesRegex(RuntimeError, "in place"):
            torch.ops.actfn.forward_(x * 1, "mish")

    def test_in_place_on_a_leaf_or_a_view_of_one_is_refused_before_writing(self):
        # As torch's own in-place functions: a leaf that requires grad, a view of one (at any
        # depth) and a view made under no_grad are refused with torch's message and left as they
        # were; a view of a non-leaf is fine, and under no_grad all of them are.
        w = torch.randn(6, requires_grad=True)
        before = w.detach().clone()
        with torch.no_grad():
            made_without_grad = w[2:]
        calls = (lambda t: A.relu(t, inplace=True), lambda t: torch.ops.actfn.forward_(t, "sigmoid"),
                 lambda t: actfn.Activation("softmax", inplace=True)(t))
        for view in (lambda: w, lambda: w[1:], lambda: w[1:][::2], lambda: w.view(2, 3)[1], lambda: made_without_grad):
            with self.assertRaises(RuntimeError) as theirs:
                torch.relu_(view())
            for call in calls:
                with self.assertRaises(RuntimeError) as ours:
                    call(view())
                self.assertIn(str(theirs.exception), str(ours.exception))
                self.assertTrue(torch.equal(w.detach(), before))
                self.assertIsNone(w.grad_fn)
        x = torch.randn(6, requires_grad=True)
        h = x * 1
        A.relu(h[1:], inplace=True)
        h.backward(torch.ones(6))
        self.assertTrue(torch.equal(x.grad, torch.cat([torch.ones(1), (x.detach()[1:] > 0).float()])))
        with torch.no_grad():
            A.relu(w[3:], inplace=True)
            A.sigmoid(w, inplace=True)
        self.assertTrue(torch.equal(w.detach(), A.sigmoid(torch.cat([before[:3], torch.relu(before[3:])]))))

    def test_strided_inputs(self):
        base = torch.randn(6, 10, 4)
        for x in (base.transpose(0, 2), base[:, ::3, :], base[..., 1]):
            self.assertFalse(x.is_contiguous())
            self.assertTrue(torch.equal(A.relu(x), F.relu(x)))
            self.assertTrue(torch.allclose(A.softmax(x, dim=1), F.softmax(x, 1), rtol=1e-6, atol=1e-7))
            inplace = x.clone().transpose(0, -1)
            expected = F.elu(inplace)
            A.elu(inplace, inplace=True)
            self.assertTrue(torch.allclose(inplace, expected, rtol=1e-6, atol=1e-7))

    def test_dtypes(self):
        x = torch.randn(1000) * 3
        for dtype in (torch.float32, torch.float64, torch.bfloat16, torch.float16):
            xd = x.to(dtype).detach().clone().requires_grad_()
            y = A.silu(xd)
            self.assertEqual(y.dtype, dtype)
            y.backward(torch.ones_like(y))
            self.assertEqual(xd.grad.dtype, dtype)
            if dtype in (torch.float32, torch.float64):
                continue
            # 16-bit: computed in float and rounded once, so within one 16-bit ULP of float's result.
            ref = A.silu(xd.detach().float()).to(dtype)
            ulp = torch.finfo(dtype).eps * ref.float().abs().clamp_min(torch.finfo(dtype).tiny)
            self.assertTrue(bool(((y.float() - ref.float()).abs() <= ulp).all()), dtype)
        # bf16 with a per-channel learnable parameter: computed in float.
        w = torch.rand(4, requires_grad=True)
        xb = torch.randn(2, 4, 3).bfloat16().requires_grad_()
        A.prelu(xb, w).sum().backward()
        self.assertEqual(w.grad.dtype, torch.float32)


class Errors(unittest.TestCase):
    def check_one_line(self, pattern, f):
        with self.assertRaisesRegex(RuntimeError, pattern) as caught:
            f()
        self.assertNotIn("\n", str(caught.exception).strip())

    def test_clear_errors(self):
        x = torch.randn(4, 3)
        self.check_one_line("CPU tensors only", lambda: torch.ops.actfn.forward(torch.empty(3, device="meta"), "relu"))
        self.check_one_line("unknown activation 'relux'", lambda: torch.ops.actfn.forward(x, "relux"))
        self.check_one_line("takes float32, float64", lambda: torch.ops.actfn.forward(x.int(), "relu"))
        self.check_one_line("learned has 2 channels but x has 3", lambda: A.prelu(x, torch.rand(2)))
        self.check_one_line("num_parameters=5", lambda: torch.ops.actfn.forward(x, "prelu(num_parameters=5)", torch.rand(3)))
        self.check_one_line("dim 4 is out of range", lambda: A.softmax(x, dim=4))
        self.check_one_line("no learnable parameters", lambda: torch.ops.actfn.forward(x, "relu", torch.rand(1)))

    def test_inputs_that_once_crashed_or_garbled_the_message(self):
        # pieces=1e300 once reached n % 0 and killed the interpreter (SIGFPE); 1e10 channels tried
        # to allocate 40 GB; a NUL in the spec cut the message short; a float-overflowing parameter
        # gave NaN and inf for finite inputs.
        x = torch.ones(4)
        self.check_one_line(r"pieces must be >= 1 and <= 16777216 \(got 1e\+300\)", lambda: A.maxout(x, pieces=1e300))
        self.check_one_line("num_parameters must be", lambda: actfn.Activation("prelu(num_parameters=1e10)"))
        with self.assertRaises(RuntimeError) as caught:
            torch.ops.actfn.forward(x, "relu\0 and more")
        self.assertIn("'relu\\x00 and more'", str(caught.exception))
        self.check_one_line("negative_slope=1e\\+39 is beyond float's range", lambda: A.leaky_relu(-x, negative_slope=1e39))
        self.assertEqual(A.leaky_relu(-x.double(), negative_slope=1e39).tolist(), [-1e39] * 4)


if __name__ == "__main__":
    unittest.main()
