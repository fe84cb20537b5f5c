"""Staff bring new figures and the committee's record (accounts, opinions) in: the Excel workbook to fill, reading it, the review, and the save.

A save goes through :mod:`briefing.data.store` (atomic, the previous version kept, undo).
"""

from .apply import commit
from .importer import read_entries
from .records import RecordReview, record_review, record_review_text
from .review import Change, Review, review, review_html, review_text
from .staff_name import remember_name, remembered_name
from .workbook import build_template

__all__ = [
    "Change",
    "RecordReview",
    "Review",
    "build_template",
    "commit",
    "read_entries",
    "record_review",
    "record_review_text",
    "remember_name",
    "remembered_name",
    "review",
    "review_html",
    "review_text",
]
