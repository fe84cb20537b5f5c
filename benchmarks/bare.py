"""The bare Voilà notebook the dashboard is compared with (one dropdown, one chart)."""

from __future__ import annotations

import json

from .common import BARE

BARE_CELLS = [
    "# Bare Voilà notebook for the benchmark: one dropdown and one matplotlib chart\n"
    "import io\n\n"
    "import ipywidgets as w\n"
    "import matplotlib\n\n"
    'matplotlib.use("agg")\n'
    "import matplotlib.pyplot as plt\n"
    "from IPython.display import Image, display",
    "fig, ax = plt.subplots(figsize=(6.4, 3.2))\n"
    'ax.plot([2019, 2020, 2021, 2022, 2023, 2024, 2025], [3, 5, 4, 6, 7, 6, 8], marker="o")\n'
    "buffer = io.BytesIO()\n"
    'fig.savefig(buffer, format="png", dpi=100)\n'
    "plt.close(fig)\n"
    "display(Image(buffer.getvalue()))",
    'dropdown = w.Dropdown(options=[("全体", 0), ("1", 1), ("2", 2)], description="取組方向")\n'
    'dropdown.add_class("bare-dropdown")\n'
    "dropdown",
]


def ensure_bare_notebook() -> None:
    if BARE.exists():
        return
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": f"bare-{i}",
                "metadata": {},
                "outputs": [],
                "source": source.splitlines(keepends=True),
            }
            for i, source in enumerate(BARE_CELLS)
        ],
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    BARE.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
