"""One settings object for every tunable, read by the CLI, the widgets and the export alike.

Each field carries its Japanese help text once. The command line's options are made from it
(``add_options``), and the fields with an environment name reach Voilà's kernels through the
environment the server gives them (``to_environment``), where ``Settings()`` reads them back.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

#: Environment variable that points notebooks, Voilà kernels and tests at another data directory.
DATA_ENV = "BRIEFING_DATA"

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_DATA = REPO_ROOT / "data"

#: Okabe–Ito: distinguishable with the common colour-vision deficiencies and on a projector.
OKABE_ITO = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)


def _path(text: str) -> Path:
    return Path(text).expanduser().resolve()


def _from_env(name: str, parse: Callable[[str], Any], default: Callable[[], Any]) -> Any:
    """A field default: the environment's value if set (a kernel started by the server), else
    ``default()``."""
    return lambda: parse(os.environ[name]) if os.environ.get(name) else default()


@dataclass(frozen=True)
class Settings:
    """Every knob of the workbook, with the reason it exists in ``metadata['help']``."""

    data_dir: Path = field(
        default_factory=_from_env(DATA_ENV, _path, lambda: BUNDLED_DATA),
        metadata={
            "help": f"データフォルダ（環境変数 {DATA_ENV} でも指定できる。ふだんはリポジトリの data/）",
            "option": "--data",
            "metavar": "DIR",
            "env": DATA_ENV,
        },
    )
    suppress_below: int = field(
        default=5,
        metadata={
            "drawing": True,
            "help": "地域別の人数・件数がこの値未満（1以上）のとき「5未満」のように秘匿する",
        },
    )
    small_sample_n: int = field(
        default=30,
        metadata={
            "drawing": True,
            "help": "調査の回答者数がこの値未満の割合は「参考値」と表示する",
        },
    )
    confidence: float = field(
        default=0.95,
        metadata={"drawing": True, "help": "調査の割合に付ける信頼区間の水準（Wilson法）"},
    )
    palette: tuple[str, ...] = field(
        default=OKABE_ITO,
        metadata={"drawing": True, "help": "グラフの色（色覚の多様性に配慮した Okabe–Ito 配色）"},
    )
    figure_size: tuple[float, float] = field(
        default=(6.4, 3.2), metadata={"drawing": True, "help": "グラフの大きさ（インチ）"}
    )
    host: str = field(
        default="127.0.0.1",
        metadata={
            "help": "ダッシュボードの待ち受けアドレス（既定の 127.0.0.1 はこのPCのみ。会議室のネットワークで共有するときは 0.0.0.0）",
            "option": "--host",
            "metavar": "ADDR",
        },
    )
    port: int = field(
        default=8866,
        metadata={"help": "ダッシュボードのポート番号", "option": "--port", "metavar": "N"},
    )
    staff_port: int = field(
        default=8867,
        metadata={
            "help": "担当者用ページのポート番号（待ち受けは常に 127.0.0.1＝このPCのみ）",
            "option": "--port",
            "metavar": "N",
        },
    )
    cache_dir: Path | None = field(
        default_factory=lambda: Path(tempfile.gettempdir()) / "mie-briefing-figures",
        metadata={"help": "グラフのキャッシュ（全カーネル共有、データの版ごと）。None で無効"},
    )
    disclosure_dir: Path | None = field(
        default_factory=lambda: Path(tempfile.gettempdir()) / "mie-briefing-disclosure",
        metadata={
            "help": "秘匿するセルと監査の結果の保存先（データの版ごと。全カーネル・資料で共有）。None で毎回計算"
        },
    )
    kernel_pool: int = field(
        default=6,
        metadata={
            "help": "あらかじめ起動しておくカーネルの数（1つ約150MB。0で無効）。委員が一斉に開く人数に近いほど速い",
            "option": "--pool",
            "metavar": "N",
        },
    )
    execution_timeout: int = field(
        default=20,
        metadata={
            "help": "ノートブック1セルの実行待ちの上限（秒）。止まった実行をこの時間で打ち切る"
        },
    )
    cull_after: int = field(
        default_factory=_from_env("BRIEFING_CULL_AFTER", int, lambda: 60),
        metadata={
            "help": "閉じたページのカーネルを停止するまでの待ち時間（秒）",
            "env": "BRIEFING_CULL_AFTER",
        },
    )

    def drawing(self) -> dict[str, object]:
        """The settings a chart's picture depends on (``metadata['drawing']``): part of its cache key."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.metadata.get("drawing")}

    @property
    def connect_patience(self) -> int:
        """Seconds a page's kernel is kept for the page's browser to connect before idle culling
        may end it: a committee opening the dashboard at once on two cores took over ``cull_after``."""
        return 3 * self.cull_after

    def to_environment(self) -> dict[str, str]:
        """The settings Voilà's kernels must share with the server, as environment variables."""
        return {
            f.metadata["env"]: str(getattr(self, f.name))
            for f in fields(self)
            if "env" in f.metadata
        }

    def with_(self, **changes: object) -> Settings:
        """Return a copy with ``changes`` applied (the settings themselves never change)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def add_options(parser: argparse.ArgumentParser, *names: str) -> None:
    """Add the options of the settings ``names`` to a command, with the fields' help texts."""
    for f in fields(Settings):
        if f.name not in names:
            continue
        kinds: dict[str, Callable[[str], Any]] = {"int": int, "float": float, "Path": _path}
        kind = kinds.get(str(f.type).split(" ")[0], str)
        default = getattr(Settings(), f.name)
        parser.add_argument(
            f.metadata["option"],
            dest=f.name,
            type=kind,
            metavar=f.metadata.get("metavar"),
            help=f"{f.metadata['help']}（既定: {default}）",
        )


def from_options(args: argparse.Namespace) -> Settings:
    """The settings, with what was given on the command line in place of the defaults."""
    given = {f.name: getattr(args, f.name, None) for f in fields(Settings)}
    return Settings().with_(**{name: value for name, value in given.items() if value is not None})
