"""Tools for rule authors: rule tests as data, coverage, lint, exhaustive checks, release diff."""
