"""actfn.functional.<name>(x, *learned, dim=None, inplace=False, **params).

Any activation name or alias of actfn's registry is an attribute here. Numbers (and choice words
such as approximate="tanh") in **params become the spec, e.g. leaky_relu(x, negative_slope=0.2);
learnable parameters may instead be tensors, positionally in registry order (prelu(x, weight), as
torch.nn.functional.prelu) or by name (swish(x, beta=b)): gradients then flow into them. `dim` is
the axis of the vector-wise functions (softmax, glu, ...) and the channel dimension of per-channel
parameters.
"""
import torch


def _literal(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return float(value).hex()  # exact: the parser reads hex floats
    return str(value)


def apply(name, x, *learned, dim=None, inplace=False, **params):
    """The function behind every attribute: builds the spec and calls torch.ops.actfn."""
    names, _, _ = torch.ops.actfn.learnable(name)
    tensors = dict(zip(names, learned))
    if len(learned) > len(names):
        raise TypeError("actfn.functional.%s takes %d learnable tensor(s), got %d" % (name, len(names), len(learned)))
    numbers = {}
    for key, value in params.items():
        (tensors if isinstance(value, torch.Tensor) else numbers)[key] = value
    spec = name
    if numbers:
        spec += "(" + ", ".join("%s=%s" % (k, _literal(v)) for k, v in numbers.items()) + ")"
    weight = None
    if tensors:
        if set(tensors) != set(names):
            missing = [n for n in names if n not in tensors]
            raise TypeError("actfn.functional.%s: learnable tensors must be given together; missing %s" % (name, missing))
        columns = [tensors[n].reshape(-1) for n in names]
        weight = columns[0] if len(columns) == 1 else torch.stack(columns, 1)
    op = torch.ops.actfn.forward_ if inplace else torch.ops.actfn.forward
    return op(x, spec, weight, dim)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        torch.ops.actfn.describe(name)
    except RuntimeError as error:
        raise AttributeError("actfn.functional has no activation %r: %s" % (name, error)) from None

    def function(x, *learned, dim=None, inplace=False, **params):
        return apply(name, x, *learned, dim=dim, inplace=inplace, **params)

    function.__name__ = name
    function.__doc__ = "actfn's %s: see `actfn describe %s`." % (name, name)
    return function
