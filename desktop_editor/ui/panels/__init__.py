"""The docks: parameters, jobs, history, results strip."""
