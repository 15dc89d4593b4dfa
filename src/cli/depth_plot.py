# actfn analyze depth --png: per-layer variance of the activations and RMS of the back-propagated
# gradient, one line per activation. Run (embedded in the binary) as: python3 -c <this> DATA.json OUT.png
# DATA.json: the list `actfn analyze depth --json` prints.
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

with open(sys.argv[1]) as f:
    runs = json.load(f)
out = sys.argv[2]
fig, axes = plt.subplots(1, 3, figsize=(16, 4.4))
for run in runs:
    layers = [l["layer"] for l in run["layers"]]
    label = "%s (%s)" % (run["spec"], run["init"])
    axes[0].plot(layers, [l["h_var"] for l in run["layers"]], label=label)
    axes[1].plot(layers, [l["h_mean"] for l in run["layers"]], label=label)
    axes[2].plot(layers, [l["grad_h"] for l in run["layers"]], label=label)
for ax, title, log in ((axes[0], "Var[f(z)] per layer (forward signal)", True),
                       (axes[1], "mean f(z) per layer", False),
                       (axes[2], "RMS dL/dh per layer (backward, 1 at the top)", True)):
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("layer")
    if log:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8)
r = runs[0]
fig.suptitle("random MLP at initialisation: width %d, batch %d, sigma_b %g" % (r["width"], r["batch"], r["sigma_b"]),
             fontsize=10)
fig.tight_layout()
fig.savefig(out + ".tmp.png", dpi=100)
os.replace(out + ".tmp.png", out)
