"""Plan: optimal one-year and multi-year plans, feasibility checks and their diagnosis."""
