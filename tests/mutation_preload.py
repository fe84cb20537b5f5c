"""A pytest plugin for mutation testing only (``-p tests.mutation_preload`` in pyproject.toml's
``[tool.mutmut]``): what each mutant's session would otherwise set up again.

mutmut imports the test modules once, in a fork server, and forks a fresh pytest session per
mutant from it. The libraries the code imports on first use (so that a kernel or a command
starts quickly) would be imported again in every mutant's session: seaborn and matplotlib alone
take about 1.3 s, paid by each mutant whose tests draw a view.
"""

from __future__ import annotations

import gc

import python_calamine  # noqa: F401  (the Excel reader of briefing.data.reading)

from briefing.charts.figures import prepare

prepare()


def pytest_collection_finish() -> None:
    """Everything imported so far is left out of garbage collection: a forked session would
    otherwise walk (and so copy) the fork server's whole heap at each full collection."""
    gc.freeze()
