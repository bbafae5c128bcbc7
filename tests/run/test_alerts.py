"""Alerts on fulfilment: the detector's recursion, its calibration, escalation, pickling."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest

from gosplan.errors import InputError
from gosplan.run.alerts import DEFAULT_MODEL, DEFAULT_THRESHOLD, LEVELS, AlertState, alerts
from gosplan.run.changepoint import ChangepointModel

SEED = 20240611
CV = 0.04  # documented noise of the calibration series: 4 % of the level
N_SERIES, N_MONTHS, STEP_AT = 2000, 36, 24


def reference_recursion(zs, hazard, width, max_run, window, min_history):
    """Adams & MacKay's run-length recursion, one series, plain Python (see changepoint.py)."""
    p = [0.0] * max_run
    p[-1] = 1.0
    sums = [0.0] * max_run
    n_obs = 0
    level = math.nan
    out = []
    for z in zs:
        if math.isnan(z):
            out.append((math.nan, 0, level))
            continue
        growth = []
        for j in range(max_run):
            n = j + 1
            var = 1.0 + 1.0 / n
            dens = math.exp(-0.5 * (z - sums[j] / n) ** 2 / var) / math.sqrt(2 * math.pi * var)
            growth.append(p[j] * (1.0 - hazard) * dens)
        joint = [hazard / width * sum(p), *growth[:-1]]
        total = sum(joint)
        p = [q / total for q in joint]
        sums = [z] + [s + z for s in sums[:-1]]
        n_obs += 1
        level = sum(p[j] * sums[j] / (j + 1) for j in range(max_run))
        valid = [j for j in range(window) if j + 1 <= n_obs - min_history]
        prob = sum(p[j] for j in valid)
        run = max(valid, key=lambda j: p[j]) + 1 if valid else 0
        out.append((prob, run, level))
    return out


def test_vectorised_recursion_matches_reference():
    rng = np.random.default_rng(SEED)
    model = ChangepointModel(hazard=0.05, prior_width=8.0, max_run=8, window=3, min_history=2)
    n, t = 5, 30  # 30 reports > max_run: the truncation is exercised
    z = rng.standard_normal((n, t))
    z[1, 12:] += 3.0
    z[2, 5:] -= 6.0
    z[3, [4, 9, 10]] = np.nan
    state = model.start(n)
    got = np.empty((n, t, 3))
    for i in range(t):
        step = state.update(z[:, i])
        got[:, i] = np.column_stack([step.probability, step.run, step.level])
    for s in range(n):
        want = np.array(reference_recursion(z[s], 0.05, 8.0, 8, 3, 2))
        np.testing.assert_allclose(got[s], want, rtol=0, atol=1e-10, equal_nan=True)
    assert got[2, 6, 0] > 0.9  # the fall of series 2 is seen at once


def _synthetic(step=0.0):
    rng = np.random.default_rng(SEED)
    level = rng.uniform(0.8, 1.2, N_SERIES)  # invariance to the level
    values = level[:, None] * (1.0 + CV * rng.standard_normal((N_SERIES, N_MONTHS)))
    sign = np.where(np.arange(N_SERIES) % 2 == 0, -1.0, 1.0)
    values[:, STEP_AT:] += step * sign[:, None] * level[:, None]
    return values, sign


def _table(values):
    n, t = values.shape
    return pd.DataFrame(
        {
            "enterprise": np.repeat([f"e{i:04d}" for i in range(n)], t),
            "product": "steel",
            "period": np.tile(1930 + np.arange(t) // 12, n),
            "month": np.tile(1 + np.arange(t) % 12, n),
            "share": values.ravel(),
        }
    )


def _probabilities(values):
    ref = np.median(values[:, :3], axis=1)
    state = AlertState.start(ref, CV * ref)
    return np.column_stack([state.update(values[:, t]).probability for t in range(N_MONTHS)])


def test_in_control_false_alarms_at_most_one_percent():
    values, _ = _synthetic()
    flagged = (_probabilities(values) >= DEFAULT_THRESHOLD).mean()
    out = alerts(_table(values), cv=CV)
    raised = (out["reports"] == 0).sum() / values.size
    print(f"in control: {flagged:.4f} of series-months flagged, {raised:.4f} raise an alert")
    assert flagged <= 0.01 * 0.75  # margin
    assert raised <= flagged


def test_ten_percent_step_detected_within_three_reports():
    values, sign = _synthetic(step=0.10)
    out = alerts(_table(values), cv=CV)
    out["t"] = (out["period"] - 1930) * 12 + out["month"] - 1
    out["i"] = out["enterprise"].str[1:].astype(int)
    raised = out[(out["reports"] == 0) & (out["t"] >= STEP_AT)]
    first = raised.groupby("i")[["t", "direction"]].first()
    delay = pd.Series(np.full(N_SERIES, np.inf))
    ok = first["direction"].to_numpy() == np.where(sign[first.index] < 0, "fall", "rise")
    delay[first.index[ok]] = first["t"].to_numpy()[ok] - STEP_AT
    for name, rows in (("fall", sign < 0), ("rise", sign > 0)):
        d = delay[rows]
        rate = (d <= 3).mean()
        print(f"{name}: detected within 3 reports {rate:.3f}, mean delay {d[d <= 3].mean():.2f}")
        assert rate >= 0.91  # 90 % with margin


def _one(values):
    t = len(values)
    return pd.DataFrame(
        {
            "enterprise": "Kuznetsk",
            "product": "pig iron",
            "period": 1931,
            "month": np.arange(1, t + 1),
            "share": values,
        }
    )


def test_series_that_stays_down_escalates():
    rng = np.random.default_rng(1)
    values = 1.0 + 0.01 * rng.standard_normal(20)
    values[10:] -= 0.3
    out = alerts(_one(values))
    assert list(out["month"]) == list(range(11, 21))
    assert set(out["direction"]) == {"fall"}
    want = [LEVELS[0]] * 2 + [LEVELS[1]] * 2 + [LEVELS[2]] * 2 + [LEVELS[3]] * 4
    assert list(out["level"]) == want
    wider = alerts(_one(values), grace=(3, 1, 1))
    assert list(wider["level"]) == [LEVELS[0]] * 3 + [LEVELS[1], LEVELS[2]] + [LEVELS[3]] * 5


def test_series_that_recovers_does_not_escalate():
    rng = np.random.default_rng(2)
    values = 1.0 + 0.01 * rng.standard_normal(20)
    values[10:12] += 0.3
    out = alerts(_one(values))
    assert list(out["month"]) == [11, 12]
    assert set(out["level"]) == {"enterprise"}
    assert set(out["direction"]) == {"rise"}


def test_state_pickles_and_continues():
    values, _ = _synthetic(step=0.10)
    values = values[:50]
    ref = np.median(values[:, :3], axis=1)
    state = AlertState.start(ref, CV * ref)
    for t in range(20):
        state.update(values[:, t])
    copy = pickle.loads(pickle.dumps(state))
    for t in range(20, N_MONTHS):
        a, b = state.update(values[:, t]), copy.update(values[:, t])
        np.testing.assert_array_equal(a.probability, b.probability)
        np.testing.assert_array_equal(a.level, b.level)


def test_float32_state_agrees():
    values, _ = _synthetic(step=0.10)
    values = values[:200]
    ref = np.median(values[:, :3], axis=1)
    s64 = AlertState.start(ref, CV * ref)
    s32 = AlertState.start(ref, CV * ref, dtype=np.float32)
    for t in range(N_MONTHS):
        a, b = s64.update(values[:, t]), s32.update(values[:, t])
        np.testing.assert_allclose(a.probability, b.probability, atol=1e-3)


def test_missing_reports_and_pooled_share():
    table = _one(np.r_[np.ones(8), 0.6 * np.ones(6)])
    table = table.drop(index=[3]).assign(plan=2.0)
    table["actual"] = table["share"] * 2.0
    table = pd.concat([table, table.assign(plan=1.0, actual=table["share"])])
    out = alerts(table.drop(columns="share"), cv=0.02)
    assert out["month"].iloc[0] == 9
    assert np.allclose(out["value"], 0.6)
    assert DEFAULT_MODEL.window == 5


def test_no_alerts_gives_empty_table_with_columns():
    out = alerts(_one(np.ones(12)))
    assert out.empty
    assert list(out.columns) == [
        "enterprise",
        "product",
        "period",
        "month",
        "value",
        "probability",
        "direction",
        "level",
        "reports",
    ]


def test_bad_arguments():
    with pytest.raises(InputError, match="lacks the column"):
        alerts(_one(np.ones(5)), indicator="nonsense")
    with pytest.raises(ValueError):
        AlertState.start([1.0], [0.0])
