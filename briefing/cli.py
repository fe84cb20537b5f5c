"""Command line: ``briefing check | audit | serve | staff | export | publish | template | import | undo |
sample`` (Japanese output; exit 0 only when all is well)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from .config import Settings, add_options, from_options
from .data.dataset import Dataset, load_dataset
from .data.problems import DataError

if TYPE_CHECKING:
    from .charts.figcache import Drawers
    from .intake.records import RecordReview
    from .intake.review import Review
    from .intake.survey_review import SurveyReview


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = from_options(args)
    try:
        return int(args.run(args, settings) or 0)
    except DataError as error:
        print(error.report(), file=sys.stderr)
        return 1


#: The subcommands' collection (argparse names its type privately)
_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

#: Each command's one line in ``briefing --help``, in the order listed there
_HELP = {
    "check": "データフォルダを検証して概要を表示する",
    "audit": "伏せた値（5未満）が公表する値から逆算できないかを整数計画法で確かめる",
    "serve": "ダッシュボード（Voilà）を起動する",
    "staff": "担当者用ページ（取り込み・確認・コメント・保存・取り消し）をこのPCだけで開く",
    "export": "静的な HTML 資料（1ファイル、オフラインで開けて A4 で印刷できる）を作る",
    "publish": "県民向けの公開サイト（HTML と CSS だけ、日本語と英語、地域・取組ごとのページと CSV）を作る",
    "template": "数値（または調査の集計表）を入力する Excel テンプレートを作る",
    "import": "Excel / CSV の数値を確認して取り込む（問題があれば何も保存しない）",
    "undo": "直前の取り込みを取り消し、その前のファイルに戻す",
    "sample": "架空のサンプルデータを生成する（ベンチマーク用の拡大も可）",
}


def _parser() -> argparse.ArgumentParser:
    """Every command in the order ``briefing --help`` lists them; settings options come from
    :class:`~briefing.config.Settings`, the rest belong to one command each."""
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="三重県ひきこもり支援推進計画 委員会ブリーフィング・ワークブック",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    _command(commands, "check", _check, "data_dir")
    _command(commands, "audit", _audit, "data_dir")
    _command(commands, "serve", _serve, "data_dir", "host", "port", "kernel_pool")
    staff = _command(commands, "staff", _staff, "data_dir", "staff_port")
    staff.add_argument(
        "--no-browser", action="store_true", help="ブラウザを開かない（アドレスだけ表示する）"
    )
    _export_options(_command(commands, "export", _export, "data_dir"))
    _publish_options(_command(commands, "publish", _publish, "data_dir"))
    _template_command(commands)
    _import_command(commands)
    _command(commands, "undo", _undo, "data_dir")
    _sample_command(commands)
    return parser


def _command(
    commands: _Commands, name: str, run: object, *settings: str
) -> argparse.ArgumentParser:
    """A command that ``run``s with the options of the ``settings`` named."""
    command = commands.add_parser(name, help=_HELP[name])
    add_options(command, *settings)
    command.set_defaults(run=run)
    return command


def _export_options(export: argparse.ArgumentParser) -> None:
    """What to put in the briefing (direction, area, years, updates since), its date, language
    and where to write it."""
    export.add_argument(
        "--direction",
        type=int,
        choices=range(1, 7),
        metavar="N",
        help="取組方向 1〜6（省略で全体）",
    )
    export.add_argument("--area", help="県全体・地域名・市町名・団体コード（既定: 県全体）")
    export.add_argument(
        "--from", dest="fy_from", metavar="FY", help="開始年度（2021、R3、令和3年度 など）"
    )
    export.add_argument("--to", dest="fy_to", metavar="FY", help="終了年度")
    export.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        help="この日以降に追加・更新された値を「前回からの更新」に載せる",
    )
    export.add_argument("--date", metavar="YYYY-MM-DD", help="作成日として載せる日付（既定: 今日）")
    export.add_argument(
        "--lang", choices=("ja", "en"), default="ja", help="資料の言語（既定: ja。en で英語の資料）"
    )
    where = export.add_mutually_exclusive_group(required=True)
    where.add_argument("-o", "--output", metavar="FILE.html", help="出力するファイル")
    where.add_argument(
        "--each-area",
        action="store_true",
        help="県全体と5地域のそれぞれについて作り、一覧ページを付ける（--outdir と一緒に）",
    )
    export.add_argument("--outdir", metavar="DIR", help="--each-area の出力フォルダ")


def _publish_options(publish: argparse.ArgumentParser) -> None:
    publish.add_argument("--outdir", required=True, metavar="DIR", help="出力するフォルダ")
    publish.add_argument(
        "--lang",
        choices=("ja", "en", "both"),
        default="both",
        help="言語（既定: both。日本語はフォルダの直下、英語は en/ に置く）",
    )


def _template_command(commands: _Commands) -> None:
    template = commands.add_parser("template", help=_HELP["template"])
    template.add_argument(
        "--fy",
        help="入力する年度（2025、R7、令和7年度 など。指標では必須、調査では省略すると前年度）",
    )
    template.add_argument(
        "--direction", type=int, choices=range(1, 7), metavar="N", help="取組方向 1〜6 だけにする"
    )
    template.add_argument(
        "--survey",
        choices=("G1", "G2"),
        help="調査の集計表（G1 県民意識調査: 地域×年代、G2 相談支援機関調査: 地域×機関の種類）を作る",
    )
    template.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    add_options(template, "data_dir")
    template.set_defaults(run=_template)


def _import_command(commands: _Commands) -> None:
    imp = commands.add_parser("import", help=_HELP["import"])
    imp.add_argument(
        "files", nargs="+", metavar="FILE", help="テンプレートに入力した .xlsx、または CSV"
    )
    imp.add_argument(
        "--survey",
        choices=("G1", "G2"),
        help="調査の結果（回答者ごとのファイルか集計表、1ファイル）として取り込む",
    )
    imp.add_argument(
        "--fy",
        help="調査の年度（--survey と一緒に。省略するとファイルの表題の年度）",
    )
    imp.add_argument(
        "--question",
        metavar="TEXT",
        help="回答者ごとのファイルに設問の列が複数あるとき、取り込む列の見出しの一部（例: 問15）",
    )
    imp.add_argument("--dry-run", action="store_true", help="確認だけして保存しない")
    imp.add_argument("--overwrite-final", action="store_true", help="確定値の変更を許可する")
    imp.add_argument(
        "--by",
        help="変更記録に残す担当者名（既定: このPCで前回使った名前。初めてのときは尋ねて、このPCに記憶する）",
    )
    add_options(imp, "data_dir")
    imp.set_defaults(run=_import)


def _sample_command(commands: _Commands) -> None:
    sample = commands.add_parser("sample", help=_HELP["sample"])
    sample.add_argument(
        "--outdir", "-o", required=True, metavar="DIR", help="出力するデータフォルダ"
    )
    sample.add_argument("--scale", type=int, default=1, help="年度数の倍率（既定: 1）")
    sample.add_argument("--seed", type=int, default=2022, help="乱数の種（既定: %(default)s）")
    sample.set_defaults(run=_sample)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from .stats.summary import describe

    print(describe(load_dataset(settings.data_dir)))
    return 0


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    from collections import Counter

    from .stats.disclosure import audited, disclosure, findings_text
    from .stats.suppression import COMPLEMENT, SMALL

    ds = load_dataset(settings.data_dir)
    threshold = settings.suppress_below
    found = disclosure(ds, threshold)  # solved afresh: an audit does not trust a stored answer
    result = audited(ds, threshold, found=found)
    kinds = Counter(
        why if why in (SMALL, COMPLEMENT) else "partial" for why in found.withheld.reasons.values()
    )
    print(
        f"伏せた値: 「{threshold}未満」 {kinds[SMALL]} 件、「秘匿」 {kinds[COMPLEMENT]} 件、"
        f"「一部の市町のみ」 {kinds['partial']} 件。割合を伏せた調査の区分: {len(found.groups)} 件。"
    )
    if result.passed:
        print(
            f"監査に合格: 伏せた {result.checked} 件（{threshold}未満の値と、回答者 {threshold} 人未満の調査の区分）の"
            "どれも、公表する値・変化・割合・回答者数と合計の関係から絞り込めません。"
        )
        return 0
    print(f"監査で {len(result.findings)} 件の問題が見つかりました:", file=sys.stderr)
    for line in findings_text(ds, result, threshold):
        print(f"- {line}", file=sys.stderr)
    return 1


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from .server import serve
    from .stats.disclosure import disclosure

    ds = load_dataset(settings.data_dir)  # a broken data file is reported here, before anyone waits
    # the withheld cells are chosen once here, not by every pool kernel at the same moment
    disclosure(ds, settings.suppress_below, settings.disclosure_dir)
    return serve(settings)


def _staff(args: argparse.Namespace, settings: Settings) -> int:
    from .server import staff

    load_dataset(settings.data_dir)  # a broken data file is reported here, before the page opens
    return staff(settings, open_browser=not args.no_browser)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from .charts import figures
    from .charts.figcache import FORK, Drawers, FigureCache
    from .data.dataset import data_version

    # with nothing drawn yet for this data, fork the drawing processes first: matplotlib then
    # loads (~0.4 s) while the data loads and the briefing renders, instead of after them
    cold = FigureCache(settings.cache_dir, data_version(settings.data_dir)).cold and FORK
    with Drawers(figures.prepare) if cold else contextlib.nullcontext() as drawers:
        return _write_briefings(args, settings, drawers)


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    from .render.site import LANGS, publish_site
    from .stats.disclosure import DisclosureError

    ds = load_dataset(settings.data_dir)
    langs = LANGS if args.lang == "both" else (args.lang,)
    try:
        paths = publish_site(ds, Path(args.outdir), langs=langs, settings=settings)
    except DisclosureError as error:
        print(error, file=sys.stderr)
        return 1
    pages = sum(p.suffix == ".html" for p in paths)
    print(
        f"{args.outdir} に {pages} ページと {len(paths) - pages} ファイルを書き出しました（入口: index.html）。"
    )
    return 0


def _write_briefings(args: argparse.Namespace, settings: Settings, drawers: Drawers | None) -> int:
    from .render.export import export_each_area, export_file, resolve_options
    from .stats.disclosure import DisclosureError

    options = {
        "direction": args.direction,
        "fy_from": args.fy_from,
        "fy_to": args.fy_to,
        "since": args.since,
        "generated": args.date,
    }
    try:
        if args.each_area:
            if not args.outdir:
                raise ValueError("--each-area には --outdir DIR も指定してください。")
            if args.area:
                raise ValueError(
                    "--each-area は県全体と5地域のすべてを作るため、--area とは一緒に使えません。"
                )
            ds = load_dataset(settings.data_dir)
            filters, since, generated = resolve_options(ds, area=None, **options)
            filters = filters.with_(lang=args.lang)
            paths = export_each_area(
                ds,
                Path(args.outdir),
                filters,
                settings=settings,
                since=since,
                generated=generated,
                drawers=drawers,
            )
            print(
                f"{len(paths)} ファイルを {args.outdir} に書き出しました（一覧: {paths[0].name}）。"
            )
            return 0
        output = export_file(
            args.output,
            settings=settings,
            area=args.area or "県全体",
            drawers=drawers,
            lang=args.lang,
            **options,
        )
    except DisclosureError as error:
        print(error, file=sys.stderr)
        return 1
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"{output} を書き出しました（{output.stat().st_size / 1024:,.0f} KB）。")
    return 0


def _template(args: argparse.Namespace, settings: Settings) -> int:
    from . import clock
    from .data.files import write_atomic
    from .data.fiscal import FiscalYearError, fiscal_year_of, format_fy, parse_fy
    from .intake.survey_workbook import build_survey_template
    from .intake.workbook import build_template

    if args.survey and args.direction:
        print("--survey と --direction は一緒に使えません。", file=sys.stderr)
        return 2
    if not args.survey and not args.fy:
        print("--fy で年度を指定してください（例: --fy R7）。", file=sys.stderr)
        return 2
    try:
        fy = parse_fy(args.fy) if args.fy else fiscal_year_of(clock.today()) - 1
    except FiscalYearError as error:
        print(error, file=sys.stderr)
        return 2
    ds = load_dataset(settings.data_dir)
    output = Path(args.output)
    if args.survey:
        write_atomic(output, build_survey_template(ds, args.survey, fy))
        print(
            f"{output} を作成しました（{args.survey} {format_fy(fy)} の集計表）。黄色のセルに人数を入力して、"
            f"briefing import {output.name} --survey {args.survey} で取り込みます。"
        )
        return 0
    write_atomic(output, build_template(ds, fy, direction=args.direction))
    print(
        f"{output} を作成しました（{format_fy(fy)}）。黄色のセルに入力して、briefing import {output.name} で取り込みます。"
    )
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from .intake.records import record_review, record_review_text
    from .intake.review import Change, review, review_text

    if args.survey:
        return _import_survey(args, settings)
    if args.fy or args.question:
        print(
            "--fy と --question は調査の取り込み（--survey G1 / G2）のときだけ使えます。",
            file=sys.stderr,
        )
        return 2
    ds = load_dataset(settings.data_dir)
    paths = [Path(f) for f in args.files]
    records = record_review(paths, ds)
    result = review(paths, ds, overwrite_final=args.overwrite_final, recorded=records.changed_files)
    if records.files and not result.entries and not result.problems:
        print("数値: なし（取組の報告・委員会意見のみ）")
    else:
        print(review_text(result, ds))
    if len(records.table):
        print("\n" + record_review_text(records))
    result.problems = result.problems + records.problems
    figures_change = bool(len(result.table)) and (result.table["change"] != Change.UNCHANGED).any()
    stop = _not_saved(result, dry_run=args.dry_run, changed=figures_change or records.changed)
    return stop if stop is not None else _save_import(args, settings, ds, result, records)


def _save_import(
    args: argparse.Namespace,
    settings: Settings,
    ds: Dataset,
    result: Review,
    records: RecordReview,
) -> int:
    """Save the reviewed figures and records in one version (exit codes: ``_save``)."""
    from .intake.apply import commit

    files = [Path(f).name for f in args.files]
    return _save(
        lambda by: commit(ds, result, by=by, files=files, settings=settings, records=records),
        args.by,
        settings,
    )


def _import_survey(args: argparse.Namespace, settings: Settings) -> int:
    """``briefing import FILE --survey G1|G2``: review one survey file, then save its counts."""
    from .data.fiscal import FiscalYearError, parse_fy
    from .intake.survey_apply import commit_survey
    from .intake.survey_review import review_survey, review_survey_text

    if len(args.files) != 1:
        print(
            "調査の取り込みは1ファイルずつです（G1 と G2 は別々に取り込みます）。", file=sys.stderr
        )
        return 2
    try:
        fy = parse_fy(args.fy) if args.fy else None
    except FiscalYearError as error:
        print(error, file=sys.stderr)
        return 2
    ds = load_dataset(settings.data_dir)
    path = Path(args.files[0])
    result = review_survey(path, ds, args.survey, fy=fy, question=args.question, settings=settings)
    print(review_survey_text(result))
    stop = _not_saved(result, dry_run=args.dry_run, changed=result.changed)
    if stop is not None:
        return stop
    return _save(
        lambda by: commit_survey(ds, result, by=by, settings=settings),
        args.by,
        settings,
        after=f"元のファイル {path.name} はデータフォルダに写していません。",
    )


def _not_saved(result: Review | SurveyReview, *, dry_run: bool, changed: bool) -> int | None:
    """The exit code of a reviewed import that stops before saving (1: problems, listed; 0:
    ``--dry-run`` or nothing would change), None when it is to be saved."""
    if not result.ok:
        print(
            f"\n問題が {result.problem_count:,} 件あります。何も保存していません。直してからもう一度実行してください。",
            file=sys.stderr,
        )
        for problem in result.problems:
            print(f"- {problem}", file=sys.stderr)
        return 1
    if dry_run:
        print("\n確認のみ（--dry-run）: 保存していません。")
        return 0
    if not changed:
        print("\n変わる値がないため、保存しませんでした。")
        return 0
    return None


def _save(
    save: Callable[[str], str], given_by: str | None, settings: Settings, after: str = ""
) -> int:
    """Save under the staff member's name and say how to undo it; exit 2 without a name, 3 when
    another save holds the lock, 1 when the audit refuses."""
    from . import clock
    from .data.store import LockError, version_meta
    from .stats.disclosure import DisclosureError

    by = _staff_name(given_by)
    if not by:
        print(
            "\n担当者名がないため保存しませんでした。--by 名前（例: --by 福祉課山田）を付けて、もう一度実行してください（次回からはこのPCに記憶した名前を使います）。",
            file=sys.stderr,
        )
        return 2
    try:
        version = save(by)
    except LockError as error:
        print(error, file=sys.stderr)
        return 3
    except DisclosureError as error:
        print(error, file=sys.stderr)
        return 1
    meta = version_meta(settings.data_dir, version)
    print(
        f"\n保存しました（版 {version}、{clock.shown_text(str(meta.get('when', '')))}、{by}）。"
        f"{after}取り消すときは: briefing undo"
    )
    return 0


def _staff_name(given: str | None) -> str:
    """The name for the change record: ``--by``, else the one remembered on this PC, else asked
    once at a terminal. A name given or typed becomes this PC's default."""
    from .intake.staff_name import remember_name, remembered_name

    remembered = remembered_name()
    name = (given or "").strip() or remembered
    if not name and sys.stdin.isatty():
        name = input(
            "担当者名（変更記録に残ります。このPCに記憶し、次回からは尋ねません）: "
        ).strip()
    if name and name != remembered:
        remember_name(name)
    return name


def _undo(args: argparse.Namespace, settings: Settings) -> int:
    from . import clock
    from .data.store import LockError, list_versions, undo, version_meta

    versions = list_versions(settings.data_dir)
    meta = version_meta(settings.data_dir, versions[-1]) if versions else {}
    try:
        version = undo(settings.data_dir)
    except LockError as error:
        print(error, file=sys.stderr)
        return 3
    if version is None:
        print("取り消せる取り込みはありません。", file=sys.stderr)
        return 1
    inputs = "、".join(str(i) for i in meta.get("inputs", [])) or "不明"  # type: ignore[attr-defined]
    print(
        f"取り込み（{clock.shown_text(str(meta.get('when', version)))}、{meta.get('by', '不明')}、{inputs}）を取り消し、その前のファイルに戻しました。"
    )
    return 0


def _sample(args: argparse.Namespace, settings: Settings) -> int:
    from .data.sample import generate

    outdir = Path(args.outdir)
    generate(outdir, seed=args.seed, scale=args.scale)
    print(
        f"サンプルデータを {outdir} に書き出しました（倍率 {args.scale}、乱数の種 {args.seed}）。"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
