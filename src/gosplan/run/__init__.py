"""Running the plan: enterprises, control figures, counter-plans, fulfilment, competition, alerts.

Above :mod:`gosplan.plan`: these functions take an adopted plan (a
:class:`~gosplan.core.plan_result.PlanResult` and its :class:`~gosplan.core.spec.PlanSpec`)
and the reports that come back from the enterprises.
"""

from __future__ import annotations
