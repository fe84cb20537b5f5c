"""One settings object for every tunable, read by the CLI, the widgets and the export alike."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

#: Environment variable that points notebooks, Voilà kernels and tests at another data directory.
DATA_ENV = "BRIEFING_DATA"

#: Seconds between keep-alive messages of a preheated kernel waiting for its viewer.
KEEPALIVE_ENV = "BRIEFING_KEEPALIVE"

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


def _default_data_dir() -> Path:
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser().resolve() if env else BUNDLED_DATA


@dataclass(frozen=True)
class Settings:
    """Every knob of the workbook, with the reason it exists in ``metadata['help']``."""

    data_dir: Path = field(
        default_factory=_default_data_dir,
        metadata={
            "help": f"データフォルダ（既定: リポジトリの data/、環境変数 {DATA_ENV} で変更可）"
        },
    )
    suppress_below: int = field(
        default=5,
        metadata={"help": "地域別の人数・件数がこの値未満（1以上）のとき「5未満」のように秘匿する"},
    )
    small_sample_n: int = field(
        default=30,
        metadata={"help": "調査の回答者数がこの値未満の割合は「参考値」と表示する"},
    )
    confidence: float = field(
        default=0.95, metadata={"help": "調査の割合に付ける信頼区間の水準（Wilson法）"}
    )
    palette: tuple[str, ...] = field(
        default=OKABE_ITO, metadata={"help": "グラフの色（色覚の多様性に配慮した Okabe–Ito 配色）"}
    )
    figure_size: tuple[float, float] = field(
        default=(6.4, 3.2), metadata={"help": "グラフの大きさ（インチ）"}
    )
    host: str = field(
        default="127.0.0.1",
        metadata={
            "help": "ダッシュボードの待ち受けアドレス（会議室のネットワークで共有するときは 0.0.0.0）"
        },
    )
    port: int = field(default=8866, metadata={"help": "ダッシュボードのポート番号"})
    staff_port: int = field(
        default=8867,
        metadata={"help": "担当者用ページ（briefing staff、このPCのみ）のポート番号"},
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
            "help": "あらかじめ起動しておくカーネルの数（1つ約150MB。0で無効）。委員が一斉に開く人数に近いほど速い"
        },
    )
    execution_timeout: int = field(
        default=20,
        metadata={
            "help": "ノートブック1セルの実行待ちの上限（秒）。止まった実行をこの時間で打ち切る"
        },
    )
    cull_after: int = field(
        default=60,
        metadata={"help": "閉じたページのカーネルを停止するまでの待ち時間（秒）"},
    )

    def with_(self, **changes: object) -> Settings:
        """Return a copy with ``changes`` applied (the settings themselves never change)."""
        return replace(self, **changes)  # type: ignore[arg-type]


def help_text() -> dict[str, str]:
    """Field name → Japanese help text, for ``--help`` output and the README."""
    return {f.name: f.metadata.get("help", "") for f in fields(Settings)}
