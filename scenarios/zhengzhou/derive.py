#!/usr/bin/env python3
"""Derive the Zhengzhou default scenario from public figures (Python 3 standard library only).

    python3 scenarios/zhengzhou/derive.py

reads `census_2020_districts.csv` beside this file (a copy of the shared 7th-census extract) and
writes, beside this file, districts.csv, population.csv, capacity.csv, projects.csv,
projects-none.csv, and ../zhengzhou.toml. Re-running it reproduces them byte for byte.

Every number below carries a tag: [V] it is in a cited public source, [D] arithmetic on [V]
numbers, [E] an estimate. SOURCES.md gives the citation or the reasoning for each one.
`check_base_year.py` checks the written files against the 2020 bulletin independently.
"""
import csv
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CENSUS = os.path.join(HERE, "census_2020_districts.csv")

BASE_YEAR = 2020
HORIZON = 2035
A_MAX = 17
STAGES = {  # ages inclusive, standard class size [V: GB 50099-2011; 《幼儿园工作规程》 mixed class 30]
    "kindergarten": (3, 5, 30),
    "primary": (6, 11, 45),
    "junior": (12, 14, 50),
    "senior": (15, 17, 50),
}

# ----------------------------------------------------------------------------------------------
# Units. (id, census code, Chinese name, romanised label, map adcode, map kind, urban core?)
# Map: the zone centres (郑东 CBD ~113.73E 34.77N; 经开 ~113.76E 34.71N; 高新 ~113.55E 34.82N;
# 航空港 ~113.84E 34.53N) fall inside 金水 410105, 管城 410104, 中原 410102 and 新郑 410184
# polygons of districts.geojson (point-in-polygon test, see SOURCES.md) [E: approximate centres].
UNITS = [
    ("zhongyuan", "410102", "中原区", "Zhongyuan", "410102", "polygon", True),
    ("erqi", "410103", "二七区", "Erqi", "410103", "polygon", True),
    ("guancheng", "410104", "管城回族区", "Guancheng", "410104", "polygon", True),
    ("jinshui", "410105", "金水区", "Jinshui", "410105", "polygon", True),
    ("shangjie", "410106", "上街区", "Shangjie", "410106", "polygon", False),
    ("huiji", "410108", "惠济区", "Huiji", "410108", "polygon", True),
    ("zhongmu", "410122", "中牟县", "Zhongmu", "410122", "polygon", False),
    ("jingkai", "410171", "郑州经济技术开发区", "Jingkai", "410104", "point", True),
    ("gaoxin", "410172", "郑州高新技术产业开发区", "Gaoxin", "410102", "point", True),
    ("hangkonggang", "410173", "郑州航空港经济综合实验区", "Hangkonggang", "410184", "point", True),
    ("gongyi", "410181", "巩义市", "Gongyi", "410181", "polygon", False),
    ("xingyang", "410182", "荥阳市", "Xingyang", "410182", "polygon", False),
    ("xinmi", "410183", "新密市", "Xinmi", "410183", "polygon", False),
    ("xinzheng", "410184", "新郑市", "Xinzheng", "410184", "polygon", False),
    ("dengfeng", "410185", "登封市", "Dengfeng", "410185", "polygon", False),
    ("zhengdong", None, "郑东新区", "Zhengdong", "410105", "point", True),
]
# 郑东新区 is split out of the census row 410105 by the 2019 sample-survey populations
# 金水 133.3万 / 郑东 74.1万 [V: tjj.zhengzhou.gov.cn/tjgb/4430813.jhtml]; same age structure [E].
ZHENGDONG_SHARE = 74.1 / (133.3 + 74.1)  # [D]

# Migrant (随迁子女) share of compulsory-age children (ages 6-14) in the base year.
# Urban core: 38% [V: plan l.46 "市内各区 ... 随迁子女在校生人数占比达到38%"]. Counties [E].
MIGRANT_SHARE_CORE = 0.38
MIGRANT_SHARE_OTHER = {  # [E] see SOURCES.md
    "zhongmu": 0.25, "xinzheng": 0.25, "xingyang": 0.20, "shangjie": 0.15,
    "gongyi": 0.10, "xinmi": 0.10, "dengfeng": 0.10,
}

# ----------------------------------------------------------------------------------------------
# 2020 education bulletin, city totals [V: 2020年郑州市教育事业发展统计公报, 郑州日报 2021-04-19]
PUPILS_2020 = {"kindergarten": 438680, "primary": 1003648, "junior": 448644, "senior": 213766}
SCHOOLS_2020 = {"kindergarten": 1848, "primary": 966, "junior": 393, "senior": 131}
AVG_CLASS_2020 = {"primary": 45.85, "junior": 48.93, "senior": 50.99}
PUBLIC_KG_SCHOOLS = 472  # [V: plan l.15]
# Private shares of pupils, 2020
PRIVATE_2020 = {
    "kindergarten": 1 - 0.3584,  # [V: plan l.59/l.103 public 35.84%]
    "primary": 0.15,             # [E] see SOURCES.md
    "junior": 0.25,              # [E]
    "senior": 1 - 0.5725,        # [V: plan l.60 57.25%, used as pupil share]
}
PRIVATE_PATH = {
    "kindergarten": {2020: PRIVATE_2020["kindergarten"], 2025: 0.49},  # [V] public >50% by 2025
    "primary": {2020: PRIVATE_2020["primary"], 2022: 0.05},            # [V] <=5% from autumn 2022
    "junior": {2020: PRIVATE_2020["junior"], 2022: 0.05},
    "senior": {2020: PRIVATE_2020["senior"], 2021: PRIVATE_2020["senior"], 2023: 0.30},  # [V] 70% once the 16 open (2022-23)
}
# Gross-enrolment paths: base-year ratios are computed (bulletin pupils / census-based cohort);
# kindergarten and senior rise by the plan's 95% -> 96% (l.92-115) in relative terms by 2025.
GER_RISE_2025 = {"kindergarten": 96 / 95, "senior": 96 / 95}

# ----------------------------------------------------------------------------------------------
# Births (万). Calendar years. [V] 2018, 2020-2023; [E] the rest (see SOURCES.md).
BIRTHS = {2016: 12.0, 2017: 12.3, 2018: 12.5, 2019: 12.15, 2020: 11.8, 2021: 10.9, 2022: 9.8, 2023: 9.8}
BIRTH_DECLINE_AFTER_2023 = 0.015  # [E] per year, central path
BIRTH_DECLINE_LOW = 0.04          # [E] per year, low-births what-if

# Cohort-growth (net in-migration) guide, fitted to the census below.
YOUNG_GAIN_WEIGHTS = [0.40, 0.27, 0.15, 0.10, 0.08]  # [E] share of the young-age gain reached at ages 1..5
SCHOOL_AGE_GROWTH = 1.1201 ** (1 / 9) - 1            # [D] from 九年义务教育巩固率 112.01% (plan l.107)

SURVIVAL = [0.9975, 0.9994, 0.9996, 0.9997, 0.9997, 0.9998, 0.9998, 0.9998, 0.9998,
            0.9998, 0.9998, 0.9998, 0.9998, 0.9998, 0.9997, 0.9996, 0.9996, 0.9995]  # [E] from IMR 5.4‰, U5MR 7.5‰ [V]
MIGRANT_STAY = 0.7  # [E]
# Migration intensity relative to 2016-2020, the intensity the census age structure (and so
# `inflow`) reflects. 2021 and 2022 [D]: 0, the net migration of children that the published
# child population gives (0-14 at end-2021, P021A; 0-15 at end-2021 and end-2022, P022A;
# `child_population.py`), while the city as a whole still gained 7.7万 and 4.9万 residents
# (adults). From 2023 [E]: the city's total net migration held at its last observed level,
# 4.9 / 32.1 = 0.15 (POP22; a random walk's forecast), children arriving again in their
# 2016-2020 proportion to it; its uncertainty carried by DRIFT["trend"]. SOURCES.md [migration].
TREND = {2020: 1.0, 2021: 0.0, 2022: 0.0, 2023: 0.15}
# [E] The migration pressure the 14th plan's schools were placed by (projects.csv): the pipeline
# is the city's plan of 2021, so it is not re-placed by the migration seen after it was made.
PLAN_TREND = {2020: 1.0, 2021: 0.75, 2023: 0.7, 2030: 0.55, 2035: 0.45}

# ----------------------------------------------------------------------------------------------
# Construction
COMPULSORY_SCHOOLS = {"primary": 104, "junior": 46}  # [D] 150 schools (plan l.167) split as 13th-plan seats 192k:84k (l.16)
SCHOOLS_PER_YEAR = {  # 2021: 30 schools opened [V: 2022 government work report]; then 30 a year [E]
    "primary": {2021: 21, 2022: 21, 2023: 21, 2024: 21, 2025: 20},
    "junior": {2021: 9, 2022: 9, 2023: 9, 2024: 9, 2025: 10},
}
NEW_CLASSES = {"primary": 36, "junior": 30}       # [E] Zhengzhou modules 24/30/36/48; junior 18-30
EXPANSION_CLASSES = {"primary": 18, "junior": 18}  # [E]
OLD_CORE = {"zhongyuan", "erqi", "guancheng", "jinshui"}  # [E] land-scarce old city: every 2nd school from 2022 an expansion
CONVERSION_FRACTION = 0.7  # [E] share of the private classes cut by 2022 that become public (转公/购买学位)
KG_2021_COUNT = 237        # [V] public kindergartens put into use in 2021 (2022 government work report)
KG_CLASSES = 9             # [E] within the 6-12 class module; 2024: 170,000 children in 633 public KGs [V]
# Public KGs announced on 2022-08-27 (SS22): 76 opened in 2022 with 20,880 seats (9 classes of 30
# each [D]) [V]; 48 more in the next three years with 1.72万 seats (12 classes each [D]), spread
# evenly over 2023-2025 [E].
KG_ANNOUNCED = {2022: (76, 9), 2023: (16, 12), 2024: (16, 12), 2025: (16, 12)}
DELAY_DONE = (1.0, 0.0, 0.0, 0.0)      # projects of 2021, reported as opened [V]
DELAY_CONVERSION = (0.9, 0.1, 0.0, 0.0)  # [E] administrative, not construction

# The 16 general senior high schools (plan l.200, l.210): 10 to open in autumn 2022 and the
# 2022 construction batch in autumn 2023 [V: 郑州日报 2022-07-05; 2021-05-21].
SENIOR_NEW = [
    # id, name, district, classes, year, status
    ("sh-05-new", "郑州市第五高级中学新校区", "guancheng", 48, 2022, "planned"),
    ("sh-16-new", "郑州市第十六高级中学新校区", "xingyang", 60, 2022, "planned"),
    ("sh-31-new", "郑州市第三十一高级中学新校区", "jinshui", 57, 2022, "planned"),
    ("sh-41", "郑州市第四十一高级中学", "zhongmu", 60, 2022, "planned"),
    ("sh-44-new", "郑州市第四十四高级中学新校区", "xinzheng", 48, 2022, "planned"),
    ("sh-56", "郑州市第五十六高级中学", "zhongmu", 66, 2022, "planned"),
    ("sh-102-new", "郑州市第一〇二高级中学新校区", "erqi", 48, 2022, "planned"),
    ("sh-103-new", "郑州市第一〇三高级中学新校区", "erqi", 45, 2022, "planned"),
    ("sh-107-new", "郑州市第一〇七高级中学新校区", "erqi", 48, 2022, "planned"),
    ("sh-2022-e10", "tenth 2022 municipal senior high (not named in sources found)", "gaoxin", 48, 2022, "estimated"),
    ("sh-32", "郑州市第三十二高级中学", "erqi", 57, 2023, "planned"),
    ("sh-67", "郑州市第六十七高级中学 (原郑州市高级中学)", "xinzheng", 60, 2023, "planned"),
    ("sh-47-east", "郑州市第四十七中学高中部东校区", "zhengdong", 60, 2023, "estimated"),
    ("sh-2023-e4", "2023 municipal senior high (not named in sources found)", "jingkai", 48, 2023, "estimated"),
    ("sh-2023-e5", "2023 municipal senior high (not named in sources found)", "huiji", 48, 2023, "estimated"),
    ("sh-2023-e6", "2023 municipal senior high (not named in sources found)", "hangkonggang", 48, 2023, "estimated"),
]
SENIOR_NET_CLASSES = 676  # [V] plan l.200
# SS22 (2022-08-27): 14 senior highs (10 municipal, 4 county) with 3.7万 seats to open in the
# next three years [V]; the six of 2023 above are taken as six of them, the other eight open
# 2024-2025 with the remaining 20,950 seats, 52 classes each [D/E]. City catchment: the
# district is for display only [E].
SENIOR_ANNOUNCED = [
    ("sh-2024-a1", "jingkai", 2024), ("sh-2024-a2", "gaoxin", 2024),
    ("sh-2024-c1", "zhongmu", 2024), ("sh-2024-c2", "xinzheng", 2024),
    ("sh-2025-a3", "zhengdong", 2025), ("sh-2025-a4", "huiji", 2025),
    ("sh-2025-c3", "xingyang", 2025), ("sh-2025-c4", "xinmi", 2025),
]
SENIOR_ANNOUNCED_CLASSES = 52
# Old campuses whose senior sections move out (the three-year plan relocates 9 high schools,
# 郑州日报 2021-05-21 [V]); their sites become compulsory schools (plan l.167). Classes [E].
SENIOR_RELOCATED = [  # (new-campus project id, district of the old campus [E])
    ("sh-05-new", "guancheng"), ("sh-16-new", "erqi"), ("sh-31-new", "jinshui"),
    ("sh-44-new", "jinshui"), ("sh-102-new", "erqi"), ("sh-103-new", "zhongyuan"),
    ("sh-107-new", "erqi"), ("sh-47-east", "jinshui"), ("sh-2023-e4", "zhongyuan"),
]


# ----------------------------------------------------------------------------------------------
# Ranges (DESIGN §2.6) for the estimates that matter. Each is centred on the value used above
# (a uniform's midpoint, a triangular's mode), so --deterministic and every derivation in this
# file are unchanged; a shared `draw` label makes a path's points move together. Reasoning and
# the back-test that sized them: SOURCES.md "Ranges and shock sizes".
def uniform(low, high, draw=None):
    return {"dist": "uniform", "low": low, "high": high, **({"draw": draw} if draw else {})}


def normal(mean, sd, draw=None):
    return {"dist": "normal", "mean": mean, "sd": sd, **({"draw": draw} if draw else {})}


def triangular(low, mode, high, draw=None):
    return {"dist": "triangular", "low": low, "mode": mode, "high": high, **({"draw": draw} if draw else {})}


# Popularity dispersion of compulsory schools, one κ for primary and junior [D]:
# `seatsim calibrate scenarios/zhengzhou.toml --stage primary,junior --large-class-share 0.0888`
# with the ranges below (the 2020 private-share range spreads the base year's class sizes).
DISPERSION_COMPULSORY = 52.9
# migrant_stay carries no range (SOURCES.md "Ranges"): the base year's senior enrolment ratio is
# B2020's pupils over the cohort built with 0.7, so another value in a trial would move a level
# the 2020 bulletin fixes; how the senior ratio moves is the enrolment drift's.
RANGES = {
    "private_share.kindergarten": {2025: uniform(0.42, 0.56)},
    "private_share.primary": {2020: triangular(0.08, 0.15, 0.22, "private-compulsory-2020")},
    "private_share.junior": {2020: triangular(0.18, 0.25, 0.32, "private-compulsory-2020")},
    "private_share.senior": {2023: uniform(0.25, 0.35)},
    # The child population's surveys give 0 for 2021-22, each with a sampling sd of about half a
    # unit of trend (1.9% of the 0-14 level at 1 per mille, SRS); the end-2021 survey measures the
    # 2021 flow, the end-2022 one the two years' total. Given both, with trend >= 0 (the format has
    # no outflow of children), the total is 0.56 +- 0.30; two independent half-normals of sd 0.35
    # (central value 0) carry that mean and sd. SOURCES.md [migration].
    "migration.trend": {2021: normal(0.0, 0.35), 2022: normal(0.0, 0.35)},
}
# [drift] (README): random walks on the log enrolment ratio of every stage from the base year and
# on the migration trend itself (its level, floored at 0) from its last observed year, sigma per
# year [D], SOURCES.md "Drift": the sd of the yearly changes of net migration 2016-2022 / 32.1.
DRIFT = {
    "enrolment": {s: {"sigma": 0.016} for s in STAGES},
    "trend": {"sigma": 0.128, "from": 2022, "scale": "level"},
}
SHOCKS = {  # [E] / calibrated, see SOURCES.md
    "migration": {"sigma_city": 0.15, "rho_city": 0.8},
    "construction.delay": {"correlation": 0.3},
}


def births_ranges(index):
    """Births after the last registered year: from flat (0% a year) to as far below the central
    1.5% decline as flat is above it (about 3% a year), one draw for the whole path."""
    last = max(BIRTHS)
    top = index[last]
    return {y: uniform(round(2 * v - top, 4), top, "births") for y, v in index.items() if y > last}


# ==============================================================================================
def path_value(path, year):
    """Piecewise-linear path, constant beyond its ends (DESIGN §2.1)."""
    ys = sorted(path)
    if year <= ys[0]:
        return path[ys[0]]
    if year >= ys[-1]:
        return path[ys[-1]]
    for y0, y1 in zip(ys, ys[1:]):
        if y0 <= year <= y1:
            return path[y0] + (path[y1] - path[y0]) * (year - y0) / (y1 - y0)
    raise AssertionError


def largest_remainder(total, weights):
    """Integers proportional to weights, summing to total."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(math.floor(x)) for x in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:rest]:
        out[i] += 1
    return out


def bisect(f, lo, hi, n=200):
    flo = f(lo)
    for _ in range(n):
        mid = (lo + hi) / 2
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


# ----------------------------------------------------------------------------------------------
def read_census():
    rows = {r["code"]: r for r in csv.DictReader(open(CENSUS, encoding="utf-8"))}
    bands = {}
    for uid, code, *_ in UNITS:
        src = rows[code if code else "410105"]
        b = {k: float(src[k]) for k in ("population", "age_0", "age_1_4", "age_5_9", "age_10_14")}
        b["urban_share"] = float(src["urban_share"])
        if uid == "zhengdong":
            b = {k: (v * ZHENGDONG_SHARE if k != "urban_share" else v) for k, v in b.items()}
        elif uid == "jinshui":
            b = {k: (v * (1 - ZHENGDONG_SHARE) if k != "urban_share" else v) for k, v in b.items()}
        bands[uid] = b
    # 登封: the 10-14 band (96,491) is inflated by boarding pupils of the private martial-arts
    # schools. Replace it by its 5-9 band times the mean 10-14/5-9 ratio of the five other
    # counties [E]; the excess is left out of the modelled population.
    others = ["gongyi", "xingyang", "xinmi", "xinzheng", "zhongmu"]
    ratio = sum(bands[u]["age_10_14"] / bands[u]["age_5_9"] for u in others) / len(others)
    df = bands["dengfeng"]
    expected = df["age_5_9"] * ratio
    excess = df["age_10_14"] - expected
    df["age_10_14"] = expected
    return bands, {"dengfeng_ratio": ratio, "dengfeng_excess_10_14": excess}


def births_calendar(year, decline=BIRTH_DECLINE_AFTER_2023, pre2016_growth=None):
    if year in BIRTHS:
        return BIRTHS[year]
    if year > 2023:
        return BIRTHS[2023] * (1 - decline) ** (year - 2023)
    return BIRTHS[2016] * (1 + pre2016_growth) ** -(2016 - year)


def guide(G, g_b):
    """g(a) = births of the cohort aged a on 1 Nov 2020 x its cumulative net-migration factor M(a)."""
    M = [1.0]
    for a in range(1, 6):
        M.append(M[-1] + G * YOUNG_GAIN_WEIGHTS[a - 1])
    for a in range(6, 21):
        M.append(M[-1] * (1 + SCHOOL_AGE_GROWTH))
    g = [births_calendar(BASE_YEAR - a, pre2016_growth=g_b) * M[a] for a in range(21)]
    return g, M


def fit_guide(bands):
    tot = {k: sum(b[k] for b in bands.values()) for k in ("age_0", "age_1_4", "age_5_9", "age_10_14")}
    t_young = tot["age_1_4"] / 4 / tot["age_0"]
    t_old = tot["age_10_14"] / tot["age_5_9"]
    G, g_b = 0.5, 0.04
    for _ in range(50):
        G = bisect(lambda x: sum(guide(x, g_b)[0][1:5]) / 4 / guide(x, g_b)[0][0] - t_young, 0.0, 3.0)
        g_b = bisect(lambda x: sum(guide(G, x)[0][10:15]) / sum(guide(G, x)[0][5:10]) - t_old, -0.2, 0.3)
    g, M = guide(G, g_b)
    check_mid = sum(g[5:10]) / 5 / g[0]
    return G, g_b, g, M, {"t_young": t_young, "t_old": t_old,
                          "t_mid": tot["age_5_9"] / 5 / tot["age_0"], "fit_mid": check_mid}


def single_years(bands, g):
    """Census (1 Nov) single-year counts, ages 0..18, band totals preserved."""
    out = {}
    spans = [("age_0", 0, 0), ("age_1_4", 1, 4), ("age_5_9", 5, 9), ("age_10_14", 10, 14)]
    for uid, b in bands.items():
        c = [0.0] * 19
        for key, a0, a1 in spans:
            s = sum(g[a0:a1 + 1])
            for a in range(a0, a1 + 1):
                c[a] = b[key] * g[a] / s
        for a in range(15, 19):  # no district 15-19 data free of students: extend the guide
            c[a] = c[14] * g[a] / g[14]
        out[uid] = c
    return out


def to_september(c):
    """Ages completed on 1 Sept from ages completed on 1 Nov (births spread evenly over the year)."""
    return [(10 / 12) * c[a] + (2 / 12) * c[a + 1] for a in range(A_MAX + 1)]


def split_migrants(census_single, M):
    shape = [1 - 1 / M[a] for a in range(19)]
    pop = {}
    for uid, *_rest in UNITS:
        core = _rest[-1]
        target = MIGRANT_SHARE_CORE if core else MIGRANT_SHARE_OTHER[uid]
        c = census_single[uid]

        def share_6_14(k):
            mig = to_september([c[a] * min(0.95, k * shape[a]) for a in range(19)])
            tot = to_september(c)
            return sum(mig[6:15]) / sum(tot[6:15])

        k = bisect(lambda x: share_6_14(x) - target, 0.0, 5.0)
        mig = to_september([c[a] * min(0.95, k * shape[a]) for a in range(19)])
        tot = to_september(c)
        loc = [tot[a] - mig[a] for a in range(A_MAX + 1)]
        for a in range(15, A_MAX + 1):  # senior-high return, as in the model (DESIGN §2.1 step 2)
            mig[a] *= MIGRANT_STAY
        pop[uid] = (loc, mig)
    return pop


def stage_sum(pop, uid, stage, which=(0, 1)):
    a0, a1, _ = STAGES[stage]
    return sum(pop[uid][o][a] for o in which for a in range(a0, a1 + 1))


# ----------------------------------------------------------------------------------------------
def school_year_births(year, decline=BIRTH_DECLINE_AFTER_2023):
    """Children aged 0 on 1 Sept `year`: born Sept year-1 .. Aug year."""
    return births_calendar(year - 1, decline) / 3 + 2 * births_calendar(year, decline) / 3


def births_index(decline):
    base = school_year_births(BASE_YEAR)
    years = [2020, 2021, 2022, 2023, 2024, 2025, 2030, 2035]
    return {y: round(school_year_births(y, decline) / base, 4) for y in years}


def project(pop, districts, enrol, private, projects, index, trend, profile, years):
    """Deterministic projection exactly as DESIGN §2.1-2.2 (all shocks 0). Returns
    demand[(uid, stage, year)] and classes[(uid, stage, year)]."""
    P = {u: ([x for x in pop[u][0]], [x for x in pop[u][1]]) for u in pop}
    psum = sum(profile)
    prof = [p / psum for p in profile]
    demand, enrolled = {}, {}

    def record(t):
        for u in P:
            for s, (a0, a1, _) in STAGES.items():
                e = sum(P[u][o][a] for o in (0, 1) for a in range(a0, a1 + 1)) * path_value(enrol[s], t)
                enrolled[(u, s, t)] = e
                demand[(u, s, t)] = e * (1 - path_value(private[s], t))

    record(BASE_YEAR)
    for t in range(BASE_YEAR + 1, years[-1] + 1):
        tr = path_value(trend, t)
        for u in P:
            d = districts[u]
            new = []
            for o in (0, 1):
                old = P[u][o]
                q = [0.0] * (A_MAX + 1)
                for a in range(1, A_MAX + 1):
                    q[a] = old[a - 1] * SURVIVAL[a - 1]
                if o == 1:
                    q[STAGES["senior"][0]] *= MIGRANT_STAY
                if o == 0:
                    q[0] = d["births_base"] * path_value(index, t)
                rate = d["rate_local"] if o == 0 else d["rate_migrant"]
                p = [max(0.0, q[a] * (1 + rate * tr)) for a in range(A_MAX + 1)]
                if o == 1:
                    p = [p[a] + d["inflow"] * tr * prof[a] for a in range(A_MAX + 1)]
                new.append(p)
            P[u] = (new[0], new[1])
        record(t)
    return demand, enrolled


def classes_over_time(capacity, projects, years):
    cl = {}
    for (u, s), (_, c) in capacity.items():
        for t in years:
            cl[(u, s, t)] = c
    for p in projects:
        sign = -1 if p["kind"] == "closure" else 1
        for t in years:
            if p["planned_year"] <= t:
                cl[(p["district"], p["stage"], t)] += sign * p["classes"]
    return cl


# ==============================================================================================
def main():
    bands, notes = read_census()
    G, g_b, g, M, fit = fit_guide(bands)
    census_single = single_years(bands, g)
    pop = split_migrants(census_single, M)
    uids = [u[0] for u in UNITS]

    # ---- gross enrolment ratios, base year [D]
    ger0 = {s: PUPILS_2020[s] / sum(stage_sum(pop, u, s) for u in uids) for s in STAGES}
    enrol = {s: ({2020: round(ger0[s], 4), 2025: round(ger0[s] * GER_RISE_2025[s], 4)}
                 if s in GER_RISE_2025 else {2020: round(ger0[s], 4)}) for s in STAGES}
    private = PRIVATE_PATH

    # ---- migration [D/E]
    mig_6_14 = sum(sum(pop[u][1][6:15]) for u in uids)
    all_6_14 = sum(sum(pop[u][0][6:15]) + sum(pop[u][1][6:15]) for u in uids)
    city_mig_share = mig_6_14 / all_6_14
    rate_migrant = SCHOOL_AGE_GROWTH / city_mig_share
    b_ref = sum(BIRTHS[y] for y in (2016, 2017, 2018, 2019)) / 4 * 1e4
    profile_persons = [0.0] * (A_MAX + 1)
    for a in range(1, 6):
        stock = sum(pop[u][1][a] for u in uids)
        profile_persons[a] = max(0.0, G * YOUNG_GAIN_WEIGHTS[a - 1] * b_ref - rate_migrant * stock)
    inflow_total = sum(profile_persons)
    r0 = b_ref / (BIRTHS[2020] * 1e4)  # births 2016-19 relative to 2020
    gain = {u: max(0.0, bands[u]["age_1_4"] / 4 - r0 * bands[u]["age_0"]) for u in uids}
    gsum = sum(gain.values())
    births_base_city = school_year_births(BASE_YEAR) * 1e4
    age0_sum = sum(bands[u]["age_0"] for u in uids)
    districts = {}
    for uid, code, name, name_en, feat, kind, core in UNITS:
        districts[uid] = {
            "name": name, "name_en": name_en, "map_feature": feat, "map_kind": kind, "core": core,
            "births_base": births_base_city * bands[uid]["age_0"] / age0_sum,
            "rate_local": 0.0,
            "rate_migrant": rate_migrant,
            "inflow": inflow_total * gain[uid] / gsum,
        }
    profile = [round(x / inflow_total, 4) for x in profile_persons]

    # ---- capacity 2020 (public) [D/E]
    public_classes = {
        "kindergarten": round(PUPILS_2020["kindergarten"] * (1 - PRIVATE_2020["kindergarten"]) / 30),
        "primary": round(PUPILS_2020["primary"] / AVG_CLASS_2020["primary"] * (1 - PRIVATE_2020["primary"])),
        "junior": round(PUPILS_2020["junior"] / AVG_CLASS_2020["junior"] * (1 - PRIVATE_2020["junior"])),
        "senior": round(PUPILS_2020["senior"] / AVG_CLASS_2020["senior"] * (1 - PRIVATE_2020["senior"])),
    }
    public_schools = {
        "kindergarten": PUBLIC_KG_SCHOOLS,
        "primary": round(SCHOOLS_2020["primary"] * (1 - PRIVATE_2020["primary"])),
        "junior": round(SCHOOLS_2020["junior"] * (1 - PRIVATE_2020["junior"])),
        "senior": round(SCHOOLS_2020["senior"] * (1 - PRIVATE_2020["senior"])),
    }
    capacity = {}
    for s in STAGES:
        w = [stage_sum(pop, u, s) for u in uids]
        cls = largest_remainder(public_classes[s], w)
        sw = [c * (2 - bands[u]["urban_share"]) for c, u in zip(cls, uids)]
        sch = largest_remainder(public_schools[s], sw)
        for u, c, n in zip(uids, cls, sch):
            n = max(1, min(n, c)) if c > 0 else 0
            capacity[(u, s)] = (n, c)
        # re-balance the school total after the clamps
        diff = public_schools[s] - sum(capacity[(u, s)][0] for u in uids)
        order = sorted(uids, key=lambda u: -capacity[(u, s)][1])
        i = 0
        while diff != 0:
            u = order[i % len(order)]
            n, c = capacity[(u, s)]
            if diff > 0 and n < c:
                capacity[(u, s)] = (n + 1, c)
                diff -= 1
            elif diff < 0 and n > 1:
                capacity[(u, s)] = (n - 1, c)
                diff += 1
            i += 1

    index = births_index(BIRTH_DECLINE_AFTER_2023)
    years = list(range(BASE_YEAR, HORIZON + 1))

    # ---- projects ------------------------------------------------------------------------
    projects = []

    def add(pid, name, uid, stage, kind, classes, year, status, delay=None):
        projects.append({"id": pid, "name": name, "district": uid, "stage": stage, "kind": kind,
                         "classes": int(classes), "planned_year": year, "status": status,
                         "delay": delay})

    # (a) private compulsory schools turned public (转公) to reach <=5% by autumn 2022 [E]
    for s in ("primary", "junior"):
        drop = PRIVATE_2020[s] - path_value(PRIVATE_PATH[s], 2022)
        for u in uids:
            enrolled = stage_sum(pop, u, s) * ger0[s]
            conv = CONVERSION_FRACTION * drop * enrolled / AVG_CLASS_2020[s]
            c21 = int(round(conv / 2))
            c22 = int(round(conv)) - c21
            for yr, c in ((2021, c21), (2022, c22)):
                if c >= 1:
                    add(f"conv-{s[:3]}-{yr}-{u}", f"private {s} schools turned public (转公) in {yr}",
                        u, s, "expansion", c, yr, "estimated", DELAY_CONVERSION)

    # (b) the 150 new / expanded primary and junior schools, placed where the deterministic
    # projection (with the conversions, without new schools) leaves most classes unmet.
    base_demand, _ = project(pop, districts, enrol, private, [], index, PLAN_TREND, profile, years)
    for s in ("primary", "junior"):
        size = STAGES[s][2]
        cl = classes_over_time(capacity, [p for p in projects if p["stage"] == s], years)

        def unmet(u, t):
            return base_demand[(u, s, t)] / size - cl[(u, s, t)]

        assigned = {u: 0 for u in uids}
        counter = {u: 0 for u in uids}
        for yr, n in sorted(SCHOOLS_PER_YEAR[s].items()):
            for _ in range(n):
                horizon_t = min(yr + 1, 2026)
                u = max(uids, key=lambda x: (unmet(x, horizon_t) - assigned[x], unmet(x, 2026) - assigned[x], x))
                remaining = unmet(u, 2026) - assigned[u]
                kind = "new" if remaining >= 0.75 * NEW_CLASSES[s] else "expansion"
                if yr > 2021 and u in OLD_CORE and counter[u] % 2 == 1:
                    kind = "expansion"
                c = NEW_CLASSES[s] if kind == "new" else EXPANSION_CLASSES[s]
                counter[u] += 1
                label = {"primary": "primary school", "junior": "junior middle school"}[s]
                add(f"{s[:3]}-{yr}-{u}-{counter[u]:02d}",
                    f"{'new' if kind == 'new' else 'expanded'} {label} (placed by pressure)",
                    u, s, kind, c, yr, "estimated", DELAY_DONE if yr == 2021 else None)
                assigned[u] += c

    # (c) 16 general senior highs (+676 classes net) and the old campuses they leave
    for pid, name, u, c, yr, status in SENIOR_NEW:
        add(pid, name, u, "senior", "new", c, yr, status)
    for pid, u, yr in SENIOR_ANNOUNCED:
        add(pid, "senior high announced in 2022 for 2023-2025 (not named)", u, "senior", "new",
            SENIOR_ANNOUNCED_CLASSES, yr, "estimated")
    gross = sum(x[3] for x in SENIOR_NEW)
    closures = largest_remainder(gross - SENIOR_NET_CLASSES, [1] * len(SENIOR_RELOCATED))
    year_of = {x[0]: x[4] for x in SENIOR_NEW}
    name_of = {x[0]: x[1] for x in SENIOR_NEW}
    for (pid, old_u), c in zip(SENIOR_RELOCATED, closures):
        add(pid.replace("-new", "") + "-old", f"senior section leaves old campus ({name_of[pid]})",
            old_u, "senior", "closure", c, year_of[pid], "estimated")

    # (d) public kindergartens: 237 opened in 2021 [V count], then top-ups where 2025 needs them
    s, size = "kindergarten", 30
    cl = classes_over_time(capacity, [], years)

    def kg_need(u, t, extra):
        return base_demand[(u, s, t)] / size - cl[(u, s, t)] - extra

    extra = {u: 0 for u in uids}
    counter = {u: 0 for u in uids}
    for _ in range(KG_2021_COUNT):
        u = max(uids, key=lambda x: (kg_need(x, 2021, extra[x]) / max(cl[(x, s, 2020)], 1), x))
        extra[u] += KG_CLASSES
        counter[u] += 1
        add(f"kg-2021-{u}-{counter[u]:03d}", "public kindergarten put into use (new or handed-over estate kindergarten)",
            u, s, "new", KG_CLASSES, 2021, "estimated", DELAY_DONE)
    for yr, (count, classes) in KG_ANNOUNCED.items():
        for _ in range(count):
            u = max(uids, key=lambda x: (kg_need(x, yr, extra[x]) / max(cl[(x, s, 2020)], 1), x))
            extra[u] += classes
            counter[u] += 1
            add(f"kg-{yr}-{u}-{counter[u]:03d}", "public kindergarten announced (new or handed-over estate kindergarten)",
                u, s, "new", classes, yr, "estimated")

    # ---- write --------------------------------------------------------------------------
    def fmt(x, nd=1):
        return f"{x:.{nd}f}"

    with open(os.path.join(HERE, "districts.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "name_en", "births_base", "rate_local", "rate_migrant", "inflow",
                    "map_feature", "map_kind"])
        for u in uids:
            d = districts[u]
            w.writerow([u, d["name"], d["name_en"], fmt(d["births_base"]), fmt(d["rate_local"], 4),
                        fmt(d["rate_migrant"], 4), fmt(d["inflow"]), d["map_feature"], d["map_kind"]])
    with open(os.path.join(HERE, "population.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["district", "age", "local", "migrant"])
        for u in uids:
            for a in range(A_MAX + 1):
                w.writerow([u, a, fmt(pop[u][0][a]), fmt(pop[u][1][a])])
    with open(os.path.join(HERE, "capacity.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["district", "stage", "schools", "classes"])
        for u in uids:
            for s in STAGES:
                n, c = capacity[(u, s)]
                w.writerow([u, s, n, c])
    header = ["id", "name", "district", "stage", "kind", "classes", "planned_year", "status",
              "on_time", "one_year", "two_years", "never"]
    with open(os.path.join(HERE, "projects.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for p in projects:
            dl = ["", "", "", ""] if p["delay"] is None else [fmt(x, 2) for x in p["delay"]]
            w.writerow([p["id"], p["name"], p["district"], p["stage"], p["kind"], p["classes"],
                        p["planned_year"], p["status"]] + dl)
    with open(os.path.join(HERE, "projects-none.csv"), "w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerow(header)

    write_toml(enrol, index, profile)

    # ---- report (numbers quoted in SOURCES.md) -------------------------------------------
    print(f"guide fit: young gain G = {G:.4f}, pre-2016 births growth = {g_b:.4f}/yr")
    print(f"  census targets: (1-4 avg)/age0 = {fit['t_young']:.4f}, (10-14)/(5-9) = {fit['t_old']:.4f}; "
          f"check (5-9 avg)/age0 census {fit['t_mid']:.4f} vs guide {fit['fit_mid']:.4f}")
    print("  M(a) =", [round(x, 3) for x in M[:19]])
    print(f"dengfeng: county 10-14/5-9 ratio {notes['dengfeng_ratio']:.4f}, excess removed "
          f"{notes['dengfeng_excess_10_14']:.0f}")
    print("GER 2020:", {s: round(v, 4) for s, v in ger0.items()})
    print(f"city migrant share 6-14 = {city_mig_share:.4f}; rate_migrant = {rate_migrant:.4f}; "
          f"inflow total = {inflow_total:.0f}/yr; profile = {profile}")
    print("births index:", index, " low:", births_index(BIRTH_DECLINE_LOW))
    print(f"births_base city (school-year 2019/20 cohort) = {births_base_city:.0f}")
    print("public classes:", public_classes, "public schools:", public_schools)
    kinds = {}
    for p in projects:
        k = (p["stage"], p["kind"], p["planned_year"])
        kinds[k] = kinds.get(k, [0, 0])
        kinds[k][0] += 1
        kinds[k][1] += p["classes"]
    for k in sorted(kinds):
        print("  projects", k, kinds[k])


def toml_value(v):
    """A number, or a distribution as an inline table."""
    if isinstance(v, dict):
        return "{ " + ", ".join(f'{k} = "{x}"' if isinstance(x, str) else f"{k} = {x}" for k, x in v.items()) + " }"
    return str(v)


def toml_path(d, ranges=None):
    """A path {year: value}, the years in `ranges` replaced by their distributions."""
    d = {**d, **(ranges or {})}
    if len(d) == 1:  # a constant: a plain number
        return toml_value(next(iter(d.values())))
    return "{ " + ", ".join(f"{y} = {toml_value(v)}" for y, v in sorted(d.items())) + " }"


def drift_lines(per_stage):
    return "\n".join(f"{s} = {toml_value(v)}" for s, v in per_stage.items())


def write_toml(enrol, index, profile):
    priv = {s: {y: round(v, 4) for y, v in p.items()} for s, p in PRIVATE_PATH.items()}
    text = f'''# Zhengzhou, 14th Five-Year Plan (2021-2025) and beyond: the default seatsim scenario.
# Generated by scenarios/zhengzhou/derive.py; every value is explained in zhengzhou/SOURCES.md.

[scenario]
name = "Zhengzhou 14th Five-Year Plan"
base_year = {BASE_YEAR}
horizon = {HORIZON}
trials = 10000
seed = 2021

# Ages are completed years on 1 September; class sizes are the national standards.
[stages.kindergarten]
ages = [3, 5]
class_size = 30
dispersion = 20.0        # first guess [E]; calibrate with `seatsim calibrate`
catchment = "district"
[stages.primary]
ages = [6, 11]
class_size = 45
dispersion = {DISPERSION_COMPULSORY}        # calibrated with junior: `seatsim calibrate … --stage primary,junior --large-class-share 0.0888`
admission_cap = 65       # no super-large class (66+): eliminated by end-2018 (see SOURCES.md)
surge = {{ extra_classes = 0.07 }}   # [E] classes added beyond the 2016-20 programme (SOURCES.md "Surge")
catchment = "district"
[stages.junior]
ages = [12, 14]
class_size = 50
dispersion = {DISPERSION_COMPULSORY}        # calibrated with primary (one κ for compulsory schools, see SOURCES.md)
admission_cap = 65
surge = {{ extra_classes = 0.18 }}   # [E] idem, junior
catchment = "district"
[stages.senior]
ages = [15, 17]
class_size = 50
dispersion = 150.0       # first guess [E]: admission by 中招 plan keeps classes even
catchment = "city"       # municipal senior highs admit city-wide (中招)

[standards]
large_class = 56         # 大班额
super_large_class = 66   # 超大班额
underuse_threshold = 0.7
large_class_target = 0.05        # 56+ classes "basically eliminated": under 5% by end-2020
super_large_class_target = 0.0   # 66+ classes eliminated by end-2018
shortfall_tolerance = 0.01       # [E] short by 1% of demand = 0.45 pupils a class over the standard

[enrolment]    # gross enrolment ratio against the census-based resident cohort (base year computed)
kindergarten = {toml_path(enrol["kindergarten"])}
primary = {toml_path(enrol["primary"])}
junior = {toml_path(enrol["junior"])}
senior = {toml_path(enrol["senior"])}   # general senior high only

[private_share]
kindergarten = {toml_path(priv["kindergarten"], RANGES["private_share.kindergarten"])}
primary = {toml_path(priv["primary"], RANGES["private_share.primary"])}
junior = {toml_path(priv["junior"], RANGES["private_share.junior"])}
senior = {toml_path(priv["senior"], RANGES["private_share.senior"])}

[births]       # school-year cohorts (born Sept..Aug) relative to 2019/20; 2021-2023 from registered births
index = {toml_path(index, births_ranges(index))}
sigma_city = 0.06
rho = 0.8
sigma_district = 0.04

[demography]
survival = {SURVIVAL}

[migration]
migrant_stay = {MIGRANT_STAY}
trend = {toml_path(TREND, RANGES["migration.trend"])}
age_profile = {profile}
sigma = 0.25
rho = 0.6
sigma_city = {SHOCKS["migration"]["sigma_city"]}
rho_city = {SHOCKS["migration"]["rho_city"]}

[drift]      # random walks, sigma per year, estimated on data up to 2022 (SOURCES.md "Drift"): the trend on its level
trend = {toml_value(DRIFT["trend"])}
[drift.enrolment]
{drift_lines(DRIFT["enrolment"])}

[construction.delay]
on_time = 0.6
one_year = 0.23
two_years = 0.1
never = 0.07
correlation = {SHOCKS["construction.delay"]["correlation"]}

[warnings.red]      # probabilities of events worse than the [standards] targets
p_shortfall = 0.5
p_large_classes = 0.5
p_super_large_classes = 0.5
p_underused = 0.9
[warnings.amber]
p_shortfall = 0.2
p_large_classes = 0.2
p_super_large_classes = 0.2
p_underused = 0.5

[teachers]     # pupils per full-time staff post: 中央编办 2014 urban norms; KG 2 teachers per class of 30
kindergarten = 15.0
primary = 19.0
junior = 13.5
senior = 12.5

# Capital cost of one seat, yuan: 166亿 for 27.6万 compulsory seats in 2016-20 (PLAN l.16) [D];
# expansions (no land) and the other stages [E], see SOURCES.md
[costs.kindergarten]
new = 45000
expansion = 34000
[costs.primary]
new = 60000
expansion = 45000
[costs.junior]
new = 60000
expansion = 45000
[costs.senior]
new = 80000
expansion = 60000

[data]
districts = "zhengzhou/districts.csv"
population = "zhengzhou/population.csv"
capacity = "zhengzhou/capacity.csv"
projects = "zhengzhou/projects.csv"
map = "zhengzhou/districts.geojson"
'''
    with open(os.path.join(HERE, "..", "zhengzhou.toml"), "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
