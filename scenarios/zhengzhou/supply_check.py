"""Holds the default scenario's pipeline against the schools the city reported opening
(supply_observed.csv, data up to 2022 only): seats by stage and year, model vs observed. Given
run folders (`seatsim run … --out DIR`), also prints each run's public primary and junior
classes — standard and surge — and pupils per class, against the observed class stocks.

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


if __name__ == "__main__":
    main()
    if sys.argv[1:]:
        print_runs(sys.argv[1:])
