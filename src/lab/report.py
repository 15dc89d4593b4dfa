# actfn compare's report: pictures (matplotlib) and report.md / report.html from what the grid
# wrote. Run by `actfn compare` (embedded in the binary) as: python3 -c <this> OUT_DIR
#
# Reads OUT_DIR/results.json (one row per model and activation, the grid's options),
# OUT_DIR/runs/<model>/<activation>/seed<k>/run.json (every epoch of every run: metrics, per-site
# diagnostics, gradient norms per layer) and OUT_DIR/functions.csv (f and f' of each activation).
# Writes OUT_DIR/figures/*.png, OUT_DIR/report.md and OUT_DIR/report.html, each through a
# temporary file and a rename. Every number in the text is read or computed from those files.
import csv
import glob
import html
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OUT = sys.argv[1]
FIG = os.path.join(OUT, "figures")
os.makedirs(FIG, exist_ok=True)


def load_json(path):
    with open(path) as f:
        return json.load(f)


grid = load_json(os.path.join(OUT, "results.json"))
runs = {}  # (model, activation) -> [run.json]
for row in grid["rows"]:
    paths = sorted(glob.glob(os.path.join(OUT, row["runs"], "seed*", "run.json")))
    runs[(row["model"], row["activation"])] = [load_json(p) for p in paths]


def save(fig, name):
    path = os.path.join(FIG, name)
    fig.tight_layout()
    fig.savefig(path + ".tmp.png", dpi=100)
    os.replace(path + ".tmp.png", path)
    plt.close(fig)
    return "figures/" + name


def mean(values):
    values = [v for v in values if v is not None and not math.isnan(v)]
    return sum(values) / len(values) if values else float("nan")


def pct(v):
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else "%.2f" % (100 * v)


def colours(names):
    cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    return {n: cmap(i % cmap.N) for i, n in enumerate(names)}


ACTS = list(dict.fromkeys(r["activation"] for r in grid["rows"]))  # canonical specs, in the grid's order
COLOUR = colours(ACTS)

# ---- figures ---------------------------------------------------------------------------------------


def figure_functions():
    path = os.path.join(OUT, "functions.csv")
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    head, data = rows[0], [[float(v) for v in r] for r in rows[1:]]
    x = [r[0] for r in data]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    for k in range(1, len(head), 2):
        spec = head[k][2:]
        axes[0].plot(x, [r[k] for r in data], label=spec, color=COLOUR.get(spec), linewidth=1.5)
        axes[1].plot(x, [r[k + 1] for r in data], label=spec, color=COLOUR.get(spec), linewidth=1.5)
    for ax, title in zip(axes, ["f(x)", "f'(x)"]):
        ax.set_title(title)
        ax.axhline(0, color="0.6", linewidth=0.6)
        ax.axvline(0, color="0.6", linewidth=0.6)
        ax.grid(alpha=0.3)
        ax.set_xlabel("x")
    axes[0].set_ylim(-2, 4)
    axes[1].set_ylim(-0.3, 1.4)
    axes[0].legend(fontsize=8, ncol=2)
    return save(fig, "functions.png")


def per_epoch(model, act, key):
    """Mean over seeds of a per-epoch metric, up to the shortest run (early stopping)."""
    rs = runs[(model, act)]
    n = min(len(r["epochs"]) for r in rs)
    return [mean([r["epochs"][e][key] for r in rs]) for e in range(n)]


def figure_curves(model):
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2))
    for act in ACTS:
        if (model, act) not in runs:
            continue
        val = per_epoch(model, act, "val_accuracy")
        if all(math.isnan(v) for v in val):
            val = per_epoch(model, act, "test_accuracy")
        loss = per_epoch(model, act, "train_loss")
        epochs = list(range(1, len(val) + 1))
        axes[0].plot(epochs, [100 * v for v in val], marker="o", markersize=3, label=act, color=COLOUR[act])
        axes[1].plot(epochs, loss, marker="o", markersize=3, label=act, color=COLOUR[act])
    axes[0].set_title("%s: validation accuracy (%%), mean over seeds" % model)
    axes[1].set_title("%s: training loss, mean over seeds" % model)
    axes[1].set_yscale("log")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, ncol=2)
    return save(fig, model + "_curves.png")


def figure_accuracy(model, rows):
    rows = sorted(rows, key=lambda r: r["test_accuracy_mean"])
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(rows) + 1.4))
    y = list(range(len(rows)))
    means = [100 * r["test_accuracy_mean"] for r in rows]
    stds = [100 * (r["test_accuracy_std"] or 0) for r in rows]
    ax.barh(y, means, xerr=stds, color=[COLOUR[r["activation"]] for r in rows], alpha=0.8, capsize=3)
    for i, r in enumerate(rows):
        ax.plot([100 * a for a in r["test_accuracies"]], [i] * len(r["test_accuracies"]), "k.", markersize=4)
    ax.set_yticks(y)
    ax.set_yticklabels([r["activation"] for r in rows])
    lo = min(m - s for m, s in zip(means, stds))
    hi = max(m + s for m, s in zip(means, stds))
    ax.set_xlim(max(0, lo - 0.3 * (hi - lo) - 1), min(100, hi + 0.15 * (hi - lo) + 0.5))
    ax.set_xlabel("test accuracy (%%) at the best validation epoch: mean ± std over %d seeds (dots: seeds)" % rows[0]["seeds"])
    ax.set_title(model)
    ax.grid(axis="x", alpha=0.3)
    return save(fig, model + "_accuracy.png")


def heatmap(ax, matrix, rows, cols, title, fmt, cmap, vmin=None, vmax=None):
    im = ax.imshow(matrix, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=8)
    ax.set_title(title, fontsize=10)
    for i, line in enumerate(matrix):
        for j, v in enumerate(line):
            if not math.isnan(v):
                ax.text(j, i, fmt % v, ha="center", va="center", fontsize=7, color="black")
    return im


def site_metric(model, act, epoch_index, key):
    """[mean over seeds of key] per site, at epoch_index (0 first, -1 last)."""
    rs = runs[(model, act)]
    sites = [s["name"] for s in rs[0]["epochs"][0]["sites"]]
    return sites, [mean([r["epochs"][epoch_index]["sites"][k][key] for r in rs]) for k in range(len(sites))]


def figure_gradients(model):
    acts = [a for a in ACTS if (model, a) in runs]
    layers = [g["layer"] for g in runs[(model, acts[0])][0]["epochs"][0]["grad_norms"]]
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.42 * len(acts) + 2.2))
    for ax, index, label in ((axes[0], 0, "epoch 1"), (axes[1], -1, "last epoch")):
        matrix = []
        for a in acts:
            rs = runs[(model, a)]
            matrix.append([math.log10(max(1e-30, mean([r["epochs"][index]["grad_norms"][k]["norm"] for r in rs])))
                           for k in range(len(layers))])
        heatmap(ax, matrix, acts, layers, "%s: log10 mean ||dL/dW|| per layer, %s" % (model, label), "%.1f", "viridis")
    return save(fig, model + "_gradients.png")


def figure_units(model):
    acts = [a for a in ACTS if (model, a) in runs]
    sites = site_metric(model, acts[0], -1, "dead")[0]
    fig, axes = plt.subplots(1, 3, figsize=(15, 0.42 * len(acts) + 2.2))
    dead = [[100 * v for v in site_metric(model, a, -1, "dead")[1]] for a in acts]
    sat = [[100 * v for v in site_metric(model, a, -1, "saturated")[1]] for a in acts]
    var = [[math.log10(max(1e-30, v)) for v in site_metric(model, a, 0, "y_var")[1]] for a in acts]
    heatmap(axes[0], dead, acts, sites, "dead units (%), last epoch", "%.1f", "Reds", 0, 100)
    heatmap(axes[1], sat, acts, sites, "saturated |f'| < %g (%% of elements), last epoch" % grid["train"]["saturation"],
            "%.0f", "Oranges", 0, 100)
    heatmap(axes[2], var, acts, sites, "log10 Var[f(z)] per layer, epoch 1 (signal)", "%.2f", "coolwarm", -2, 2)
    return save(fig, model + "_units.png")


def figure_learned(model):
    """Learnable parameters (mean over channels and seeds) per site, epoch by epoch."""
    series = []
    for a in ACTS:
        if (model, a) not in runs:
            continue
        rs = runs[(model, a)]
        n = min(len(r["epochs"]) for r in rs)
        for k, site in enumerate(rs[0]["initial_sites"]):
            for name in site["learned"]:
                values = [mean([r["initial_sites"][k]["learned"][name] for r in rs])]
                values += [mean([r["epochs"][e]["sites"][k]["learned"][name] for r in rs]) for e in range(n)]
                series.append((a, site["name"], name, values))
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    styles = ["-", "--", ":", "-."]
    for i, (a, site, name, values) in enumerate(series):
        ax.plot(range(len(values)), values, styles[i % 4], marker="o", markersize=3,
                color=COLOUR[a], label="%s %s (%s)" % (a, name, site))
    ax.set_xlabel("epoch (0: initial value)")
    ax.set_title("%s: learned activation parameters, mean over channels and seeds" % model)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return save(fig, model + "_learned.png")


# ---- text --------------------------------------------------------------------------------------------


class Doc:
    """Blocks written twice: markdown and HTML."""

    def __init__(self):
        self.md, self.html = [], []

    def heading(self, level, text):
        self.md.append("#" * level + " " + text + "\n")
        self.html.append("<h%d>%s</h%d>" % (level, html.escape(text), level))

    def para(self, text):
        self.md.append(text + "\n")
        self.html.append("<p>%s</p>" % html.escape(text))

    def bullets(self, items):
        self.md.append("\n".join("- " + i for i in items) + "\n")
        self.html.append("<ul>" + "".join("<li>%s</li>" % html.escape(i) for i in items) + "</ul>")

    def table(self, head, rows):
        self.md.append("| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n" +
                       "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n")
        self.html.append("<table><tr>" + "".join("<th>%s</th>" % html.escape(h) for h in head) + "</tr>" +
                         "".join("<tr>" + "".join("<td>%s</td>" % html.escape(c) for c in r) + "</tr>" for r in rows) +
                         "</table>")

    def image(self, path, alt):
        if path:
            self.md.append("![%s](%s)\n" % (alt, path))
            self.html.append('<p><img src="%s" alt="%s"></p>' % (html.escape(path), html.escape(alt)))


def findings(model, rows):
    """Statements each backed by a number from the rows or the runs."""
    out = []
    ranked = sorted(rows, key=lambda r: -r["test_accuracy_mean"])
    best, second = ranked[0], ranked[1] if len(ranked) > 1 else None
    if second:
        gap = best["test_accuracy_mean"] - second["test_accuracy_mean"]
        spread = math.sqrt((best["test_accuracy_std"] or 0) ** 2 + (second["test_accuracy_std"] or 0) ** 2)
        verdict = ("larger than the seeds' spread (%.2f points): a real difference at this budget" % (100 * spread)
                   if gap > 2 * spread else
                   "within twice the seeds' spread (%.2f points): not a clear win at this budget" % (100 * spread))
        out.append("Best test accuracy: %s, %s%% ± %s, ahead of %s (%s%%) by %.2f points, %s." %
                   (best["activation"], pct(best["test_accuracy_mean"]), pct(best["test_accuracy_std"]),
                    second["activation"], pct(second["test_accuracy_mean"]), 100 * gap, verdict))
    worst = ranked[-1]
    out.append("Lowest: %s at %s%%." % (worst["activation"], pct(worst["test_accuracy_mean"])))
    dead = max(rows, key=lambda r: r["dead_max"])
    if dead["dead_max"] > 0:
        out.append("Most dead units: %s, %.1f%% of one layer's units never had a non-zero slope in the last epoch "
                   "(mean over layers %.1f%%)." % (dead["activation"], 100 * dead["dead_max"], 100 * dead["dead"]))
    else:
        out.append("No activation left a unit dead (zero slope for every input of the last epoch).")
    sat = max(rows, key=lambda r: r["saturated"])
    out.append("Most saturated: %s, %.1f%% of its pre-activations had |f'| < %g in the last epoch "
               "(for rectifiers this counts the inactive side)." % (sat["activation"], 100 * sat["saturated"],
                                                                   grid["train"]["saturation"]))
    # Vanishing gradients: the ratio of the first to the last weight layer's gradient norm, epoch 1.
    ratios = []
    for r in rows:
        rs = runs[(model, r["activation"])]
        g = [mean([run["epochs"][0]["grad_norms"][k]["norm"] for run in rs]) for k in range(len(rs[0]["epochs"][0]["grad_norms"]))]
        if len(g) >= 2 and g[-1] > 0:
            ratios.append((g[0] / g[-1], r["activation"], rs[0]["epochs"][0]["grad_norms"][0]["layer"],
                           rs[0]["epochs"][0]["grad_norms"][-1]["layer"]))
    if ratios:
        low = min(ratios)
        high = max(ratios)
        out.append("Gradient reaching the first layer, epoch 1 (||dL/dW|| of %s over %s's): smallest for %s (%.3g), "
                   "largest for %s (%.3g)." % (low[2], low[3], low[1], low[0], high[1], high[0]))
    fastest = min(rows, key=lambda r: r["seconds_per_epoch"])
    slowest = max(rows, key=lambda r: r["seconds_per_epoch"])
    out.append("Training time per epoch: %s fastest (%.2f s), %s slowest (%.2f s, %.2fx)." %
               (fastest["activation"], fastest["seconds_per_epoch"], slowest["activation"], slowest["seconds_per_epoch"],
                slowest["seconds_per_epoch"] / fastest["seconds_per_epoch"]))
    diverged = [r["activation"] for r in rows if r["diverged"]]
    if diverged:
        out.append("Diverged (non-finite training loss) in some seed: " + ", ".join(diverged) + ".")
    return out


def main():
    doc = Doc()
    t, d = grid["train"], grid["data"]
    doc.heading(1, "actfn compare: %s on %s" % (", ".join(grid["models"]), os.path.basename(d["dir"].rstrip("/")) or d["dir"]))
    sizes = runs[(grid["rows"][0]["model"], grid["rows"][0]["activation"])][0]["data"]
    doc.para("Data: %s. Training: %s, learning rate %g, schedule %s, batch %d, up to %d epochs%s; %d seeds per "
             "activation (seeds %d..%d), one process per run. Test accuracy is taken at each run's best validation "
             "epoch. The grid took %.0f s." %
             (sizes, t["optimizer"], t["lr"], t["schedule"], t["batch"], t["epochs"],
              (", early stopping after %d epochs without improvement" % t["patience"]) if t["patience"] else "",
              grid["seeds"], grid["first_seed"], grid["first_seed"] + grid["seeds"] - 1, grid["wall_seconds"]))
    doc.image(figure_functions(), "the activations and their derivatives")
    for model in grid["models"]:
        rows = [r for r in grid["rows"] if r["model"] == model]
        first = runs[(model, rows[0]["activation"])][0]
        m = first["model"]
        doc.heading(2, "%s (depth %d, width %d, norm %s, dropout %g; init: %s)" %
                    (model, m["depth"], m["width"], m["norm"], m["dropout"],
                     ", ".join(sorted({"%s %s" % (r["activation"], runs[(model, r["activation"])][0]["init"]) for r in rows}))
                     if m["init"] == "auto" else m["init"]))
        table = []
        for r in sorted(rows, key=lambda r: -r["test_accuracy_mean"]):
            table.append([r["activation"], "%s ± %s" % (pct(r["test_accuracy_mean"]), pct(r["test_accuracy_std"])),
                          "%.1f" % r["best_epoch_mean"],
                          "%d/%d%s" % (r["reached_target"], r["seeds"],
                                       (" (%.1f)" % r["epochs_to_target_mean"]) if r["reached_target"] else ""),
                          "%.2f" % r["seconds_per_epoch"], "%.1f" % (100 * r["dead"]), "%.1f" % (100 * r["saturated"]),
                          str(r["diverged"])])
        doc.table(["activation", "test % (mean ± std)", "best epoch", "reached %g%% val (epochs)" % (100 * grid["target_accuracy"]),
                   "s/epoch", "dead %", "saturated %", "diverged"], table)
        doc.bullets(findings(model, rows))
        doc.image(figure_accuracy(model, rows), model + " accuracy")
        doc.image(figure_curves(model), model + " curves")
        doc.image(figure_units(model), model + " dead and saturated units, signal")
        doc.image(figure_gradients(model), model + " gradient norms")
        doc.image(figure_learned(model), model + " learned parameters")
    doc.para("Per-run curves: runs/<model>/<activation>/seed<k>/history.csv (every epoch: losses, accuracies, per-layer "
             "dead/saturated fractions, variances, gradient norms); the numbers above: results.csv and results.json.")

    for name, text in (("report.md", "\n".join(doc.md)),
                       ("report.html", "<!doctype html><html><head><meta charset='utf-8'><title>actfn compare</title>"
                        "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}table{border-collapse:collapse}"
                        "td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}td:first-child{text-align:left}"
                        "img{max-width:100%}</style></head><body>" + "\n".join(doc.html) + "</body></html>\n")):
        path = os.path.join(OUT, name)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)


main()
