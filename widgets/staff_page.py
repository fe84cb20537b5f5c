"""The staff update panel for JupyterLab: pick or upload files, review, edit comments, save, undo.

It only wires the core's import steps (review → commit → undo) to controls; every check and
every write happens in ``briefing``. 「取り込むもの」 chooses between indicator figures and a survey
(G1 or G2: one respondent file or tabulation); an uploaded survey file is deleted from its
temporary folder as soon as it has been read, since only its counts are needed to save.
"""

from __future__ import annotations

import base64
import html
import tempfile
from pathlib import Path

import ipywidgets as w
import pandas as pd

from briefing import PREFECTURE, DataError, Settings, clock, load_dataset
from briefing.data.fiscal import FiscalYearError, fiscal_year_of, format_fy, parse_fy
from briefing.data.store import LockError, list_versions, undo, version_meta
from briefing.intake.apply import commit
from briefing.intake.records import RecordReview, record_review, record_review_html
from briefing.intake.review import Change, Review, proposed_comments, review, review_html
from briefing.intake.staff_name import remember_name, remembered_name
from briefing.intake.survey_apply import commit_survey
from briefing.intake.survey_review import SurveyReview, review_survey, review_survey_html
from briefing.labels import staff_text
from briefing.render.html import stylesheet
from briefing.stats.disclosure import DisclosureError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UpdatePanel(w.VBox):
    """One import at a time: files → 確認 → (comments) → 保存; 取り消し undoes the last save."""

    def __init__(self, *, settings: Settings | None = None):
        self.settings = settings or Settings()
        self.result: Review | SurveyReview | None = None
        self.paths: list[Path] = []
        self._uploaded: list[tempfile.TemporaryDirectory[str]] = []
        self.kind = w.ToggleButtons(
            options=[
                (staff_text("kind_figures"), ""),
                (staff_text("kind_g1"), "G1"),
                (staff_text("kind_g2"), "G2"),
            ],
            value="",
            description=staff_text("kind"),
            style={"description_width": "initial", "button_width": "auto"},
        )
        self.survey_fy = w.Text(
            placeholder=staff_text("survey_fy_hint"),
            description=staff_text("survey_fy"),
            layout=w.Layout(width="300px"),
        )
        self.records: RecordReview | None = None
        self.upload = w.FileUpload(
            accept=".xlsx,.xlsm,.csv", multiple=True, description=staff_text("upload")
        )
        self.path = w.Text(placeholder=staff_text("path_hint"), layout=w.Layout(width="480px"))
        self.overwrite = w.Checkbox(description=staff_text("overwrite"), value=False)
        # remembered on this PC after the first save; the login name says nothing on a shared PC
        self.by = w.Text(
            value=remembered_name(), placeholder=staff_text("by_hint"), description=staff_text("by")
        )
        self.check = w.Button(description=staff_text("check"), button_style="info")
        self.save = w.Button(description=staff_text("save"), button_style="success", disabled=True)
        self.revert = w.Button(description=staff_text("revert"), button_style="warning")
        self.message = w.HTML()
        # the new year's input workbook, to send to the agencies (the year just ended by default)
        self.template_fy = w.Text(
            value=format_fy(fiscal_year_of(clock.today()) - 1),
            description=staff_text("template_fy"),
            layout=w.Layout(width="220px"),
        )
        self.make_template = w.Button(description=staff_text("make_template"))
        self.template_link = w.HTML()
        self.make_template.on_click(lambda _: self.run_template())
        self.review = w.HTML()
        self.comments = w.VBox()
        self.check.on_click(lambda _: self.run_review())
        self.save.on_click(lambda _: self.run_save())
        self.revert.on_click(lambda _: self.run_undo())
        super().__init__(self._layout())

    def _layout(self) -> list[w.Widget]:
        """The page from top to bottom: what to import, the file, the review and the template."""
        return [
            w.HTML(f"<style>{stylesheet()}</style>"),
            w.HBox([self.kind, self.survey_fy]),
            w.HBox([self.upload, self.path]),
            w.HBox([self.overwrite, self.by]),
            w.HBox([self.check, self.save, self.revert]),
            self.message,
            self.review,
            self.comments,
            w.HTML(staff_text("template_heading")),
            w.HBox([self.template_fy, self.make_template]),
            self.template_link,
        ]

    def _files(self) -> list[Path]:
        """The typed paths and temporary copies of the uploaded files (those of an earlier check
        are deleted: each check copies the upload afresh)."""
        self._delete_copies()
        paths = [Path(p.strip()).expanduser() for p in self.path.value.split(",") if p.strip()]
        if self.upload.value:
            folder = tempfile.TemporaryDirectory(prefix="briefing-upload-")
            self._uploaded.append(folder)  # deleted at the latest when the kernel ends
            for item in self.upload.value:
                target = Path(folder.name) / Path(item["name"]).name
                target.write_bytes(bytes(item["content"]))
                paths.append(target)
        return paths

    def _delete_copies(self) -> None:
        for folder in self._uploaded:
            folder.cleanup()
        self._uploaded = []

    def _forget_uploads(self) -> None:
        """Delete the temporary copies of uploaded files and the upload's bytes held by the page
        (a survey's respondents must not stay): the review keeps only the counts."""
        self._delete_copies()
        if self.upload.value:
            self.upload.value = ()

    def _say(self, text: str, *, kind: str = "notice") -> None:
        self.message.value = f'<div class="mb"><div class="{kind}">{text}</div></div>'

    def run_review(self) -> Review | None:
        """Check the chosen files against the stored data; enable saving only when all is well."""
        self.save.disabled = True
        self.comments.children = ()
        self.paths = self._files()
        if not self.paths:
            self._say(staff_text("no_files"))
            return None
        try:
            ds = load_dataset(self.settings.data_dir)
        except DataError as error:
            self._say(html.escape(error.report()).replace("\n", "<br>"), kind="error")
            return None
        if self.kind.value:
            self.records = None
            try:
                return self._review_survey(ds)
            finally:
                self._forget_uploads()
        self.records = record_review(self.paths, ds)  # the year's accounts and the opinions
        self.result = review(
            self.paths,
            ds,
            overwrite_final=self.overwrite.value,
            recorded=self.records.changed_files,
        )
        self.result.problems = self.result.problems + self.records.problems
        self.review.value = review_html(self.result) + record_review_html(self.records)
        changes = (
            int((self.result.table["change"] != Change.UNCHANGED).sum())
            if len(self.result.table)
            else 0
        ) + (
            int((self.records.table["change"] != Change.UNCHANGED).sum())
            if len(self.records.table)
            else 0
        )
        if self.result.ok and changes:
            self.save.disabled = False
            self._say(staff_text("ready", changes=changes))
            if len(self.result.table):  # figures change: their comments can be edited
                self.comments.children = tuple(self._comment_boxes(ds))
        elif self.result.ok:
            self._say(staff_text("nothing_changes"))
        else:
            self._say(
                staff_text("problems", count=self.result.problem_count),
                kind="error",
            )
        return self.result

    def _review_survey(self, ds) -> SurveyReview | None:  # type: ignore[no-untyped-def]
        """Review one survey file as the chosen survey; only its counts are kept."""
        self.result = None
        if len(self.paths) != 1:
            self._say(staff_text("one_survey_file"), kind="error")
            return None
        try:
            fy = parse_fy(self.survey_fy.value) if self.survey_fy.value.strip() else None
        except FiscalYearError as error:
            self._say(html.escape(str(error)), kind="error")
            return None
        result = review_survey(self.paths[0], ds, self.kind.value, fy=fy, settings=self.settings)
        self.result = result
        self.review.value = review_survey_html(result)
        if result.ok and result.changed:
            self.save.disabled = False
            self._say(
                staff_text("survey_ready", survey=result.survey, fy=format_fy(result.fy or 0))
            )
        elif result.ok:
            self._say(staff_text("nothing_changes"))
        else:
            self._say(
                staff_text("problems", count=result.problem_count),
                kind="error",
            )
        return result

    def _comment_boxes(self, ds) -> list[w.Widget]:  # type: ignore[no-untyped-def]
        """One box per series and year being changed, holding the staff comment shown to members.

        A box starts with the file's comment or notes (``proposed_comments``), else the stored one.
        """
        assert self.result is not None
        stored = ds.history.set_index(["series", "fy", "area"])["comment"]
        proposed = proposed_comments(self.result, ds)
        changed = self.result.table[self.result.table["change"] != Change.UNCHANGED]
        boxes = []
        for series, fy in sorted(
            set(zip(changed["series"], changed["fy"].astype(int), strict=True))
        ):
            current = proposed.get((series, fy)) or stored.get((series, fy, PREFECTURE), "")
            box = w.Textarea(
                value="" if pd.isna(current) else str(current),
                description=f"{series} {format_fy(fy)}",
                layout=w.Layout(width="720px", height="48px"),
                style={"description_width": "140px"},
            )
            box.key = (series, fy)  # type: ignore[attr-defined]
            boxes.append(box)
        if not boxes:
            return []
        heading = staff_text("comments_heading")
        if proposed:
            heading += staff_text("comments_proposed")
        return [w.HTML(heading), *boxes]

    def run_save(self) -> str | None:
        if self.result is None or not self.result.ok:
            return None
        by = self.by.value.strip()
        if not by:
            self._say(
                staff_text("name_missing"),
                kind="error",
            )
            return None
        comments = {box.key: box.value for box in self.comments.children if hasattr(box, "key")}
        try:
            ds = load_dataset(self.settings.data_dir)
            if isinstance(self.result, SurveyReview):
                version = commit_survey(ds, self.result, by=by, settings=self.settings)
            else:
                version = commit(
                    ds,
                    self.result,
                    by=by,
                    files=[p.name for p in self.paths],
                    comments=comments,
                    records=self.records,
                )
        except (LockError, DataError, DisclosureError) as error:
            self._say(html.escape(str(error)), kind="error")
            return None
        if by != remembered_name():
            remember_name(by)
        self.save.disabled = True
        self._forget_uploads()  # saved: the file's copy on this PC is no longer needed
        when = clock.shown_text(str(version_meta(self.settings.data_dir, version).get("when", "")))
        self._say(staff_text("saved", version=version, when=html.escape(when), by=html.escape(by)))
        return version

    def run_template(self) -> str | None:
        """Offer the input workbook for the chosen year as a download link; returns its file name."""
        # openpyxl: only when asked (not in dashboards)
        from briefing.intake.survey_workbook import build_survey_template
        from briefing.intake.workbook import build_template

        survey = self.kind.value
        try:
            fy = parse_fy(self.template_fy.value)
            ds = load_dataset(self.settings.data_dir)
            workbook = build_survey_template(ds, survey, fy) if survey else build_template(ds, fy)
        except (FiscalYearError, DataError) as error:
            text = error.report() if isinstance(error, DataError) else str(error)
            self.template_link.value = (
                f'<div class="mb"><div class="error">{html.escape(text)}</div></div>'
            )
            return None
        name = f"survey_{survey}_{fy}.xlsx" if survey else f"update_{fy}.xlsx"
        data = base64.b64encode(workbook).decode("ascii")
        self.template_link.value = (
            f'<a download="{name}" href="data:{XLSX};base64,{data}">'
            + staff_text("template_link", name=name, fy=format_fy(fy))
            + "</a>"
        )
        return name

    def run_undo(self) -> str | None:
        versions = list_versions(self.settings.data_dir)
        if not versions:
            self._say(staff_text("nothing_to_undo"))
            return None
        meta = version_meta(self.settings.data_dir, versions[-1])
        try:
            version = undo(self.settings.data_dir)
        except LockError as error:
            self._say(html.escape(str(error)), kind="error")
            return None
        self._say(
            staff_text(
                "undone",
                when=html.escape(clock.shown_text(str(meta.get("when", version)))),
                by=html.escape(str(meta.get("by", ""))),
            )
        )
        return version
