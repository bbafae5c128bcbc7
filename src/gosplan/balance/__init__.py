"""Balance: linear solvers and the input–output toolkit."""
