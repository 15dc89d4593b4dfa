"""actfn.Activation: an nn.Module for any activation spec, holding its learnable parameters."""
import torch


class Activation(torch.nn.Module):
    """Activation("prelu(num_parameters=64)"), Activation("swish"), Activation("softmax", dim=1).

    Learnable parameters are registered under their registry names ("weight" for PReLU, as
    torch.nn.PReLU, "beta" for swish, ...), each of shape [channels] (PReLU's num_parameters, else
    1), initialised from the spec. `dim`: the vector axis (default -1) or the channel dimension
    (default 1). `inplace=True` overwrites the input where backward can run from the output.
    """

    def __init__(self, spec, dim=None, inplace=False):
        super().__init__()
        self.spec, self.vector_wise, self.backward_needs = torch.ops.actfn.describe(spec)
        self.dim = dim
        self.inplace = inplace
        self._names, self._initial, channels = torch.ops.actfn.learnable(self.spec)
        for name, value in zip(self._names, self._initial):
            self.register_parameter(name, torch.nn.Parameter(torch.full((channels,), value)))

    def reset_parameters(self):
        with torch.no_grad():
            for name, value in zip(self._names, self._initial):
                getattr(self, name).fill_(value)

    def learned(self):
        """The parameters as the operator takes them: [channels] or [channels, count]."""
        if not self._names:
            return None
        if len(self._names) == 1:
            return getattr(self, self._names[0])
        return torch.stack([getattr(self, n) for n in self._names], 1)

    def forward(self, x):
        op = torch.ops.actfn.forward_ if self.inplace else torch.ops.actfn.forward
        return op(x, self.spec, self.learned(), self.dim)

    def extra_repr(self):
        text = self.spec
        if self.dim is not None:
            text += ", dim=%d" % self.dim
        if self.inplace:
            text += ", inplace=True"
        return text
