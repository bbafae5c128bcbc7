"""The tables of a simulation's result, from its steps (:func:`result_of`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gosplan.core.control_figures import label_column
from gosplan.core.provenance import provenance
from gosplan.core.simulation_result import SimulationResult, empty

if TYPE_CHECKING:
    from gosplan.run.simulate import Simulation, StepState

#: ``limiting`` code of demand (codes run demand, capacity, inputs, labour types).
_DEMAND = -2


#: What a :class:`Record` keeps of every step, per product (and per user and product).
PER_PRODUCT = (
    "output",
    "capacity",
    "demand",
    "delivered_final",
    "unmet_final",
    "stocks_held",
    "backlog",
)
PER_USER = ("final_demand", "delivered_users")


class Record:
    """The steps of a run, written into arrays made once for all of them (no list of steps).

    ``add(state)`` writes one step; :meth:`column` is a step-major view of what was written.
    Link arrays are not kept. Per-user arrays are kept only with more than one final user.
    """

    def __init__(self, steps: int, n: int, users: int) -> None:
        self.n, self.size, self.count = n, steps, 0
        self.arrays = {name: np.empty((steps, n)) for name in PER_PRODUCT}
        self.arrays["limiting"] = np.empty((steps, n), dtype=np.int64)
        if users > 1:
            self.arrays.update({name: np.empty((steps, users, n)) for name in PER_USER})
        self.at = np.empty(steps, dtype=np.int64)

    def add(self, state: StepState) -> None:
        """Write one step's state."""
        i = self.count
        for name, array in self.arrays.items():
            array[i] = getattr(state, name)
        self.at[i] = state.step
        self.count = i + 1

    def __len__(self) -> int:
        return self.count

    def column(self, name: str) -> np.ndarray:
        """One quantity over the steps written, flattened step by step (a view)."""
        return self.arrays[name][: self.count].reshape(-1)

    def total(self, name: str) -> np.ndarray:
        """One quantity per product summed over the steps written."""
        return self.arrays[name][: self.count].sum(axis=0)

    @property
    def steps(self) -> np.ndarray:
        """The step numbers written."""
        return self.at[: self.count]


def result_of(states: Record, sim: Simulation) -> SimulationResult:
    """The result of a run: its steps' tables and provenance."""
    labels, steps = sim.labels, len(states)
    n = len(labels)
    product = label_column(pd.Categorical.from_codes(np.tile(np.arange(n), steps), labels))
    at = states.steps
    step = np.repeat(at, n)
    products = pd.DataFrame(
        {
            "product": product,
            "step": step,
            "output": states.column("output"),
            "planned": sim.equilibria[sim.schedule.period[at]].ravel(),
            "capacity": states.column("capacity"),
            "demand": states.column("demand"),
            "delivered_final": states.column("delivered_final"),
            "unmet_final": states.column("unmet_final"),
            "stocks": states.column("stocks_held"),
            "backlog": states.column("backlog"),
        },
        copy=False,
    )
    limits = pd.DataFrame(
        {"product": product, "step": step, "limiting": limiting_labels(states, sim)}
    )
    return SimulationResult(
        products=products,
        limits=limits,
        final=_final(states, sim),
        rationing=sim.rationing,
        provenance=_provenance(sim, steps),
    )


def limiting_names(sim: Simulation) -> pd.Index:
    """The labels of the limiting codes, in code order from :data:`_DEMAND` up."""
    return pd.Index(
        [
            "demand",
            "capacity",
            *(f"input:{p}" for p in sim.labels),
            *(f"labour:{h}" for h in sim.labour_types),
        ]
    )


def limiting_labels(states: Record, sim: Simulation) -> pd.Categorical:
    """What limited each product at each step, as labels."""
    codes = states.column("limiting") - _DEMAND
    return label_column(pd.Categorical.from_codes(codes, limiting_names(sim)))


def _final(states: Record, sim: Simulation) -> pd.DataFrame:
    """Final demand and deliveries by user, product and step (empty with one user)."""
    users = sim.schedule.users
    if len(users) < 2 or not states:
        return empty("final")
    n, f = len(sim.labels), len(users)
    per_step = n * f
    user = pd.Categorical.from_codes(np.tile(np.repeat(np.arange(f), n), len(states)), users)
    product = pd.Categorical.from_codes(np.tile(np.arange(n), f * len(states)), sim.labels)
    demand = states.column("final_demand")
    delivered = states.column("delivered_users")
    return pd.DataFrame(
        {
            "user": label_column(user),
            "product": label_column(product),
            "step": np.repeat(states.steps, per_step),
            "demand": demand,
            "delivered": delivered,
            "unmet": demand - delivered,
        }
    )


def _provenance(sim: Simulation, steps: int) -> dict[str, Any]:
    eco = sim.economy
    extra: dict[str, Any] = dict(sim.info)
    if sim.priority is not None:
        extra["priority_classes"] = sim.priority.n_classes
    if sim.labour is not None and sim.schedule.labour is not None:
        avail = sim.schedule.labour[0]
        one = len(avail) == 1 and bool(np.isfinite(avail[0])) and len(sim.schedule.capacity) == 1
        extra.setdefault("labour", float(avail[0]) if one else "by labour type")
        extra["labour_shocks"] = len(sim.shocks.labour)
    return provenance(
        economy=None if eco is None else eco.meta.name,
        economy_source=None if eco is None else eco.meta.source,
        model="input-output simulation",
        steps=steps,
        products=len(sim.labels),
        input_links=len(sim.coef),
        stock_days=_summary(sim.stock_days),
        restoration=_summary(sim.restoration),
        shocks=len(sim.shocks),
        rationing=sim.rationing,
        **extra,
    )


def _summary(values: np.ndarray) -> float | str:
    """One number where every product shares it, else ``"by product"``."""
    if len(values) and bool((values == values[0]).all()):
        return float(values[0])
    return "by product"
