# actfn plot: f and f' of several activations, side by side. Run by `actfn plot` (embedded in the
# binary) as: python3 -c <this> VALUES.csv OUT.png DERIVATIVE(0|1)
# VALUES.csv: a column x, then "f SPEC" and "df SPEC" for every activation (actfn's f64 values).
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

values, out, derivative = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
with open(values, newline="") as f:
    rows = list(csv.reader(f))
head, data = rows[0], [[float(v) for v in r] for r in rows[1:]]
x = [r[0] for r in data]
specs = [h[2:] for h in head[1::2]]

panels = 2 if derivative else 1
fig, axes = plt.subplots(1, panels, figsize=(6.2 * panels, 4.4), squeeze=False)
for k, spec in enumerate(specs):
    f = [r[1 + 2 * k] for r in data]
    df = [r[2 + 2 * k] for r in data]
    axes[0][0].plot(x, f, label=spec, linewidth=1.6)
    if derivative:
        axes[0][1].plot(x, df, label=spec, linewidth=1.6)
for ax, title in zip(axes[0], ["f(x)", "f'(x)"]):
    ax.set_title(title)
    ax.set_xlabel("x")
    ax.axhline(0, color="0.6", linewidth=0.6)
    ax.axvline(0, color="0.6", linewidth=0.6)
    ax.grid(alpha=0.3)
axes[0][0].legend(fontsize=8)
fig.tight_layout()
tmp = out + ".tmp.png"
fig.savefig(tmp, dpi=110)
os.replace(tmp, out)
