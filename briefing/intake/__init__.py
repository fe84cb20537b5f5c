"""Staff bring new figures in: the Excel workbook to fill, reading it, the review, and the save;
the year's survey results (G1, G2) the same way, from respondent files or tabulations; and the
committee's record (the prefecture's accounts, the members' opinions and the responses).

A save goes through :mod:`briefing.data.store` (atomic, the previous version kept, undo).
"""

from .apply import commit
from .importer import read_entries
from .records import RecordReview, record_review, record_review_text
from .review import Change, Review, review, review_html, review_text
from .staff_name import remember_name, remembered_name
from .survey_apply import commit_survey
from .survey_review import SurveyReview, review_survey, review_survey_html, review_survey_text
from .survey_workbook import build_survey_template
from .workbook import build_template

__all__ = [
    "Change",
    "RecordReview",
    "Review",
    "SurveyReview",
    "build_survey_template",
    "build_template",
    "commit",
    "commit_survey",
    "read_entries",
    "record_review",
    "record_review_text",
    "remember_name",
    "remembered_name",
    "review",
    "review_html",
    "review_survey",
    "review_survey_html",
    "review_survey_text",
    "review_text",
]
