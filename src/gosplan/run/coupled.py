"""The workforce inside the simulation: labour and shortages closed step by step.

:func:`gosplan.run.labour_scenario.shortage_from` and
:func:`gosplan.run.labour_coupling.with_workforce` couple a simulation and a workforce run
one after the other: a whole simulated run's unmet household demand goes into a whole
workforce run, whose labour (a year's mean) goes into a plan. :func:`simulate_with_workforce`
closes the loop inside one run: every step the simulation
(:class:`~gosplan.run.simulate.Simulation`) produces with the labour the workforce
(:class:`~gosplan.run.workforce.Workforce`) has *now*, and the workforce's quits react to the
shortages of consumer goods that the simulation left *in that step*.

Step ``t`` (a month, in both models)
------------------------------------
1. *labour*: the labour available of the step for the labour type ``h`` the workforce
   supplies is its skill-weighted labour as the step starts times a scale,
   ``L_h(t) = scale_h * sum_e sum_g p[g] W[e, g](t)``; per grade (``labour_type=None``),
   each grade's workers go to the labour type named after it,
   ``L_g(t) = scale_g * sum_e W[e, g](t)``. The other labour types keep the schedule's
   ``labour[period]``, and labour shocks still scale them all
   (the simulation's ``labour_now``, :class:`~gosplan.run.simulate.Simulation`);
2. *production*: the simulation makes its step with that labour (:meth:`Simulation.step
   <gosplan.run.simulate.Simulation.step>`): labour is shared by need and output cut where
   it binds (``limiting`` reads ``labour:<h>``);
3. *shortage*: ``s(t) = sum_i w_i u_fi(t) / sum_i w_i y_fi(t)``, the value share of the
   final user ``f``'s demand (``households``) ``y_f`` left unmet ``u_f`` in the step, at
   weights ``w`` (by default the labour values of the run's own technology and labour,
   ones where those cannot be had; 0 where the user asked for nothing);
4. *workforce*: the workforce makes its step with ``s(t)`` in its quit hazard
   (``b_short * s(t)``, every enterprise alike), its other inputs (pay, the outside option,
   the real wage, norms, mobilisation, target) the caller's
   :class:`~gosplan.run.workforce.StepInputs` of the step; its ``W(t + 1)`` is the labour
   of step ``t + 1``.

Timing: within a step the simulation goes first. The labour of step ``t`` is the workforce
as it starts the step; the shortages of step ``t`` move the quits *of step t*, which show in
the labour of step ``t + 1``: one step's lag, as the queues of a month drive the quits of
that month and the labour of the next. The inputs are called with the coupled run's own step
(0 for the first), the simulation's steps are its own.

Scale
-----
Units of the schedule's labour (per step) per unit of the workforce's labour (skill-weighted
workers; per grade: workers). By default, the one that makes the workforce's labour of the
first step equal to the schedule's labour available of the first step's period for that type
(``scale_h = L_h(period 0) / labour(0)``), so that a workforce that keeps up with the plan
(one that does not move, at its start) leaves the simulation as it was; the run states it
(:attr:`CoupledRun.scale`).

:func:`coupled_scenario` runs the bundled ``ussr-1928`` plan month by month with the
scenario's calibrated workforce (:mod:`gosplan.run.labour_scenario`) inside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gosplan.balance.solvers import solve_leontief
from gosplan.core.checks import Check, Problems
from gosplan.core.workforce_result import FLOW_COLUMNS
from gosplan.errors import GosplanError, InputError
from gosplan.run.simulate import Simulation, StepState, check_memory
from gosplan.run.simulation_arguments import at_least, by_product
from gosplan.run.simulation_tables import Record, result_of
from gosplan.run.workforce import DEFAULT_GRADES, StepInputs, Workforce, result_of_cube, step_once

if TYPE_CHECKING:
    from gosplan.core.progress import Progress
    from gosplan.core.simulation_result import SimulationResult
    from gosplan.core.workforce_result import WorkforceResult

__all__ = [
    "LABOUR_COLUMNS",
    "SCENARIO_SCALES",
    "CoupledRun",
    "coupled_scenario",
    "simulate_with_workforce",
]

#: Columns of :attr:`CoupledRun.labour`.
LABOUR_COLUMNS = ("step", "labour_type", "available", "planned", "used")
Scale = float | Sequence[float] | Mapping[str, float]
#: The scales of :func:`coupled_scenario`.
SCENARIO_SCALES = ("need", "available")


@dataclass(frozen=True, eq=False)
class CoupledRun:
    """A simulation and a workforce run moved together step by step (see the module).

    Attributes
    ----------
    simulation
        The simulation's result (its provenance says ``coupled``).
    workforce
        The workforce run (steps from 0, the coupled run's first step).
    shortage
        The share of the user's final demand unmet at the weights, by step (0 to 1): what
        the workforce's quits reacted to.
    labour
        Columns :data:`LABOUR_COLUMNS`: per step and labour type the workforce supplies,
        the labour ``available`` from the workforce (before labour shocks), the ``planned``
        labour available of the schedule and the labour ``used`` by the step's output, in
        the schedule's units.
    scale
        By labour type: the schedule's units per unit of the workforce's labour.
    weights
        By product: the weights of the shortage, named after their basis (``labour values``,
        ``ones`` or ``given``).
    """

    simulation: SimulationResult
    workforce: WorkforceResult
    shortage: pd.Series
    labour: pd.DataFrame
    scale: pd.Series
    weights: pd.Series

    def skilled_separations(self, grade: str = DEFAULT_GRADES[0]) -> pd.Series:
        """Separations per 100 workers of ``grade`` a year (all enterprises), by year."""
        table = self.workforce.turnover("grade")
        rows = table[table["grade"].astype(str) == grade]
        return rows.set_index("year")["separations_per_100"].rename(grade)


@dataclass(frozen=True)
class _Link:
    """The labour types the workforce supplies (positions), from what, at what scale."""

    types: np.ndarray
    names: list[str]
    grades: np.ndarray | None  # per type, the grade whose workers it is; None: skill-weighted
    scale: np.ndarray

    def raw(self, model: Workforce) -> np.ndarray:
        """The workforce's labour now, per type, in its own units."""
        if self.grades is None:
            return np.array([float(model.labour.sum())])
        return np.asarray(model.W.sum(axis=0)[self.grades], dtype=float)

    def supply(self, model: Workforce) -> np.ndarray:
        """The workforce's labour now, per type, in the schedule's units."""
        return self.raw(model) * self.scale


def _link(sim: Simulation, model: Workforce, labour_type: str | None, scale: Any) -> _Link:
    """Check the labour types and the scale of a coupling."""
    if sim.labour is None or sim.schedule.labour is None:
        raise InputError(
            "the simulation's schedule has no labour available, so the workforce cannot "
            "limit it: prepare it with labour (prepare(..., labour=...), or a spec with "
            "labour available)",
            source="simulation",
            check=Check.NO_LABOUR,
        )
    types = [str(h) for h in sim.labour_types]
    names = [str(labour_type)] if labour_type is not None else list(model.grades)
    for name in names:
        if name not in types:
            raise InputError(
                f"the economy has no labour type {name!r}; its types: {', '.join(types)}",
                source="labour_type",
                label=name,
                check=Check.UNKNOWN_LABEL,
            )
    pos = np.array([types.index(name) for name in names], dtype=np.int64)
    grades = None if labour_type is not None else np.arange(len(names), dtype=np.int64)
    link = _Link(pos, names, grades, np.ones(len(names)))
    period = int(sim.schedule.period[min(sim.t, sim.steps - 1)])
    planned = np.asarray(sim.schedule.labour[period][pos], dtype=float)
    if scale is None:
        return replace(link, scale=_default_scale(planned, link.raw(model), names))
    return replace(link, scale=_given_scale(scale, names))


def _default_scale(planned: np.ndarray, raw: np.ndarray, names: list[str]) -> np.ndarray:
    """``planned / raw`` per type; an error where it is not a finite number."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = planned / raw
    bad = np.flatnonzero(~np.isfinite(out))
    if len(bad):
        i = int(bad[0])
        raise InputError(
            f"no default scale for labour type {names[i]!r}: the schedule's labour available "
            f"is {planned[i]:g} and the workforce's labour {raw[i]:g} at the start; give scale=",
            source="scale",
            label=names[i],
            check=Check.OUT_OF_RANGE,
        )
    return out


def _given_scale(scale: Any, names: list[str]) -> np.ndarray:
    """A scale given as a number, one per type (in order) or a mapping by type, checked."""
    if isinstance(scale, Mapping):
        unknown = [str(k) for k in scale if str(k) not in names]
        missing = [n for n in names if n not in {str(k) for k in scale}]
        if unknown or missing:
            label = (unknown or missing)[0]
            raise InputError(
                f"scale needs a value for each of {', '.join(names)} and no other",
                source="scale",
                label=label,
                check=Check.UNKNOWN_LABEL if unknown else Check.MISSING_LABEL,
            )
        lookup = {str(k): v for k, v in scale.items()}
        scale = [lookup[n] for n in names]
    try:
        values = np.asarray(scale, dtype=float)
    except (TypeError, ValueError):
        values = np.full((2, 0), np.nan)  # not numbers: reported as a bad argument below
    if values.ndim > 1 or (values.ndim == 1 and len(values) != len(names)):
        raise InputError(
            f"scale must be a number or one per labour type ({', '.join(names)})",
            source="scale",
            check=Check.BAD_ARGUMENT,
        )
    values = np.broadcast_to(values, (len(names),)).astype(float)
    bad = np.flatnonzero(~(np.isfinite(values) & (values >= 0)))
    if len(bad):
        i = int(bad[0])
        raise InputError(
            f"scale must be a finite number of at least 0, not {values[i]!r}",
            source="scale",
            label=names[i],
            check=Check.NEGATIVE_VALUE if values[i] < 0 else Check.OUT_OF_RANGE,
        )
    return values


def _weights(sim: Simulation, weights: Any) -> pd.Series:
    """The shortage's weights by product, named after their basis."""
    labels = sim.labels
    if weights is None:
        values = _labour_values(sim)
        if values is None:
            return pd.Series(1.0, index=labels, name="ones")
        return pd.Series(values, index=labels, name="labour values")
    problems = Problems()
    given = by_product(weights, labels, 0.0, "weights", problems)
    at_least(given, 0.0, labels, "weights", problems, Check.NEGATIVE_VALUE)
    problems.raise_if_any()
    return pd.Series(given, index=labels, name="given")


def _labour_values(sim: Simulation) -> np.ndarray | None:
    """``v = 1' L (I - A)^-1`` of the simulation's technology and labour (all types), or None."""
    if sim.labour is None:
        return None
    direct = np.asarray(sim.labour.sum(axis=0), dtype=float).ravel()
    if not sim.technology.nnz:
        values = direct
    else:
        try:
            values = np.asarray(solve_leontief(sim.technology, direct, transpose=True).x, float)
        except (GosplanError, ArithmeticError, ValueError):
            return None
    ok = bool(np.isfinite(values).all() and (values >= 0).all() and values.sum() > 0)
    return values.ravel() if ok else None


def _user(sim: Simulation, user: str) -> int:
    """The position of the final user whose shortages the workforce feels."""
    users = [str(u) for u in sim.schedule.users]
    if str(user) not in users:
        raise InputError(
            f"the run has no final user {user!r}; its users: {', '.join(users)}",
            source="user",
            label=str(user),
            check=Check.UNKNOWN_LABEL,
        )
    return users.index(str(user))


def _check_steps(sim: Simulation, model: Workforce) -> None:
    """A plan's run and the workforce must have steps of the same length."""
    from gosplan.run.plan_simulation import STEPS_PER_PERIOD

    step = sim.info.get("step")
    per_year = model.params.steps_per_year
    if step in STEPS_PER_PERIOD and STEPS_PER_PERIOD[step] != per_year:
        raise InputError(
            f"the simulation runs {STEPS_PER_PERIOD[step]} steps a period ({step}s), the "
            f"workforce {per_year} a year; give the workforce "
            f"WorkforceParameters(steps_per_year={STEPS_PER_PERIOD[step]})",
            source="workforce",
            check=Check.BAD_ARGUMENT,
        )


def _step_shortage(state: StepState, user: int, weights: np.ndarray) -> float:
    """The share of ``user``'s final demand a step left unmet, at ``weights`` (0 to 1).

    ``sum_i w_i (y_fi - d_fi) / sum_i w_i y_fi`` over the step's final demand ``y_f`` and
    deliveries ``d_f``; 0 where the user asked for nothing (at the weights).
    """
    demand = state.final_demand[user]
    total = float(weights @ demand)
    if not total > 0:
        return 0.0
    unmet = float(weights @ (demand - state.delivered_users[user]))
    return min(1.0, max(0.0, unmet / total))


class _Coupling:
    """A coupled run under way: the two models, and what it records of every step."""

    def __init__(
        self,
        sim: Simulation,
        model: Workforce,
        inputs: StepInputs,
        link: _Link,
        user: int,
        weights: pd.Series,
    ) -> None:
        self.sim, self.model, self.link, self.user, self.weights = sim, model, link, user, weights
        self._w = weights.to_numpy(float)
        left, k = sim.steps - sim.t, len(link.types)
        self.states = Record(left, sim.n, len(sim.schedule.users))
        shape = (left, *model.W.shape)
        self.cube = {n: np.empty(shape) for n in ("workers", *FLOW_COLUMNS, "wage_fund")}
        self.shortage = np.zeros(left)
        self.inputs = replace(inputs, shortage=lambda t: self.shortage[t])
        self.available, self.planned, self.used = (np.empty((left, k)) for _ in range(3))

    def run(self, progress: Progress | None) -> None:
        """Every step to the simulation's end; the simulation's labour is its own after."""
        left = len(self.shortage)
        every = max(1, left // 50)
        try:
            for i in range(left):
                self.step(i)
                if progress is not None and ((i + 1) % every == 0 or i + 1 == left):
                    progress((i + 1) / left, f"step {self.sim.t} of {self.sim.steps} (coupled)")
        finally:
            self.sim.labour_now = None

    def step(self, i: int) -> None:
        """Step ``i`` (see the module): labour, production, shortage, workforce."""
        sim, link = self.sim, self.link
        assert sim.schedule.labour is not None and sim.labour is not None
        planned = sim.schedule.labour[int(sim.schedule.period[sim.t])]
        now = np.array(planned, dtype=float)
        now[link.types] = link.supply(self.model)
        sim.labour_now = now
        state = sim.step()
        self.states.add(state)
        self.shortage[i] = _step_shortage(state, self.user, self._w)
        step_once(self.model, self.inputs, i, self.cube)  # its shortage: self.shortage[i]
        self.available[i] = now[link.types]
        self.planned[i] = planned[link.types]
        self.used[i] = (sim.labour @ state.output)[link.types]

    def result(self, start_year: int, industry: Sequence[str] | None) -> CoupledRun:
        """The run's :class:`CoupledRun`."""
        labels, link = list(self.model.labels), self.link
        workforce = result_of_cube(
            self.model,
            self.cube,
            labels,
            labels if industry is None else [str(x) for x in industry],
            start_year,
            None,
            function="gosplan.run.coupled.simulate_with_workforce",
        )
        steps = pd.Index(self.states.steps, name="step")
        return CoupledRun(
            simulation=result_of(self.states, self.sim),
            workforce=workforce,
            shortage=pd.Series(self.shortage, index=steps, name="shortage"),
            labour=self._labour_table(),
            scale=pd.Series(
                link.scale, index=pd.Index(link.names, name="labour_type"), name="scale"
            ),
            weights=self.weights,
        )

    def _labour_table(self) -> pd.DataFrame:
        steps, k = self.available.shape
        names = self.link.names
        return pd.DataFrame(
            {
                "step": np.repeat(self.states.steps, k),
                "labour_type": pd.Categorical(np.tile(names, steps), categories=names),
                "available": self.available.ravel(),
                "planned": self.planned.ravel(),
                "used": self.used.ravel(),
            }
        )


def simulate_with_workforce(
    sim: Simulation,
    model: Workforce,
    inputs: StepInputs,
    *,
    labour_type: str | None = "workers",
    scale: Scale | None = None,
    weights: pd.Series | Mapping[str, float] | float | None = None,
    user: str = "households",
    start_year: int = 0,
    industry: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> CoupledRun:
    """Run a simulation to its end with a workforce inside it, step by step (see the module).

    Parameters
    ----------
    sim
        A prepared simulation (:func:`~gosplan.run.simulate.prepare` with ``labour=``, or
        :func:`~gosplan.run.plan_simulation.prepare_plan` of a spec with labour available);
        it is run from its current step to its end.
    model
        The workforce, at its start; the run moves it. Its steps must be the simulation's
        (a plan's monthly run: ``steps_per_year=12``).
    inputs
        The workforce's inputs by step (0: the coupled run's first); their ``shortage`` is
        ignored: the simulation's is used.
    labour_type
        The labour type the workforce's skill-weighted labour goes to; ``None``: each grade's
        workers go to the labour type named after the grade (the economy must have them).
    scale
        The schedule's units of labour per unit of the workforce's: a number, one per labour
        type supplied (in order, or a mapping by type); ``None``: the default of the module.
    weights
        Per product, the weights of the shortage (products not named: 0); ``None``: the
        labour values of the simulation's own technology and labour coefficients, all types
        (``v = 1' L (I - A)^-1``, one sparse solve: for a plan, the values of
        :func:`~gosplan.run.plan_simulation.labour_values`), or ones where those cannot be
        had (not finite, or all 0).
    user
        The final user whose unmet demand the workforce feels (a plan: ``households``; a
        plain economy's run has the one user ``final``).
    start_year
        The year of the first step (the workforce's statistics are by year).
    industry
        The industry of every enterprise, for the workforce's statistics (default: every
        enterprise its own).
    progress
        Called as ``progress(fraction_done, message)`` as the steps run.

    Returns
    -------
    CoupledRun
        Its simulation has the product, limit and final-user tables; for a plan's run,
        :func:`gosplan.run.plan_simulation.finish` adds the activities, the enterprises and
        the calendar (as :func:`coupled_scenario` does).

    Raises
    ------
    InputError
        A schedule without labour available (``no_labour``), a labour type the economy does
        not have or a user the run does not have (``unknown_label``, naming it), a negative
        or non-finite scale (``negative_value``, ``out_of_range``), a default scale that
        cannot be had (the type not limited, or no workforce labour: ``out_of_range``), steps
        of other lengths (``bad_argument``).
    ValidationError
        Weights naming an unknown product, or negative.
    """
    link = _link(sim, model, labour_type, scale)
    w = _weights(sim, weights)
    f = _user(sim, user)
    _check_steps(sim, model)
    check_memory(sim)
    coupling = _Coupling(sim, model, inputs, link, f, w)
    sim.info = {**sim.info, **_info(link, labour_type, user, str(w.name))}
    coupling.run(progress)
    return coupling.result(start_year, industry)


def _info(link: _Link, labour_type: str | None, user: str, basis: str) -> dict[str, Any]:
    """What the simulation's provenance adds for a coupled run."""
    one = len(link.scale) == 1
    return {
        "coupled": "with a workforce, step by step (gosplan.run.coupled)",
        "labour": f"{', '.join(link.names)}: from the workforce, step by step",
        "workforce_labour": labour_type if labour_type is not None else "by grade",
        "workforce_scale": float(link.scale[0]) if one else "by labour type",
        "shortage_user": user,
        "shortage_weights": basis,
    }


def coupled_scenario(
    years: Sequence[int] = (1929, 1932),
    rule: str | pd.DataFrame = "by_grade",
    *,
    scenario: str = "ussr-1928",
    amended: bool = True,
    scale: str | float = "need",
    feedback: bool = True,
    parameters: Mapping[str, Any] | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
) -> CoupledRun:
    """The bundled plan run month by month with the scenario's workforce inside it.

    The adopted plan of the worked example (:data:`gosplan.demo.ADOPTED`, least labour) is
    run monthly (:func:`~gosplan.run.plan_simulation.prepare_plan`), by default under the
    pressure of the demo's first run (:mod:`gosplan.demo_simulation`): the amended targets'
    raise laid on the enterprises (:func:`~gosplan.demo_simulation.amended_shocks`) and the
    counter-plans accepted in full without their inputs. The scenario's calibrated workforce
    of large-scale industry (:func:`~gosplan.run.labour_scenario.scenario_workforce`, with
    ``rule``, ``parameters`` and ``seed``) supplies the ``workers`` labour type (all the
    plan's workers are taken to move with it, in proportion) and its quits feel the
    households' unmet demand at labour values each month. The plan's periods are taken as
    calendar years (``year_start=1``), the calendar of the workforce's paths, so that a step
    is the same month in both (the demo's simulation runs economic years from October).

    The scale: with ``"need"`` (the default) the first month's workforce is the labour the
    plan's output of that month needs (``l_workers (I - A)^-1 y`` of 1929); the plan's labour
    available (the labour force) leaves about half unused in 1929 (485 a month against 257
    needed), so with ``"available"`` labour would never bind.

    Parameters
    ----------
    years
        The first and the last year run (the years between are run too), within 1929–1932.
    rule
        The brigade wage rule: ``"by_grade"``, ``"equal"``, ``"piece"`` or a rules table
        (:func:`~gosplan.run.labour_scenario.rules_table`).
    scenario
        A bundled scenario with the demo's plan, counter-plans and a labour scenario.
    amended
        Lay on the amended targets and the counter-plans (``False``: the plan alone).
    scale
        ``"need"``, ``"available"`` (see above) or a number: the plan's units of workers'
        labour a month per skill-weighted worker.
    feedback
        ``False``: the quits feel no shortage (weights 0), the open loop of the same run.
    parameters, seed
        As for :func:`~gosplan.run.labour_scenario.labour_run`.
    progress
        Called as ``progress(fraction_done, message)`` as the steps run.

    Returns
    -------
    CoupledRun
        With the plan's activities, enterprises and calendar; the workforce from January.
    """
    from gosplan.datasets import spec_path
    from gosplan.demo import ADOPTED
    from gosplan.plan import optimise, read_spec
    from gosplan.run.labour_scenario import scenario_workforce
    from gosplan.run.plan_simulation import finish, prepare_plan

    span = list(range(min(years), max(years) + 1)) if len(years) else []
    ready = scenario_workforce(scenario, rule=rule, years=span, parameters=parameters, seed=seed)
    spec = read_spec(spec_path(scenario, ADOPTED))
    plan = optimise(spec, objective="min_labour")
    options = _pressure(scenario, spec, plan, span) if amended else {}
    sim, ctx, own = prepare_plan(spec, plan, periods=span, year_start=1, **options)
    run = simulate_with_workforce(
        sim, ready.model, ready.inputs, labour_type="workers", user="households",
        scale=_scenario_scale(scale, sim, ready.model), weights=None if feedback else 0.0,
        start_year=span[0], industry=ready.industry, progress=progress,
    )  # fmt: skip
    label = rule if isinstance(rule, str) else "by table"
    told = {"scenario": scenario, "rule": label, "seed": seed}
    workforce = replace(run.workforce, provenance={**run.workforce.provenance, **told})
    return replace(run, simulation=finish(run.simulation, spec, sim, ctx, own), workforce=workforce)


def _scenario_scale(scale: str | float, sim: Simulation, model: Workforce) -> float | None:
    """The scale of :func:`coupled_scenario`: ``"need"``, ``"available"`` or a number."""
    if not isinstance(scale, str):
        return scale
    if scale not in SCENARIO_SCALES:
        raise InputError(
            f"unknown scale {scale!r}; choose {', '.join(SCENARIO_SCALES)} or give a number",
            source="scale",
            label=scale,
            check=Check.BAD_OPTION,
        )
    types = [str(t) for t in sim.labour_types]
    if scale == "available" or sim.labour is None or "workers" not in types:
        return None  # simulate_with_workforce's default (or its error)
    h = types.index("workers")
    need = (sim.labour @ sim.equilibrium(0))[h]
    return float(need / model.labour.sum())


def _pressure(scenario: str, spec: Any, plan: Any, years: list[int]) -> dict[str, Any]:
    """The demo's first run's shocks and counter-plans, for the years run."""
    from gosplan.datasets import scenario_path, spec_path
    from gosplan.demo import COUNTER_PLANS
    from gosplan.demo_simulation import amended_shocks
    from gosplan.plan import read_spec
    from gosplan.run.counter_plans import read_counter_plans

    table = amended_shocks(spec, plan, read_spec(spec_path(scenario, "amended")))
    if len(table):
        table = table[table["date"].astype(int).isin(years)].reset_index(drop=True)
    table.attrs["source"] = "the amended targets (1930)"
    counter = read_counter_plans(scenario_path(scenario).parent / "run" / COUNTER_PLANS)
    counter = counter[counter["period"].isin(years)].reset_index(drop=True)
    return {"shocks": table, "counter_plans": counter}
