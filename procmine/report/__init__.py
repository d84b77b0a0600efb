"""The current-state survey report (现状调研分析报告): one call from a log to HTML, Markdown and Word.

    >>> report = procmine.build_report(log, target="3wd")      # doctest: +SKIP
    >>> report.write_all("procmine_report")                     # doctest: +SKIP
    {'html': ..., 'markdown': ..., 'files': ..., 'docx': ...}

``build.py`` gathers the analyses into sections (``sections.py``; words in ``text.py``);
``html.py``, ``markdown.py`` and ``docx.py`` write the same :class:`SurveyReport` three ways.
"""

from procmine.report.build import build_report
from procmine.report.model import Bullets, Chart, Heading, Note, Paragraph, Section, SurveyReport, Table

__all__ = ["build_report", "SurveyReport", "Section", "Heading", "Paragraph", "Bullets", "Note", "Table", "Chart"]
