"""Fiscal years as Japanese offices write them are read into the Gregorian start year and shown as 令和."""

from __future__ import annotations

import re

import pytest

from briefing import FiscalYearError, format_fy, parse_fy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (2020, 2020),
        ("2020", 2020),
        ("2020年度", 2020),
        ("FY2020", 2020),
        ("fy 2020", 2020),
        ("R2", 2020),
        ("R2年度", 2020),
        ("令和2年度", 2020),
        ("令和元年度", 2019),
        ("平成31年度", 2019),
        ("令和２年度", 2020),  # full-width digit
        ("Ｒ６", 2024),  # full-width letter and digit
        ("  令和3年度  ", 2021),
    ],
)
def test_parse_fy_reads_what_offices_write(text: object, expected: int) -> None:
    assert parse_fy(text) == expected


def test_reiwa_gannen_and_heisei_31_are_the_same_fiscal_year() -> None:
    assert parse_fy("令和元年度") == parse_fy("平成31年度") == parse_fy("R1") == 2019


def test_format_fy_shows_reiwa() -> None:
    assert format_fy(2020) == "令和2年度"
    assert format_fy(2024) == "令和6年度"


def test_format_fy_uses_gannen_for_the_first_reiwa_year() -> None:
    assert format_fy(2019) == "令和元年度"


def test_format_fy_in_english() -> None:
    assert format_fy(2020, lang="en") == "FY2020"


def test_an_english_charts_year_axis_reads_fy_and_two_digits() -> None:
    # the labels under an English chart's x axis (charts.figures), where the long form crowds
    assert [format_fy(fy, lang="en", short=True) for fy in (2009, 2025, 2100)] == [
        "FY09",
        "FY25",
        "FY00",
    ]


@pytest.mark.parametrize("fy", [2019, 2020, 2021, 2024, 2025, 2030])
def test_format_then_parse_gives_the_year_back(fy: int) -> None:
    assert parse_fy(format_fy(fy)) == fy
    assert parse_fy(format_fy(fy, lang="en")) == fy


_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize(
    "bad",
    ["abc", "", "令和", "平成32年度", "R0", "1900", True, 2020.5],
    ids=["letters", "empty", "era-only", "heisei-32", "R0", "1900", "bool", "float"],
)
def test_parse_fy_rejects_with_a_japanese_message_naming_the_text(bad: object) -> None:
    with pytest.raises(FiscalYearError) as caught:
        parse_fy(bad)
    message = str(caught.value)
    assert _JAPANESE.search(message), message
    assert f"「{bad}」" in message, message


def test_fiscal_year_error_is_a_value_error() -> None:
    # callers that already catch ValueError (e.g. around int()) keep working
    with pytest.raises(ValueError):
        parse_fy("abc")


@pytest.mark.parametrize(
    ("fy", "written", "short"),
    [
        (1989, "平成元年度", "H1"),
        (1990, "平成2年度", "H2"),
        (2018, "平成30年度", "H30"),
        (1988, "昭和63年度", "S63"),
    ],
)
def test_heisei_and_showa_years_read_as_offices_write_them(
    fy: int, written: str, short: str
) -> None:
    """Old baselines and files still say 平成: FY2018 is 平成30年度 (H30), FY1989 平成元年度."""
    assert format_fy(fy) == written and format_fy(fy, short=True) == short
    assert parse_fy(written) == parse_fy(short) == fy


def test_every_year_round_trips_through_its_japanese_forms() -> None:
    years = range(1950, 2031)  # 昭和25年度 … 令和12年度
    wrong = {
        fy: (format_fy(fy), format_fy(fy, short=True))
        for fy in years
        if not parse_fy(format_fy(fy)) == parse_fy(format_fy(fy, short=True)) == fy
    }
    assert wrong == {}


def test_heisei_31_and_reiwa_gannen_name_one_year_that_reads_as_reiwa() -> None:
    assert parse_fy("平成31年度") == parse_fy("H31") == parse_fy("令和元年度") == 2019
    assert format_fy(2019) == "令和元年度" and format_fy(2019, short=True) == "R1"


@pytest.mark.parametrize(
    ("day", "fy"),
    [((2026, 3, 31), 2025), ((2026, 4, 1), 2026), ((2026, 1, 1), 2025), ((2025, 12, 31), 2025)],
)
def test_january_to_march_belong_to_the_fiscal_year_before(
    day: tuple[int, int, int], fy: int
) -> None:
    import datetime as dt

    from briefing.data.fiscal import fiscal_year_of

    assert fiscal_year_of(dt.date(*day)) == fy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("r6", 2024),
        ("h30", 2018),
        ("s60", 1985),
        ("令和 6 年", 2024),
        (2020.0, 2020),
        ("R99", None),
    ],
    ids=["r6", "h30", "s60", "spaces-and-nen", "float", "reiwa-99"],
)
def test_lower_case_eras_spaces_and_whole_floats_are_read(
    text: object, expected: int | None
) -> None:
    """Excel hands over 2020.0 for a number cell; people type r6 or 令和 6 年."""
    if expected is None:
        with pytest.raises(FiscalYearError, match="範囲外"):
            parse_fy(text)
    else:
        assert parse_fy(text) == expected


@pytest.mark.parametrize("fy", [1949, 2101, "1949", "FY2101"])
def test_years_outside_1950_to_2100_are_refused_naming_the_range(fy: object) -> None:
    with pytest.raises(FiscalYearError) as caught:
        parse_fy(fy)
    assert str(caught.value) == (
        f"年度「{fy}」は範囲外です（1950〜2100年度の間で指定してください）。"
    )


def test_the_first_and_last_accepted_years() -> None:
    assert parse_fy(1950) == parse_fy("昭和25年度") == 1950
    assert parse_fy("2100") == 2100 and format_fy(2100) == "令和82年度"


def test_an_unreadable_year_says_how_to_write_one() -> None:
    with pytest.raises(FiscalYearError) as caught:
        parse_fy("来年度")
    assert str(caught.value) == (
        "年度「来年度」を読み取れません。"
        "「2024」「2024年度」「FY2024」「R6」「令和6年度」「令和元年度」のように書いてください。"
    )


@pytest.mark.parametrize(
    ("fy", "written", "short"),
    [(1926, "昭和元年度", "S1"), (1950, "昭和25年度", "S25"), (2019, "令和元年度", "R1")],
)
def test_the_first_year_of_an_era_is_gannen(fy: int, written: str, short: str) -> None:
    assert format_fy(fy) == written and format_fy(fy, short=True) == short
