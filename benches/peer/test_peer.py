#!/usr/bin/env python3
"""Checks of the peer's own pieces against brute force (run by hand: python3 test_peer.py).

Not part of seatsim's CI (no test there depends on numpy)."""

import numpy as np

import seatsim_peer as peer


def brute_cap(c, w, D, cap):
    """Class sizes under an admission cap by bisection on λ, one catchment at a time."""
    C = c.sum()
    if D > cap * C:
        return cap + (D - cap * C) * w / (c * w).sum()
    lo, hi = 0.0, cap / w[c > 0].min() + D
    for _ in range(200):
        lam = (lo + hi) / 2
        if np.minimum(cap * c, lam * c * w).sum() < D:
            lo = lam
        else:
            hi = lam
    return np.minimum(cap, hi * w)


class Stub(peer.StageSupply):
    """A StageSupply with given segments and weights, bypassing the scenario."""

    def __init__(self, lens, w, cap):
        self.lens = np.array(lens)
        self.starts = np.concatenate([[0], np.cumsum(lens)[:-1]])
        self.seg_of = np.repeat(np.arange(len(lens)), lens)
        self.J = int(sum(lens))
        self.w = w
        self.st = {"cap": cap}


def test_water_fill():
    rng = np.random.default_rng(5)
    lens = [7, 1, 12, 3]
    T, cap = 400, 65.0
    w = rng.gamma(3.0, 1 / 3.0, (T, sum(lens)))
    c = rng.integers(0, 40, (T, sum(lens))).astype(float)
    c[:, 1] = np.where(rng.random(T) < 0.3, 0.0, c[:, 1])  # closed schools, an empty catchment
    C = peer.segsum(c, np.array([0, 7, 8, 20]), np.array(lens))
    demand = C * rng.uniform(20, 75, C.shape)  # below, near and over the cap everywhere
    st = Stub(lens, w, cap)
    m = st.class_sizes(c, demand)
    worst = 0.0
    for t in range(T):
        for g, (s, n) in enumerate(zip(st.starts, lens)):
            cs, ws = c[t, s:s + n], w[t, s:s + n]
            if cs.sum() == 0:
                continue
            ref = brute_cap(cs, ws, demand[t, g], cap)
            open_ = cs > 0
            worst = max(worst, np.abs(m[t, s:s + n][open_] - ref[open_]).max())
            assert abs((m[t, s:s + n] * cs).sum() - demand[t, g]) < 1e-7 * demand[t, g] + 1e-9
    assert worst < 1e-7, worst
    print(f"water_fill: {T} trials × {len(lens)} catchments agree with bisection (worst {worst:.1e})")


def test_ndtri():
    from statistics import NormalDist
    p = np.array([1e-12, 1e-6, 0.001, 0.02, 0.3, 0.5, 0.77, 0.98, 0.999999])
    ref = np.array([NormalDist().inv_cdf(x) for x in p])
    err = np.abs(peer.ndtri(p) - ref).max()
    assert err < 1e-8, err
    print(f"ndtri: worst error {err:.1e}")


def test_triangular():
    d = peer.Dist({"dist": "triangular", "low": 0.08, "mode": 0.15, "high": 0.22}, "x", 0, 1)
    x = d.sample(np.random.default_rng(1).random(400_000))
    mean = (0.08 + 0.15 + 0.22) / 3
    assert abs(x.mean() - mean) < 4 * x.std() / np.sqrt(x.size)
    print("triangular: mean within 4 SE")


if __name__ == "__main__":
    test_water_fill()
    test_ndtri()
    test_triangular()
