"""gosplan.run.ario against the real BoARIO (ARIOPsiModel) on pymrio's test MRIO.

Agreement is asked to 1e-6 relative on every record, with an absolute floor of 1e-12 times
the largest daily gross output (or the record's largest value if larger): values that are
differences of equal numbers (final demand not met at equilibrium) are rounding noise in both
programs.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pymrio
import pytest
import scipy.sparse as sp

from gosplan.errors import InputError
from gosplan.run.ario import CapitalShock, SparseMRIO, ario_simulate

STEPS = 365
RTOL = 1e-6
RECORDS = [
    "production_realised",
    "production_capacity",
    "final_demand",
    "intermediate_demand",
    "final_demand_unmet",
    "final_demand_undist",
    "productive_capital_to_recover",
    "value_added",
    "inputs_stocks",
    "limiting_inputs",
]
HIT = [(r, s) for r in ("reg2", "reg3") for s in ("manufactoring", "electricity", "mining")]


@pytest.fixture(scope="module")
def mrio():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pymrio.load_test().calc_all()


@pytest.fixture(scope="module")
def scale(mrio):
    return float(mrio.x.to_numpy().max()) / 365


@pytest.fixture(scope="module")
def boario():
    # boario (and progressbar2, which it imports without declaring it) is in the test extra:
    # a missing one fails here rather than skipping the cross-check
    import logging

    from boario.event import EventKapitalRecover
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    logging.getLogger("boario").setLevel(logging.ERROR)
    return ARIOPsiModel, Simulation, EventKapitalRecover


def run_boario(boario, mrio, shock: CapitalShock | None, **params):
    model_cls, sim_cls, event_cls = boario
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = model_cls(mrio, **params)
        sim = sim_cls(model, register_stocks=True, n_temporal_units_to_sim=STEPS)
        if shock is not None:
            capital = pd.Series(model.productive_capital, index=model.industries)
            keys = list(shock.share)
            impact = capital.loc[keys] * pd.Series(shock.share).loc[keys].to_numpy()
            event = event_cls._from_series(
                impact=impact,
                occurrence=shock.occurrence,
                duration=shock.duration,
                recovery_tau=shock.recovery_tau,
                recovery_function=shock.recovery_function,
                event_monetary_factor=model.monetary_factor,
            )
            sim.add_events([event])  # events_list= in the constructor fails in boario 0.7.2
        sim.loop()
    return sim


def worst_relative(ours: pd.DataFrame, theirs: pd.DataFrame, scale: float) -> float:
    a, b = ours.to_numpy(dtype=float), theirs.to_numpy(dtype=float)
    assert a.shape == b.shape
    finite = np.isfinite(b)
    np.testing.assert_array_equal(np.isfinite(a), finite)
    np.testing.assert_array_equal(a[~finite], b[~finite])
    d, s = np.abs(a[finite] - b[finite]), np.abs(b[finite])
    floor = 1e-12 * max(s.max(initial=0.0), scale)
    assert (d <= RTOL * s + floor).all(), f"max abs diff {d.max()}"
    big = s > 1e-9 * max(s.max(initial=0.0), scale)
    return float((d[big] / s[big]).max()) if big.any() else 0.0


CASES = {
    "linear, capacity only": (
        CapitalShock(occurrence=10, duration=5, recovery_tau=90, share=dict.fromkeys(HIT, 0.5)),
        {},
    ),
    "concave, inventories bind": (
        CapitalShock(
            occurrence=10,
            duration=20,
            recovery_tau=120,
            recovery_function="concave",
            share=dict.fromkeys(HIT, 0.8),
        ),
        {},
    ),
    "noalt orders, psi 0.9, convexe": (
        CapitalShock(
            occurrence=3,
            duration=20,
            recovery_tau=120,
            recovery_function="convexe",
            share=dict.fromkeys(HIT, 0.8),
        ),
        {"order_type": "noalt", "psi_param": 0.9, "inventory_restoration_tau": 30},
    ),
    "infinite trade inventories, 20 days": (
        CapitalShock(occurrence=50, duration=10, recovery_tau=200, share=dict.fromkeys(HIT, 0.7)),
        {"infinite_inventories_sect": ["trade"], "main_inv_dur": 20, "alpha_max": 1.1},
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_matches_boario_with_capital_shock(mrio, boario, scale, case):
    shock, params = CASES[case]
    sim = run_boario(boario, mrio, shock, **params)
    ours = ario_simulate(mrio, steps=STEPS, shocks=[shock], record_stocks=True, **params)
    assert not sim.has_crashed and not ours.crashed
    worst = {n: worst_relative(getattr(ours, n), getattr(sim, n), scale) for n in RECORDS}
    assert max(worst.values()) < RTOL, worst
    # the shock did bite: production fell well below its level before the shock
    prod = ours.production_realised.to_numpy()
    assert (prod.min(axis=0) < 0.9 * prod[0]).any()
    assert ours.final_demand_unmet.to_numpy().max() > 1.0


def test_binding_case_exercises_inventory_limits(mrio):
    shock, params = CASES["concave, inventories bind"]
    ours = ario_simulate(mrio, steps=STEPS, shocks=[shock], record_stocks=True, **params)
    assert ours.limiting is not None and ours.limiting.any(axis=1).sum() > 50


def test_no_shock_matches_boario_and_stays_at_equilibrium(mrio, boario, scale):
    sim = run_boario(boario, mrio, None)
    ours = ario_simulate(mrio, steps=STEPS, record_stocks=True)
    for name in RECORDS:
        worst_relative(getattr(ours, name), getattr(sim, name), scale)
    x0 = mrio.x.reindex(sorted(mrio.x.index)).to_numpy().reshape(-1) / 365
    prod = ours.production_realised.to_numpy()
    np.testing.assert_allclose(prod, np.tile(x0, (STEPS, 1)), rtol=1e-9, atol=0)
    assert ours.stocks is not None
    np.testing.assert_allclose(ours.stocks, np.tile(ours.stocks[0], (STEPS, 1)), rtol=1e-9)
    unmet = ours.final_demand_unmet.to_numpy()
    assert np.abs(unmet).max() <= 1e-9 * x0.max()


def test_inventories_never_negative_under_a_hard_shock(mrio):
    everything = {(r, s): 0.95 for r in ("reg1", "reg4") for s in mrio.get_sectors()}
    shock = CapitalShock(occurrence=1, duration=60, recovery_tau=200, share=everything)
    ours = ario_simulate(mrio, steps=STEPS, shocks=[shock], record_stocks=True, main_inv_dur=5)
    assert not ours.crashed and ours.steps_simulated == STEPS
    assert ours.stocks is not None and (ours.stocks >= 0).all()
    assert ours.limiting is not None and ours.limiting.any()
    assert (ours.inputs_stocks.to_numpy() >= 0).all()


def test_sparse_input_with_unsorted_labels_gives_the_same_run(mrio):
    shock, _ = CASES["linear, capacity only"]
    ref = ario_simulate(mrio, steps=60, shocks=[shock])
    # the same table as a SparseMRIO with regions and sectors listed in reverse order
    regions = list(reversed(sorted(mrio.get_regions())))
    sectors = list(reversed(sorted(mrio.get_sectors())))
    cats = list(reversed(sorted(mrio.get_Y_categories())))
    rows = pd.MultiIndex.from_product([regions, sectors])
    cols = pd.MultiIndex.from_product([regions, cats])
    table = SparseMRIO(
        regions=tuple(regions),
        sectors=tuple(sectors),
        categories=tuple(cats),
        Z=sp.csr_array(mrio.Z.reindex(index=rows, columns=rows).to_numpy()),
        Y=sp.csr_array(mrio.Y.reindex(index=rows, columns=cols).to_numpy()),
        x=mrio.x.reindex(rows).to_numpy().reshape(-1),
    )
    got = ario_simulate(table, steps=60, shocks=[shock])
    assert got.industries.equals(ref.industries)
    for name in ("production_realised", "final_demand_unmet"):
        a, b = getattr(got, name).to_numpy(), getattr(ref, name).to_numpy()
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(b).max())


def shock_with(**changes):
    base = {"occurrence": 5, "recovery_tau": 30, "regions": ["reg1"], "sectors": ["food"]}
    base["share"] = 0.5
    base.update(changes)
    return CapitalShock(**base)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "steps must be an integer >= 1"),
        ({"shocks": [shock_with(regions=["atlantis"])]}, "unknown region"),
        ({"shocks": [shock_with(sectors=["unobtainium"])]}, "unknown sector"),
        ({"shocks": [shock_with(share=1.5)]}, r"share must be in \[0, 1\]"),
        ({"shocks": [shock_with(share=-0.1)]}, r"share must be in \[0, 1\]"),
        ({"shocks": [shock_with(occurrence=0)]}, "occurrence must be an integer >= 1"),
        ({"shocks": [shock_with(occurrence=25, duration=10)]}, "occurrence \\+ duration"),
        ({"shocks": [shock_with(recovery_function="bumpy")]}, "unknown recovery function"),
        ({"shocks": [shock_with(regions=[])]}, "at least one region"),
        ({"shocks": ["reg1"]}, "CapitalShock"),
        ({"psi_param": 1.5}, r"psi_param must be in \[0, 1\]"),
        ({"order_type": "fast"}, "order_type"),
        ({"inventory_dict": {"food": 10}}, "one value per sector"),
        ({"inventory_restoration_tau": 0}, "positive integers"),
        ({"infinite_inventories_sect": ["gold"]}, "infinite_inventories_sect"),
        ({"temporal_units_by_step": 2}, "temporal_units_by_step"),
    ],
)
def test_bad_input_raises_input_error(mrio, kwargs, message):
    kwargs = {"steps": 30, **kwargs}
    with pytest.raises(InputError, match=message):
        ario_simulate(mrio, **kwargs)


def test_overlapping_shocks_beyond_capital_raise(mrio):
    shocks = [shock_with(share=0.7), shock_with(share=0.7, occurrence=6)]
    with pytest.raises(InputError, match="more than the productive capital"):
        ario_simulate(mrio, steps=30, shocks=shocks)


def test_bad_table_raises_input_error():
    with pytest.raises(InputError, match="IOSystem has no Z"):
        ario_simulate(pymrio.IOSystem(), steps=3)
    with pytest.raises(InputError, match="IOSystem or a SparseMRIO"):
        ario_simulate("table.csv", steps=3)  # type: ignore[arg-type]


def test_simulate_runs_the_ario_mode_on_an_mrio(mrio) -> None:
    from gosplan.run.ario import ario_simulate
    from gosplan.run.simulate import simulate

    shock = CapitalShock(occurrence=3, duration=2, recovery_tau=20, share=dict.fromkeys(HIT, 0.3))
    direct = ario_simulate(mrio, steps=30, shocks=[shock])
    through = simulate(mrio, steps=30, shocks=[shock])
    pd.testing.assert_frame_equal(through.production_realised, direct.production_realised)
