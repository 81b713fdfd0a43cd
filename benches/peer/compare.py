#!/usr/bin/env python3
"""Compare the peer's summary.csv / risk.csv with seatsim's, cell by cell.

    python3 benches/peer/compare.py SEATSIM_DIR PEER_DIR [--trials-a N] [--trials-b N] [--z 4]

Monte Carlo runs: for every district × stage × year × metric, z = (mean_a − mean_b) / SE with
SE = √(sd_a²/n_a + sd_b²/n_b); cells with |z| > 4 are listed (with ~10,000 cells, a handful
beyond 3 is chance, beyond 4 is not: P(|z| > 4) ≈ 6e-5 per cell). Risk probabilities: the
difference in units of the binomial SE √(p(1−p)(1/n_a + 1/n_b)) at the pooled p.
A difference of means within seatsim's 2⁻²⁰ grid (README note 10) is agreement.
Deterministic runs (n = 1 on both sides): every number must agree to a relative 1e-8.
With the peer's bands.csv (`seatsim_peer.py --bands`): sds, with an SE from the kurtosis of
the peer's trials (advisory: rare-event cells), and P5/P50/P95 against the peer's ±4 SE rank
bands widened by seatsim's sketch bound (0.05 sd).
Standard library only.
"""

import argparse
import csv
import math
import sys


GRID = 2.0**-20  # seatsim sums each trial's value on this grid: its means carry up to this


def load(path, key_len):
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    return head, {tuple(r[:key_len]): r for r in rows[1:]}


def num(s):
    return None if s == "" else float(s)


def close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-6)


def deterministic(sa, sb, ra, rb, head_s, head_r, rel):
    bad = 0
    for label, a, b, head, first in (("summary", sa, sb, head_s, 4), ("risk", ra, rb, head_r, 3)):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                print(f"{label}: row {'/'.join(k)} only in {'seatsim' if k in a else 'peer'}")
                bad += 1
                continue
            for j in range(first, len(head)):
                x, y = a[k][j], b[k][j]
                if head[j] in ("warning", "rank"):
                    ok = x == y
                else:
                    ok = (x == y) or (x != "" and y != "" and close(float(x), float(y), rel))
                if not ok:
                    bad += 1
                    if bad <= 40:
                        print(f"{label}: {'/'.join(k)} {head[j]}: seatsim {x}  peer {y}")
    print(f"deterministic: {bad} differing fields (relative tolerance {rel:g})")
    return bad


def monte_carlo(sa, sb, ra, rb, bands, na, nb, zmax, show):
    zs = []
    for k in sorted(set(sa) & set(sb)):
        ma, sda, mb, sdb = num(sa[k][4]), num(sa[k][5]), num(sb[k][4]), num(sb[k][5])
        if None in (ma, sda, mb, sdb):
            continue
        se = math.sqrt(sda**2 / na + sdb**2 / nb)
        if se < 1e-9 * max(abs(ma), abs(mb)):  # float noise of a constant cell, not a spread
            se = 0.0
        if abs(ma - mb) <= GRID:  # seatsim's values are on a 2⁻²⁰ grid (README note 10)
            z = 0.0
        elif se == 0:
            z = 0.0 if close(ma, mb, 1e-9) else math.inf
        else:
            z = (ma - mb) / se
        zs.append((abs(z), z, k, ma, mb, sda, sdb))
    only = [k for k in set(sa) ^ set(sb)]
    zs.sort(reverse=True)
    n = len(zs)
    beyond = [r for r in zs if r[0] > zmax]
    print(f"summary: {n} cell-metrics compared, {len(only)} rows in one file only")
    for lim in (2, 3, 4, 6, 10):
        c = sum(1 for r in zs if r[0] > lim)
        expect = n * math.erfc(lim / math.sqrt(2))
        print(f"  |z| > {lim:>2}: {c:5d}   (chance alone: {expect:8.2f})")
    print(f"summary cells beyond {zmax} SE (|z|, cell, seatsim mean ± sd, peer mean ± sd):")
    for a, z, k, ma, mb, sda, sdb in beyond[:show]:
        print(f"  {z:+9.2f}  {'/'.join(k):58s} {ma:14.6g} ± {sda:<12.6g} {mb:14.6g} ± {sdb:<12.6g}")
    if len(beyond) > show:
        print(f"  … and {len(beyond) - show} more")
    sd_z, q_out = [], []
    for k in sorted(set(sa) & set(sb) & set(bands)):
        va, vb = [num(x) for x in sa[k][4:]], [num(x) for x in sb[k][4:]]
        band = [num(x) for x in bands[k][4:]]
        if None in va or None in vb:
            continue
        sda, sdb, kurt = va[1], vb[1], band[0]
        if kurt is not None and sda > 0 and sdb > 0:
            # SE of a sample sd: sd·√((κ − 1)/(4n)), κ the kurtosis (the peer's trials)
            se = math.sqrt(max(kurt - 1, 0.0) / 4 * (sda**2 / na + sdb**2 / nb))
            if se > 0:
                sd_z.append((abs(sda - sdb) / se, (sda - sdb) / se, k, sda, sdb, kurt, va[8], vb[8]))
        # quantiles: seatsim's value against the peer's trials' ranks ±4 SE (bands.csv), widened
        # by seatsim's sketch error bound, 0.05 sd (README "Quantiles")
        for j, name in enumerate(("p05", "p50", "p95")):
            lo, hi = band[1 + 2 * j], band[2 + 2 * j]
            x = va[(2, 4, 6)[j]]
            slack = 0.05 * sda + 1e-9 * max(abs(lo), abs(hi), 1.0)
            if x < lo - slack or x > hi + slack:
                q_out.append((k, name, x, vb[(2, 4, 6)[j]], lo, hi, sda))
    sd_z.sort(reverse=True)
    print(f"sd (advisory: a sd made by a few rare trials, e.g. a surplus beyond one class where a "
          f"surge fills the rest, has a kurtosis the peer's run may miss): {len(sd_z)} compared "
          f"(SE from the kurtosis of the peer's trials); "
          f"|z| > 3: {sum(1 for r in sd_z if r[0] > 3)} (chance {len(sd_z) * math.erfc(3 / math.sqrt(2)):.1f}), "
          f"> {zmax}: {sum(1 for r in sd_z if r[0] > zmax)}")
    for a_, z, k, x, y, kurt, mxa, mxb in sd_z[:show]:
        if a_ > zmax:
            print(f"  {z:+9.2f}  {'/'.join(k):58s} sd seatsim {x:10.5g}  peer {y:10.5g}  "
                  f"kurtosis {kurt:8.3g}  max seatsim {mxa:10.5g}  peer {mxb:10.5g}")
    print(f"quantiles P5/P50/P95: {3 * len(bands)} compared; seatsim's outside the peer's "
          f"±4 SE rank band (+0.05 sd): {len(q_out)}")
    for k, name, x, y, lo, hi, sd in q_out[:show]:
        print(f"  {'/'.join(k):58s} {name} seatsim {x:12.6g}  peer {y:12.6g}  band [{lo:.6g}, {hi:.6g}]  sd {sd:.4g}")
    rz = []
    cols = ["p_shortfall", "p_large_classes", "p_super_large_classes", "p_underused"]
    for k in sorted(set(ra) & set(rb)):
        for j, c in enumerate(cols, start=3):
            pa, pb = float(ra[k][j]), float(rb[k][j])
            p = (pa * na + pb * nb) / (na + nb)
            se = math.sqrt(p * (1 - p) * (1 / na + 1 / nb))
            z = 0.0 if se == 0 else (pa - pb) / se
            rz.append((abs(z), z, k, c, pa, pb))
    rz.sort(reverse=True)
    rb_ = [r for r in rz if r[0] > zmax]
    print(f"risk: {len(rz)} probabilities compared; beyond {zmax} binomial SE: {len(rb_)}"
          f" (> 3: {sum(1 for r in rz if r[0] > 3)}, chance alone {len(rz) * math.erfc(3 / math.sqrt(2)):.1f})")
    for a, z, k, c, pa, pb in rb_[:show]:
        print(f"  {z:+9.2f}  {'/'.join(k):32s} {c:22s} seatsim {pa:.4f}  peer {pb:.4f}")
    return len(beyond), len(rb_), len(q_out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("seatsim_dir")
    ap.add_argument("peer_dir")
    ap.add_argument("--trials-a", type=int, help="seatsim's trials (default: run.json)")
    ap.add_argument("--trials-b", type=int, help="the peer's trials (default: same as seatsim)")
    ap.add_argument("--z", type=float, default=4.0)
    ap.add_argument("--show", type=int, default=60)
    ap.add_argument("--deterministic", action="store_true")
    a = ap.parse_args()
    hs, sa = load(f"{a.seatsim_dir}/summary.csv", 4)
    _, sb = load(f"{a.peer_dir}/summary.csv", 4)
    hr, ra = load(f"{a.seatsim_dir}/risk.csv", 3)
    _, rb = load(f"{a.peer_dir}/risk.csv", 3)
    if a.deterministic:
        sys.exit(1 if deterministic(sa, sb, ra, rb, hs, hr, 1e-8) else 0)
    na = a.trials_a
    if na is None:
        import json
        with open(f"{a.seatsim_dir}/run.json") as f:
            na = int(json.load(f)["trials"])
    nb = a.trials_b or na
    try:
        _, bands = load(f"{a.peer_dir}/bands.csv", 4)
    except FileNotFoundError:
        print("no bands.csv in the peer's folder: sd and quantiles not compared")
        bands = {}
    monte_carlo(sa, sb, ra, rb, bands, na, nb, a.z, a.show)


if __name__ == "__main__":
    main()
