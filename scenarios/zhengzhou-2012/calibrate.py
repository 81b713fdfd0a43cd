#!/usr/bin/env python3
"""Try shock sizes and input ranges on the 2012 -> 2020 back-test (Python 3.11+ stdlib).

    python3 scenarios/zhengzhou-2012/calibrate.py [--seatsim target/release/seatsim] [--trials 2000]

Each candidate below is a TOML fragment written to a temporary scenario that `extends`
../zhengzhou-2012.toml; `seatsim backtest` scores it against observed.csv. For the observations
after the base year it prints, per candidate:
  * coverage of P5-P95 and P25-P75 (nominal 90% and 50%);
  * rms z, with z = (observed - P50) / ((P95 - P05) / 3.29): the error in units of the band's
    implied standard deviation, ~1 when the bands are as wide as the errors (a finer measure
    than coverage with a dozen observations, where one miss moves coverage by 8 points; a band
    narrower than the quantile sketch's 0.5% resolution counts as that wide);
  * the mean P5-P95 half-width in % of P50 of `enrolled`, by horizon.
SOURCES.md quotes the table and says which candidate the scenarios use.
"""
import argparse
import csv
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = os.path.join(HERE, "..", "zhengzhou-2012.toml")
OBSERVED = os.path.join(HERE, "observed.csv")

# A band narrower than the quantile sketch's 0.5% bins reads as the bins' width (README).
SKETCH_SD = 0.005 / 1.6449

CANDIDATES = {
    "as shipped (default's shocks, no ranges)": "",
    "district migration σ 0.5": "[migration]\nsigma = 0.5",
    "district migration σ 1.0": "[migration]\nsigma = 1.0",
    "births σ_city 0.15": "[births]\nsigma_city = 0.15",
}


def score(seatsim, fragment, trials):
    with tempfile.TemporaryDirectory() as tmp:
        toml = os.path.join(tmp, "candidate.toml")
        with open(toml, "w", encoding="utf-8") as f:
            f.write(f'[scenario]\nextends = "{os.path.abspath(BASE)}"\n{fragment}\n')
        out = os.path.join(tmp, "out")
        subprocess.run([seatsim, "backtest", toml, "--observed", OBSERVED, "--trials", str(trials),
                        "--quiet", "--out", out], check=True, stdout=subprocess.DEVNULL)
        rows = list(csv.DictReader(open(os.path.join(out, "backtest.csv"), encoding="utf-8")))
    rows = [r for r in rows if int(r["horizon"]) > 0]
    n = len(rows)
    cov90 = sum(r["in_p05_p95"] == "true" for r in rows) / n
    cov50 = sum(r["in_p25_p75"] == "true" for r in rows) / n
    zs = []
    widths = {}
    for r in rows:
        p05, p50, p95, obs = (float(r[k]) for k in ("p05", "p50", "p95", "observed"))
        sd = max((p95 - p05) / 3.2897, SKETCH_SD * abs(p50))
        zs.append((obs - p50) / sd)
        if r["metric"] == "enrolled":
            widths.setdefault(int(r["horizon"]), []).append((p95 - p05) / 2 / p50 * 100)
    rms = math.sqrt(sum(z * z for z in zs) / n)
    return n, cov90, cov50, rms, {h: sum(w) / len(w) for h, w in sorted(widths.items())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seatsim", default=os.path.join(HERE, "..", "..", "target", "release", "seatsim"))
    ap.add_argument("--trials", type=int, default=2000)
    args = ap.parse_args()
    print("| candidate | n | P5–P95 | P25–P75 | rms z | enrolled P5–P95 ± % by horizon |")
    print("|---|---|---|---|---|---|")
    for name, fragment in CANDIDATES.items():
        n, c90, c50, rms, w = score(args.seatsim, fragment, args.trials)
        widths = ", ".join(f"{h} y {v:.1f}" for h, v in w.items())
        print(f"| {name} | {n} | {c90:.0%} | {c50:.0%} | {rms:.2f} | {widths} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
