#!/usr/bin/env python3
"""The measured tables of README.md and docs/accuracy.md, written from command outputs kept in docs/data/.

usage:
  scripts/docs.py record NAME...  run NAME's command (a Release build in build/, as scripts/setup.sh
                                  makes) and keep its output in docs/data/NAME.json, with the command,
                                  commit, date, machine and wall time; then render
  scripts/docs.py render          rewrite every generated block from docs/data/
  scripts/docs.py --check         exit 1 naming each generated block that differs from what its data
                                  gives (ctest docs.tables_up_to_date)
  scripts/docs.py list            the data names and their commands

A generated block is the text between `<!-- generated: BLOCK -->` and `<!-- end generated: BLOCK -->`;
everything in it is written here, so the numbers in the prose around a table come from the same data.
Standard library only: any python3 runs it.
"""
import datetime
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, 'docs', 'data')
PAGES = ['README.md', 'docs/accuracy.md']

# The data, each the output of one command run from the repository root.
COMMANDS = {
    'kernel_accuracy': ['build/actfn', 'accuracy', '--target', 'all', '--json'],
    'kernel_accuracy_exhaustive': ['build/actfn', 'accuracy', '--exhaustive', '--json'],
    'bench_16Ki': ['taskset', '-c', '0', 'build/actfn', 'bench', '--sizes', '16Ki', '--threads', '1',
                   '--repeats', '7', '--json'],
    'bench_16Mi': ['build/actfn', 'bench', '--functions', 'relu,sigmoid,elu,gelu,silu,prelu(num_parameters=64)',
                   '--sizes', '16Mi', '--threads', '1,2', '--repeats', '5', '--json'],
    # A quarter of the samples of --f32-shift 10 --f64-samples 200000 --rows 5000 (denser, 4x the time).
    'reference_accuracy': ['build/tests/accuracy/actfn_accuracy', '--f32-shift', '12', '--f64-samples', '50000',
                           '--rows', '1000', '--json'],
    'torch_step': ['taskset', '-c', '0', 'build/actfn-torch-bench', '--repeats', '25', '--threads', '1', '--json'],
}
PEER_PACKAGES = {'libtorch': 'libtorch-dev', 'oneDNN': 'libdnnl-dev', 'XNNPACK': 'libxnnpack-dev'}
LIBRARY_PACKAGES = {'Highway': 'libhwy-dev', 'MPFR': 'libmpfr-dev', 'glibc': 'libc6'}


# ---- recording -----------------------------------------------------------------------------------

def sh(cmd):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True).stdout.strip()


def machine():
    cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), 'unknown')
    osname = next((l.split('=', 1)[1].strip().strip('"') for l in open('/etc/os-release')
                   if l.startswith('PRETTY_NAME=')), 'unknown')
    target = next((l.split()[0] for l in sh(['build/actfn', 'targets']).splitlines() if '(in use)' in l), 'unknown')
    def versions(packages):
        found = {name: sh(['dpkg-query', '-W', '-f', '${Version}', package]) for name, package in packages.items()}
        return {name: version for name, version in found.items() if version}

    return {'cpu': cpu, 'cores': os.cpu_count(), 'os': osname, 'compiler': sh(['c++', '--version']).splitlines()[0],
            'actfn_target': target, 'peers': versions(PEER_PACKAGES), 'libraries': versions(LIBRARY_PACKAGES)}


def record(name):
    cmd = COMMANDS[name]
    # The source's state as the run starts (the build is assumed to be of it); README.md and docs/,
    # which records rewrite, are not source.
    commit = sh(['git', 'rev-parse', '--short', 'HEAD'])
    dirty = bool(sh(['git', 'status', '--porcelain', '--untracked-files=no', '--', '.', ':!README.md', ':!docs']))
    start = time.time()
    date = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')
    run = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        output = json.loads(run.stdout)
    except json.JSONDecodeError:
        output = None
    # A certification that finds a violation exits 1 with its full report: kept, so the tables
    # show the failure. Anything else that fails is not data.
    if output is None or (run.returncode != 0 and not (isinstance(output, dict) and output.get('pass') is False)):
        sys.exit(f'docs.py: {" ".join(cmd)} failed (exit {run.returncode}); docs/data/{name}.json left as it was')
    kept = {
        'command': ' '.join(c if re.fullmatch(r'[\w./,=-]+', c) else f"'{c}'" for c in cmd),
        'commit': commit,
        'uncommitted_changes': dirty,
        'date': date,
        'wall_seconds': round(time.time() - start, 1),
        'machine': machine(),
        'exit_code': run.returncode,
        'output': output,
    }
    os.makedirs(DATA, exist_ok=True)
    tmp = os.path.join(DATA, name + '.json.tmp')
    with open(tmp, 'w') as f:
        json.dump(kept, f, indent=1, sort_keys=True)
        f.write('\n')
    os.replace(tmp, os.path.join(DATA, name + '.json'))


def load(name):
    with open(os.path.join(DATA, name + '.json')) as f:
        return json.load(f)


# ---- formatting ----------------------------------------------------------------------------------

def where(d):
    """The command and the run's provenance, for the sentence that introduces a table."""
    m = d['machine']
    dirty = ' plus uncommitted changes' if d['uncommitted_changes'] else ''
    return (f"`{d['command']}`, {d['date']}, commit {d['commit']}{dirty}; {m['cpu']}, {m['cores']} cores, "
            f"actfn's target {m['actfn_target']}, {m['compiler']}")


def g3(v):
    return f'{v:.3g}'


def table(head, rows):
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    lines += ['| ' + ' | '.join(r) + ' |' for r in rows]
    return '\n'.join(lines)


def wrap(text, width=100):
    """Markdown prose wrapped at `width`, so a generated paragraph reads like a written one."""
    out, line = [], ''
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f'{line} {word}' if line else word
    return '\n'.join(out + [line])


# ---- speed ---------------------------------------------------------------------------------------

PEERS = {'libtorch': 'T', 'onednn': 'D', 'xnnpack': 'X'}
DIRECTIONS = [('forward', 'forward'), ('backward_x', 'backward from x'), ('backward_y', 'backward from y'),
              ('forward_backward', 'forward + backward')]


def bench_cases(d):
    """{(function, direction, n, threads): {impl: Gelem/s}} in the bench's own order of functions."""
    cases = {}
    for r in d['output']:
        cases.setdefault((r['function'], r['direction'], int(r['n']), str(r['threads'])), {})[r['impl']] = \
            r['gelem_per_s']
    return cases


def fastest_peer(impls):
    peers = {k: v for k, v in impls.items() if k in PEERS}
    return max(peers.items(), key=lambda kv: kv[1]) if peers else None


def median(values):
    values = sorted(values)
    return values[len(values) // 2] if values else float('nan')


def size_label(n):
    for unit, scale in (('Mi', 1 << 20), ('Ki', 1 << 10)):
        if n >= scale and n % scale == 0:
            return f'{n // scale}{unit}'
    return str(n)


def option(d, name, default):
    m = re.search(rf'{name} (\S+)', d['command'])
    return m.group(1) if m else default


def peers_line(d):
    return ', '.join(f'{peer} {version}' for peer, version in d['machine']['peers'].items())


def speed_16ki():
    d = load('bench_16Ki')
    cases = bench_cases(d)
    functions = list(dict.fromkeys(f for f, _, _, _ in cases))
    directions = DIRECTIONS[:3]  # forward + backward is the 16Mi table's
    rows, met, total = [], 0, 0
    for f in functions:
        row = [f]
        for direction, _ in directions:
            impls = next((v for (ff, dd, _, _), v in cases.items() if ff == f and dd == direction), None)
            if not impls or 'actfn' not in impls:
                row.append('-')
                continue
            v = impls['actfn']
            cell = g3(v)
            best = fastest_peer(impls)
            if best:
                total += 1
                met += v >= best[1]
                ratios = [f'{v / best[1]:.2f} {PEERS[best[0]]}']
                if best[0] != 'libtorch' and 'libtorch' in impls:
                    ratios.append(f"{v / impls['libtorch']:.2f} T")
                cell += f" ({', '.join(ratios)})"
            row.append(cell)
        rows.append(row)
    copy = median(v['memcpy'] for (_, dd, _, _), v in cases.items() if dd == 'forward' and 'memcpy' in v)
    copy2 = median(v['memcpy'] for (_, dd, _, _), v in cases.items() if dd == 'backward_x' and 'memcpy' in v)
    n = size_label(int(d['output'][0]['n']))
    pinned = ' pinned to one core' if d['command'].startswith('taskset') else ''
    intro = wrap(
        f"**Speed, measured** ({where(d)}; peers {peers_line(d)}, in the same run): f32, {n} floats (in cache), "
        f"one thread{pinned}, Gelem/s, median of {option(d, '--repeats', '5')} repeats; the machine is shared with other "
        f"tenants, so compare ratios within the run, not Gelem/s across runs. In parentheses actfn's ratio to the "
        f"fastest peer that has the case (T libtorch, D oneDNN, X XNNPACK) and, where that is not libtorch, to "
        f"libtorch; the copy reached {g3(copy)} Gelem/s (1 in, 1 out) and {g3(copy2)} (2 in, 1 out), medians "
        f"over the functions' rows; vector-wise functions over rows of 1024. actfn is at or above the fastest "
        f"peer in {met} of the {total} cases of this table that a peer has.")
    return intro + '\n\n' + table(['function'] + [name for _, name in directions], rows)


def speed_16mi():
    d = load('bench_16Mi')
    cases = bench_cases(d)
    rows = []
    for (f, direction, n, threads), impls in cases.items():
        if threads != '1' or 'actfn' not in impls:
            continue
        v = impls['actfn']
        best = fastest_peer(impls)
        two = cases.get((f, direction, n, '2'), {}).get('actfn')
        rows.append([f, dict(DIRECTIONS)[direction], g3(v),
                     f"{v / impls['memcpy']:.2f}" if 'memcpy' in impls else '-',
                     f'{v / best[1]:.2f} {PEERS[best[0]]}' if best else '-',
                     f'{two / v:.2f}' if two else '-'])
    intro = wrap(
        f"**Out of cache** ({where(d)}): {size_label(int(d['output'][0]['n']))} floats, Gelem/s of one thread, its ratio to the copy with the same "
        f"streams (1 in 1 out for forward, 2 in 1 out for backward, 2 in 2 out for forward + backward) and to the "
        f"fastest peer, and two threads' speed over one thread's.")
    return intro + '\n\n' + table(['function', 'direction', 'Gelem/s', '× copy', '× fastest peer', '2 threads'], rows)


# ---- kernel accuracy -----------------------------------------------------------------------------

KERNEL_DIRECTIONS = [('forward', 'forward'), ('backward_x', 'f′ from x'), ('backward_y', 'f′ from y')]


def kernel_rows(d):
    return [(t['target'], r) for t in d['output']['targets'] for r in t['rows']]


def kernel_accuracy():
    d = load('kernel_accuracy')
    rows = kernel_rows(d)
    targets = [t['target'] for t in d['output']['targets']]
    fma = [t for t in targets if t.startswith('AVX')]
    smooth = [(t, r) for t, r in rows if r['bound'] > 0.5]
    exact = [r for _, r in rows if r['bound'] <= 0.5]
    worst_f = max((x for x in smooth if x[1]['direction'] == 'forward'), key=lambda x: x[1]['max_ulp'])
    worst_df = max((x for x in smooth if x[1]['direction'] != 'forward'), key=lambda x: x[1]['max_ulp'])
    worst_sub = max(rows, key=lambda x: x[1]['max_subnormal_error'])
    special = sum(r['special_mismatches'] for _, r in rows)
    flushed = sum(r['flushed'] for _, r in rows)
    failed = [f"{r['function']} {r['direction']} on {t}" for t, r in rows if not r['pass']]
    intro = wrap(
        f"**Kernel accuracy, certified** ({where(d)}), against the f64 oracle — the reference's own double result "
        f"before its final rounding; CI runs this sweep on every target: over "
        f"{d['output']['sample']['description']}, on {', '.join(targets)}, "
        + ('every kernel within its contract' if not failed else 'FAILED: ' + '; '.join(failed)) +
        f"; the correctly rounded kernels (piecewise-linear and the others whose contract is 0.5 ULP) at most "
        f"{max(r['max_ulp'] for r in exact):.2f} ULP; the worst smooth forward {worst_f[1]['max_ulp']:.2f} ULP "
        f"({worst_f[1]['function']}, on {worst_f[0]}), the worst f′ {worst_df[1]['max_ulp']:.2f} ULP "
        f"({worst_df[1]['function']}, on {worst_df[0]}), the worst subnormal result "
        f"{worst_sub[1]['max_subnormal_error']:.2f} units of 2^-149; {special} special-value mismatches (NaN, ±inf, "
        f"sign of zero) and {flushed} results ≥ FLT_MIN flushed to 0. Max ULP per function and direction"
        + (f", on the FMA targets ({', '.join(fma)}) / the others where they differ:" if fma and len(fma) < len(targets)
           else ':'))
    out = []
    for f in dict.fromkeys(r['function'] for _, r in rows):
        row = [f]
        for direction, _ in KERNEL_DIRECTIONS:
            found = [(t, r) for t, r in rows if r['function'] == f and r['direction'] == direction]
            if not found:
                row.append('-')
                continue
            a = max((r['max_ulp'] for t, r in found if t in fma), default=None)
            b = max((r['max_ulp'] for t, r in found if t not in fma), default=None)
            cells = [f'{v:.2f}' for v in (a, b) if v is not None]
            row.append(cells[0] if len(set(cells)) == 1 else ' / '.join(cells))
        out.append(row)
    return intro + '\n\n' + table(['function'] + [name for _, name in KERNEL_DIRECTIONS], out)


def kernel_accuracy_exhaustive():
    d = load('kernel_accuracy_exhaustive')
    rows = kernel_rows(d)
    exact = [r for _, r in rows if r['bound'] <= 0.5]
    failed = [f"{r['function']} {r['direction']}" for _, r in rows if not r['pass']]
    sample = d['output']['sample']
    scope = ('every one of the 2^32 f32 inputs' if sample['shift'] == 0 else
             f"{sample['description']} — a sampled stand-in until `scripts/docs.py record "
             f"kernel_accuracy_exhaustive` (all 2^32, hours on two cores) replaces it")
    intro = wrap(
        f"**Exhaustive** ({where(d)}; {d['wall_seconds'] / 60:.0f} min): {scope}, for every "
        f"kernel on {', '.join(t['target'] for t in d['output']['targets'])}: "
        + ('every kernel within its contract' if not failed else 'FAILED: ' + '; '.join(failed)) +
        f", the correctly rounded ones at most {max(r['max_ulp'] for r in exact):.2f} ULP, "
        f"{sum(r['flushed'] for _, r in rows)} results ≥ FLT_MIN flushed to 0, "
        f"{sum(r['special_mismatches'] for _, r in rows)} special-value mismatches, subnormal results within "
        f"{max(r['max_subnormal_error'] for _, r in rows):.2f} units of 2^-149; max ULP per function and direction "
        f"(and the worst input where it is above 0.9):")
    out = []
    for f in dict.fromkeys(r['function'] for _, r in rows):
        row = [f]
        for direction, _ in KERNEL_DIRECTIONS:
            r = next((r for _, r in rows if r['function'] == f and r['direction'] == direction), None)
            if r is None:
                row.append('-')
                continue
            row.append(f"{r['max_ulp']:.2f}" + (f" ({r['worst_input']})" if r['max_ulp'] > 0.9 else ''))
        out.append(row)
    return intro + '\n\n' + table(['function'] + [name for _, name in KERNEL_DIRECTIONS], out)


# ---- the scalar reference against MPFR -----------------------------------------------------------

REFERENCE_COLUMNS = [('f32_y', 'f32 y ULP'), ('f32_dy', "f32 f' ULP"), ('f64_y', 'f64 y ULP'),
                     ('f64_dy', "f64 f' ULP"), ('param_grad', 'param grad ULP')]


def reference_cell(c):
    if c is None:
        return '-'
    at = c['at'] if c['at'].startswith('row') else f"x = {c['at']}"
    return f"{c['error']:.3g} ({at})"


def reference_worst(rows, column):
    r = max((r for r in rows if r[column]), key=lambda r: r[column]['error'])
    return r[column]['error'], r['activation'], r[column]['at']


def reference_accuracy():
    d = load('reference_accuracy')
    out = d['output']
    s = out['sampling']
    m = d['machine']
    rows = out['rows']
    head = ['activation'] + [name for _, name in REFERENCE_COLUMNS] + ['subnormal err', 'special', 'skipped']
    body = [[r['activation']] + [reference_cell(r[c]) for c, _ in REFERENCE_COLUMNS] +
            [g3(r['subnormal']['error']) if r['subnormal'] else '-', str(r['special']), str(r['skipped'])]
            for r in rows]
    worst = {c: reference_worst(rows, c) for c, _ in REFERENCE_COLUMNS}
    specials = [f"{r['activation']}: {r['special']} ({r['first_special']})" for r in rows if r['special']]
    text = (f"Command (from the Release build of `scripts/setup.sh` or `scripts/test.sh`; "
            f"`scripts/docs.py record reference_accuracy` runs it and rewrites this section):\n\n"
            f"```\n{d['command']}\n```\n\n"
            + wrap(f"Run {d['date']}, commit {d['commit']}; {d['wall_seconds'] / 60:.1f} min wall on 2 worker "
                   f"threads. Machine: {m['cpu']}, {m['cores']} cores, {m['os']}, {m['compiler']}, "
                   + ', '.join(f'{k} {v}' for k, v in m.get('libraries', {}).items()) + f". Sampling: f32 "
                   f"one in 2^{s['f32_shift']} bit patterns (plus boundaries), {s['f64_samples']:,} random f64 "
                   f"inputs (plus boundaries), {s['rows']:,} vector-wise rows per data type. Worst input in "
                   f"parentheses (vector-wise: the row number).")
            + '\n\n' + table(head, body) + '\n\n'
            + wrap('Worst per column: ' + '; '.join(
                f"{name} {e:.3g} ({a}, {at if at.startswith('row') else 'x = ' + at})"
                for (c, name), (e, a, at) in zip(REFERENCE_COLUMNS, worst.values())) + '. Special mismatches: '
                + ('; '.join(specials) if specials else 'none') + '.'))
    return text


def reference_accuracy_summary():
    d = load('reference_accuracy')
    rows = d['output']['rows']
    s = d['output']['sampling']
    f32 = max(r[c]['error'] for r in rows for c in ('f32_y', 'f32_dy') if r[c] and not r['vector_wise'])
    rows_y = max(r[c]['error'] for r in rows for c in ('f32_y', 'f64_y') if r[c] and r['vector_wise'])
    rows_dx = max(r[c]['error'] for r in rows for c in ('f32_dy', 'f64_dy') if r[c] and r['vector_wise'])
    element_wise = [r for r in rows if not r['vector_wise']]
    y, ya, yat = reference_worst(element_wise, 'f64_y')
    dy, dya, dyat = reference_worst(element_wise, 'f64_dy')
    special = sum(r['special'] for r in rows)
    names = len({r['activation'].split('(')[0] for r in rows})
    return wrap(
        f"**Accuracy, measured** (`docs/accuracy.md`, {d['date']}; f32: one in 2^{s['f32_shift']} bit patterns "
        f"of all 2^32, f64: {s['f64_samples']:,} samples, against MPFR): every element-wise f32 result and f32 "
        f"derivative within {f32:.3g} ULP of the correctly rounded value for all {names} activations; f64 results "
        f"within {y:.3g} ULP ({ya}, x = {yat}), f64 derivatives within {dy:.3g} ULP ({dya}, x = {dyat}); the "
        f"vector-wise functions' outputs within {rows_y:.3g} ULP and their backward within {rows_dx:.3g}; "
        f"{special} special-value mismatches. `ctest` re-runs a sampled sweep per activation and fails on any bound; `describe` shows each "
        f"function's row.")


# ---- actfn's operators inside PyTorch -------------------------------------------------------------

def torch_step():
    d = load('torch_step')
    rows = d['output']
    us = lambda s: f'{s * 1e6:.0f}'
    body = [[r['function'], us(r['activation_torch_s']), us(r['activation_actfn_s']),
             f"**{r['activation_ratio']:.2f}**" if r['activation_ratio'] < 0.8 else f"{r['activation_ratio']:.2f}",
             f"{r['step_ratio']:.2f}", f"{r['tiny_fwd_bwd_ratio']:.2f}"] for r in rows]
    slower = [r['function'] for r in rows if r['activation_ratio'] > 1.05]
    intro = wrap(
        f"**Inside a training step** ({where(d)}; libtorch {d['machine']['peers'].get('libtorch', '?')}, one "
        f"thread): torch's native activation and actfn's operator timed alternately, medians; ratios are actfn's "
        f"time over torch's (below 1: actfn faster; bold below 0.8). The step (MLP 784-1024-1024-10, batch 256: "
        f"forward, loss, backward) is dominated by its matrix products, and on a shared machine two steps of one "
        f"function differ by up to ±10% between neighbouring runs of the same binaries, so the step ratio only "
        f"says \"no slower within the noise\"; the activation alone (forward + backward through autograd on the "
        f"256×1024 hidden tensor) shows the kernels; \"64 f+b\" is the per-call overhead on 64 elements. "
        + (f"actfn's activation is slower than torch's (ratio above 1.05) for {', '.join(slower)}."
           if slower else "actfn's activation is nowhere slower than torch's by more than 5%."))
    return intro + '\n\n' + table(['function', 'activation: torch µs', 'actfn µs', 'ratio', 'step ratio',
                                   '64 f+b ratio'], body)


BLOCKS = {
    'speed_16Ki': speed_16ki,
    'speed_16Mi': speed_16mi,
    'kernel_accuracy': kernel_accuracy,
    'kernel_accuracy_exhaustive': kernel_accuracy_exhaustive,
    'reference_accuracy': reference_accuracy,
    'reference_accuracy_summary': reference_accuracy_summary,
    'torch_step': torch_step,
}
BLOCK_RE = re.compile(r'(<!-- generated: (\w+) -->\n)(.*?)(<!-- end generated: \2 -->)', re.S)


def render(check):
    stale, seen = [], set()
    for page in PAGES:
        path = os.path.join(ROOT, page)
        text = open(path).read()

        def replace(m):
            name = m.group(2)
            if name not in BLOCKS:
                sys.exit(f'docs.py: {page}: unknown generated block {name}')
            seen.add(name)
            body = BLOCKS[name]() + '\n'
            if body != m.group(3):
                stale.append(f'{page}: {name}')
            return m.group(1) + body + m.group(4)

        new = BLOCK_RE.sub(replace, text)
        if not check and new != text:
            with open(path + '.tmp', 'w') as f:
                f.write(new)
            os.replace(path + '.tmp', path)
    missing = sorted(set(BLOCKS) - seen)
    if missing:
        sys.exit(f'docs.py: no generated block for {", ".join(missing)} in {", ".join(PAGES)}')
    if check and stale:
        sys.exit('docs.py: stale (run scripts/docs.py render): ' + '; '.join(stale))


def main(args):
    if args == ['--check']:
        render(check=True)
    elif args == ['render']:
        render(check=False)
    elif args == ['list']:
        for name, cmd in COMMANDS.items():
            print(f'{name}: {" ".join(cmd)}')
    elif len(args) >= 2 and args[0] == 'record':
        unknown = [a for a in args[1:] if a not in COMMANDS]
        if unknown:
            sys.exit(f'docs.py: unknown data {", ".join(unknown)} (known: {", ".join(COMMANDS)})')
        for name in args[1:]:
            record(name)
        render(check=False)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv[1:])
