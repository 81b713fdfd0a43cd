#!/usr/bin/env python3
"""Derive the Zhengzhou 2016 -> 2020 back-test origin (Python 3 stdlib).

    python3 scenarios/zhengzhou-2016/derive.py

The city of autumn 2016 as a planner could have described it from data up to 2016: the 2012
origin's population (2010 census + 2012 bulletin, ../zhengzhou-2012/derive.py) carried forward
four school years along the same cohort model with every shock at its centre, then scaled to the
pupils of 2016 (R2016). Writes districts.csv, population.csv, capacity.csv and projects.csv beside
this file and ../zhengzhou-2016.toml. Re-running it reproduces them byte for byte. Tags as in
../zhengzhou-2012/SOURCES.md; this folder's SOURCES.md explains every number.
"""
import csv
import importlib.util
import math
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("z12", os.path.join(HERE, "..", "zhengzhou-2012", "derive.py"))
z12 = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(z12)
path_value, largest_remainder = z12.path_value, z12.largest_remainder

BASE_YEAR = 2016
HORIZON = 2020
# R2016 [V] ("2016年郑州市中小学教育资源情况", 大河报 2017-10-11): pupils and mean class sizes.
PUPILS_2016 = {"primary": 832000, "junior": 344000, "senior": 188000}
# 2015 = R2016 minus its increments on 2015 (+4.1万, +1.7万, +0.4万) [D].
PUPILS_2015 = {"primary": 791000, "junior": 327000, "senior": 184000}
AVG_CLASS_2016 = {"primary": 49.3, "junior": 53.2}
# General senior mean class 2016 not published; no later figure may be used, so B2012's is
# kept [E].
AVG_CLASS_SENIOR = 59.81
# The 2012 origin's public KGs opened 2013-2016 (its projects.csv), the 12th plan's 416 [V]
# at the 2011 rate [E], are this origin's KG capacity growth since 2012.


def load_projects():
    with open(os.path.join(HERE, "..", "zhengzhou-2012", "projects.csv"), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main():
    st = z12.state()
    uids, districts, index12, profile, enrol12 = (st[k] for k in ("uids", "districts", "index", "profile", "enrol"))
    # ---- population, autumn 2016 [E]: four steps of the cohort model from autumn 2012.
    P = st["pop"]
    for t in range(2013, BASE_YEAR + 1):
        P = z12.step(P, districts, index12, profile, t)
    pop = {u: ([round(x, 1) for x in P[u][0]], [round(x, 1) for x in P[u][1]]) for u in uids}
    cohort = {s: sum(z12.stage_sum(pop, u, s) for u in uids) for s in z12.STAGES}
    # ---- enrolment ratios 2016 [D]: R2016 pupils / modelled cohort; KG 2016 not published:
    # the 2012 ratio is kept [E].
    ger = {s: PUPILS_2016[s] / cohort[s] for s in PUPILS_2016}
    ger["kindergarten"] = enrol12["kindergarten"][2012]
    # ---- how far the ratios drift, from data up to 2016 only: the 2012 origin's deterministic
    # projection against R2016 (2015, h = 3; 2016, h = 4), a random walk's sigma [D].
    demand12 = z12.project(st["pop"], districts, enrol12, index12, profile)
    resid = {(s, y): math.log(pupils[s] * (1 - path_value(z12.PRIVATE_PATH[s], y))
                              / sum(demand12[(u, s, y)] for u in uids))
             for y, pupils in ((2015, PUPILS_2015), (2016, PUPILS_2016)) for s in pupils}
    sigma = round(math.sqrt(sum(d * d for d in resid.values())
                            / sum(y - z12.BASE_YEAR for _s, y in resid)), 3)
    # ---- births: school-year cohorts relative to 2015/16 [D/E], the 2012 origin's series.
    births_base = st["births_base"] * index12[BASE_YEAR]
    index = {y: round(index12[y] / index12[BASE_YEAR], 4) for y in range(BASE_YEAR, HORIZON + 1)}
    dists = {u: {**d, "births_base": d["births_base"] * index12[BASE_YEAR]} for u, d in districts.items()}
    # ---- capacity, autumn 2016 [D/E]: public classes = pupils / mean class x (1 - private).
    priv = {s: path_value(z12.PRIVATE_PATH[s], BASE_YEAR) for s in z12.STAGES}
    classes = {s: round(PUPILS_2016[s] / AVG_CLASS_2016[s] * (1 - priv[s])) for s in AVG_CLASS_2016}
    classes["senior"] = round(PUPILS_2016["senior"] / AVG_CLASS_SENIOR * (1 - priv["senior"]))
    cap12 = read_capacity()
    projects = load_projects()
    kg_added = sum(int(p["classes"]) for p in projects if p["stage"] == "kindergarten" and int(p["planned_year"]) <= BASE_YEAR)
    classes["kindergarten"] = sum(c for (u, s), (_, c) in cap12.items() if s == "kindergarten") + kg_added
    capacity = {}
    for s in z12.STAGES:
        cls = largest_remainder(classes[s], [z12.stage_sum(pop, u, s) for u in uids])
        per_school = {u: cap12[(u, s)][1] / cap12[(u, s)][0] for u in uids}
        for u, c in zip(uids, cls):
            capacity[(u, s)] = (max(1, min(c, round(c / per_school[u]))), c)
    later = [p for p in projects if int(p["planned_year"]) > BASE_YEAR]
    write(uids, dists, pop, capacity, later)
    write_toml(ger, sigma, index)
    print("modelled cohorts 2016:", {s: round(v) for s, v in cohort.items()})
    print("GER 2016:", {s: round(v, 4) for s, v in ger.items()})
    print("2012 origin's residuals, log observed / projected:", {k: round(d, 4) for k, d in resid.items()},
          f"-> random-walk sigma {sigma}")
    print("public classes 2016:", classes, f"births_base {births_base:.0f}", "index", index)


def read_capacity():
    with open(os.path.join(HERE, "..", "zhengzhou-2012", "capacity.csv"), encoding="utf-8") as f:
        return {(r["district"], r["stage"]): (int(r["schools"]), int(r["classes"])) for r in csv.DictReader(f)}


def write(uids, districts, pop, capacity, projects):
    z12.write_tables(HERE, uids, districts, pop, capacity)
    z12.csv_file(HERE, "projects.csv", list(projects[0].keys()), [list(p.values()) for p in projects])


def write_toml(ger, sigma, index):
    """The 2012 origin's scenario with this origin's base year, paths, drift and data."""
    tp = z12.zz2020.toml_path
    text = open(os.path.join(HERE, "..", "zhengzhou-2012.toml"), encoding="utf-8").read()
    enrol = {s: tp({BASE_YEAR: round(g, 4)}) for s, g in ger.items()}
    priv = {s: {y: round(path_value(p, y), 4) for y in (BASE_YEAR, HORIZON)} for s, p in z12.PRIVATE_PATH.items()}
    priv_ranges = {s: {HORIZON: z12.RANGES[f"private_share.{s}"][HORIZON]} for s in ("primary", "junior")}
    lines = {
        "name": 'name = "Zhengzhou back-test 2016-2020"',
        "base_year": f"base_year = {BASE_YEAR}",
        "seed": f"seed = {BASE_YEAR}",
        "index": f"index = {tp(index)}",
        "trend": f'trend = {{ {BASE_YEAR} = 1.0, {HORIZON} = {{ dist = "uniform", low = 0.85, high = 1.15, draw = "trend" }} }}',
    }
    for key, line in lines.items():
        text = re.sub(rf"^{key} = .*$", line, text, count=1, flags=re.M)
    sections = text.split("\n[")
    for i, sec in enumerate(sections):
        head = sec.split("]", 1)[0]
        if head == "enrolment":
            sections[i] = "enrolment]    # gross enrolment ratio against the modelled cohort, base year computed\n" + \
                "\n".join(f"{s} = {enrol[s]}" for s in z12.STAGES) + "\n"
        elif head == "private_share":
            sections[i] = "private_share]\n" + "\n".join(f"{s} = {tp(priv[s], priv_ranges.get(s))}" for s in z12.STAGES) + "\n"
        elif head == "drift.enrolment":
            sections[i] = ("drift.enrolment]    # random walks on the log enrolment ratio from 2016, sigma from the "
                           "2012 origin's residuals (SOURCES.md)\n"
                           + z12.zz2020.drift_lines({s: {"sigma": sigma} for s in z12.STAGES}) + "\n")
    text = "\n[".join(sections)
    text = text.replace('[births]       # school-year cohorts relative to 2011/12', '[births]       # school-year cohorts relative to 2015/16')
    text = text.replace("zhengzhou-2012/", "zhengzhou-2016/")
    text = re.sub(r"\A(#.*\n)+", HEADER, text)
    with open(os.path.join(HERE, "..", "zhengzhou-2016.toml"), "w", encoding="utf-8") as f:
        f.write(text)


HEADER = """# Zhengzhou back-test origin 2016: the city as known in autumn 2016, projected to 2020. One origin
# of the rolling back-test (README, "The Zhengzhou rolling-origin back-test"). Generated by
# zhengzhou-2016/derive.py from the 2012 origin; every value is explained in zhengzhou-2016/SOURCES.md.
"""

if __name__ == "__main__":
    main()
