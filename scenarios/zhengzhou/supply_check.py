"""Holds the default scenario's pipeline against the schools the city reported opening
(supply_observed.csv, data up to 2022 only): seats by stage and year, model vs observed.

    python3 scenarios/zhengzhou/supply_check.py
"""
import csv
import os

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


if __name__ == "__main__":
    main()
