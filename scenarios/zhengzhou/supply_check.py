"""Holds the default scenario's pipeline against the schools the city reported opening
(supply_observed.csv, data up to 2022 only): seats by stage and year, model vs observed. Given
run folders (`seatsim run … --out DIR`), also prints each run's public primary and junior
classes — standard and surge — and pupils per class, against the observed class stocks, and
the 2023 classes of all schools against the 2023 bulletin (an out-of-sample check: the
bulletin's figures, in ../zhengzhou-2012/observed-2023-2024.csv, set nothing).

    python3 scenarios/zhengzhou/supply_check.py [RUN_DIR ...]
"""
import csv
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = {"kindergarten": 30, "primary": 45, "junior": 50, "senior": 50}


def model_openings():
    """(year, stage) -> (schools or projects, seats) of new schools and expansions, conversions
    of private schools (转公) apart: they add public seats without adding schools."""
    out = {}
    for r in csv.DictReader(open(os.path.join(HERE, "projects.csv"), encoding="utf-8")):
        if r["kind"] == "closure" or r["id"].startswith("conv-"):
            continue
        stages = ["compulsory", r["stage"]] if r["stage"] in ("primary", "junior") else [r["stage"]]
        years = [r["planned_year"]] + (["2023-2025"] if "2023" <= r["planned_year"] <= "2025" else [])
        for y in years:
            for s in stages:
                n, seats = out.get((y, s), (0, 0))
                out[(y, s)] = (n + 1, seats + int(r["classes"]) * SIZE[r["stage"]])
    return out


def main():
    model = model_openings()
    print("| year | stage | observed schools / seats | model projects / seats | model − observed seats |")
    print("|---|---|---|---|---|")
    for r in csv.DictReader(open(os.path.join(HERE, "supply_observed.csv"), encoding="utf-8")):
        if r["what"] == "stock":
            continue
        n, seats = model.get((r["year"], r["stage"]), (0, 0))
        obs = int(r["seats"]) if r["seats"] else None
        diff = f"{seats - obs:+,} ({(seats - obs) / obs:+.0%})" if obs else "—"
        shown = f"{obs:,}" if obs else "—"
        print(f"| {r['year']} | {r['stage']} ({r['what']}) | {r['schools']} / {shown} | {n} / {seats:,} | {diff} |")


def observed_stocks():
    """(stage, year) -> (classes, mean class) of the observed stocks, all schools (public and
    private), classes = pupils / mean class."""
    out = {}
    for r in csv.DictReader(open(os.path.join(HERE, "supply_observed.csv"), encoding="utf-8")):
        if r["what"] == "stock" and r["mean_class"] and r["stage"] in ("primary", "junior"):
            mean = float(r["mean_class"])
            out[(r["stage"], int(r["year"]))] = (int(r["pupils"]) / mean, mean)
    return out


def run_classes(run):
    """(stage, year) -> (standard classes, surge classes P50 [P5-P95], pupils per class) of the
    city (ALL) in a run's summary.csv, from the means."""
    rows = {}
    for r in csv.DictReader(open(os.path.join(run, "summary.csv"), encoding="utf-8")):
        if r["district"] == "ALL" and r["stage"] in ("primary", "junior"):
            rows[(r["stage"], int(r["year"]), r["metric"])] = r
    out = {}
    for (stage, year, metric), r in rows.items():
        if metric != "capacity" or year > 2025:
            continue
        classes = float(r["mean"]) / SIZE[stage]
        surge = rows.get((stage, year, "surge_classes"))
        band = (float(surge["mean"]), float(surge["p05"]), float(surge["p95"])) if surge else (0, 0, 0)
        demand = float(rows[(stage, year, "demand")]["mean"])
        out[(stage, year)] = (classes - band[0], band, demand / classes)
    return out


def print_runs(runs):
    stocks = observed_stocks()
    print()
    print("| run | stage | year | public classes: standard + surge, mean (P5–P95) | public pupils per class (mean demand / mean classes) |")
    print("|---|---|---|---|---|")
    for (stage, year), (classes, mean) in sorted(stocks.items()):
        print(f"| observed (all schools) | {stage} | {year} | {classes:,.0f} | {mean:.2f} |")
    for run in runs:
        for (stage, year), (std, (surge, lo, hi), per) in sorted(run_classes(run).items()):
            extra = f" + {surge:,.0f} ({lo:,.0f}–{hi:,.0f})" if hi > 0 else ""
            print(f"| {os.path.basename(run.rstrip('/'))} | {stage} | {year} | {std:,.0f}{extra} | {per:.1f} |")


def observed_2023():
    """stage -> (pupils, mean class, classes) of all schools in 2023 (B2023: pupils and mean class
    as utilization x standard class)."""
    rows = {}
    path = os.path.join(HERE, "..", "zhengzhou-2012", "observed-2023-2024.csv")
    for r in csv.DictReader(open(path, encoding="utf-8")):
        if r["district"] == "ALL" and r["year"] == "2023" and r["stage"] in ("primary", "junior"):
            rows[(r["stage"], r["metric"])] = float(r["value"])
    out = {}
    for stage in ("primary", "junior"):
        pupils, mean = rows[(stage, "enrolled")], rows[(stage, "utilization")] * SIZE[stage]
        out[stage] = (pupils, mean, pupils / mean)
    return out


def print_2023(run):
    """The 2023 classes of all schools: public (capacity / standard class, P5–P95, standard and
    surge together) plus private (the run's mean private pupils at 2020's pupils per private
    class), against the bulletin's pupils / mean class."""
    rows = {}
    for r in csv.DictReader(open(os.path.join(run, "summary.csv"), encoding="utf-8")):
        if r["district"] == "ALL" and r["year"] in ("2020", "2023"):
            rows[(r["stage"], int(r["year"]), r["metric"])] = r
    obs = observed_2023()
    print()
    print("| stage | 2023 observed classes, all schools | model public classes, mean (P5–P95) | model private classes | model all, mean (P5–P95) | observed − model mean |")
    print("|---|---|---|---|---|---|")
    for stage, (pupils, mean, classes) in obs.items():
        cap = rows[(stage, 2023, "capacity")]
        pub = [float(cap[k]) / SIZE[stage] for k in ("mean", "p05", "p95")]
        # Private pupils per private class in 2020: all schools' pupils and classes (B2020) less
        # the public ones the base year holds (enrolled − demand pupils, capacity / size classes).
        e20, d20, c20 = (float(rows[(stage, 2020, m)]["mean"]) for m in ("enrolled", "demand", "capacity"))
        all20 = e20 / observed_stocks()[(stage, 2020)][1]
        per_private = (e20 - d20) / (all20 - c20 / SIZE[stage])
        e23, d23 = (float(rows[(stage, 2023, m)]["mean"]) for m in ("enrolled", "demand"))
        private = (e23 - d23) / per_private
        tot = [x + private for x in pub]
        print(f"| {stage} | {classes:,.0f} ({pupils:,.0f} / {mean:.2f}) | {pub[0]:,.0f} ({pub[1]:,.0f}–{pub[2]:,.0f}) | {private:,.0f} ({per_private:.1f} a class) | {tot[0]:,.0f} ({tot[1]:,.0f}–{tot[2]:,.0f}) | {classes - tot[0]:+,.0f} ({(classes - tot[0]) / tot[0]:+.1%}) |")


if __name__ == "__main__":
    main()
    if sys.argv[1:]:
        print_runs(sys.argv[1:])
        for run in sys.argv[1:]:
            print_2023(run)
