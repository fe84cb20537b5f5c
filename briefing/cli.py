"""Command line: ``briefing check | serve | sample`` (Japanese output, exit code 0 only when all is well)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import DATA_ENV, Settings
from .dataset import load_dataset
from .problems import DataError


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings()
    if getattr(args, "data", None):
        settings = settings.with_(data_dir=Path(args.data).resolve())
    try:
        return int(args.run(args, settings) or 0)
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="三重県ひきこもり支援推進計画 委員会ブリーフィング・ワークブック",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    data_help = f"データフォルダ（既定: リポジトリの data/ または環境変数 {DATA_ENV}）"

    check = commands.add_parser("check", help="データフォルダを検証して概要を表示する")
    check.add_argument("--data", metavar="DIR", help=data_help)
    check.set_defaults(run=_check)

    serve = commands.add_parser("serve", help="ダッシュボード（Voilà）を起動する")
    serve.add_argument("--data", metavar="DIR", help=data_help)
    serve.add_argument("--port", type=int, default=Settings().port, help="ポート番号（既定: %(default)s）")
    serve.add_argument(
        "--host",
        default=Settings().host,
        help="待ち受けアドレス（既定: %(default)s＝このPCのみ。会議室のネットワークで共有するときは 0.0.0.0）",
    )
    serve.set_defaults(run=_serve)

    sample = commands.add_parser("sample", help="架空のサンプルデータを生成する（ベンチマーク用の拡大も可）")
    sample.add_argument("--outdir", "-o", required=True, metavar="DIR", help="出力するデータフォルダ")
    sample.add_argument("--scale", type=int, default=1, help="年度数の倍率（既定: 1）")
    sample.add_argument("--seed", type=int, default=2022, help="乱数の種（既定: %(default)s）")
    sample.set_defaults(run=_sample)
    return parser


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from .summary import describe

    print(describe(load_dataset(settings.data_dir)))
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from .server import serve

    load_dataset(settings.data_dir)  # a broken data file is reported here, before anyone waits
    return serve(settings.with_(host=args.host, port=args.port))


def _sample(args: argparse.Namespace, settings: Settings) -> int:
    from .sample import generate

    outdir = Path(args.outdir)
    generate(outdir, seed=args.seed, scale=args.scale)
    print(f"サンプルデータを {outdir} に書き出しました（倍率 {args.scale}、乱数の種 {args.seed}）。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
