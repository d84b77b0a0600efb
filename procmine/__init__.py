"""procmine: current-state analysis (现状调研) of enterprise approval processes.

    >>> import procmine
    >>> log = procmine.read_log("sample_logs/合同审批.csv")    # doctest: +SKIP
    >>> pmap = procmine.discover(log)                          # doctest: +SKIP
    >>> pmap.save("current_flowchart.png")                     # doctest: +SKIP

The story of the package follows the survey: read → check → discover → analyse (bottlenecks,
kpis, find_loops, improvement_candidates, in working time under a Calendar) → (compare → report). pm4py is the engine behind ``discover_bpmn``; its types never appear in procmine's
signatures.
"""

__version__ = "0.1.0"

from procmine._memory import keep_freed_memory

keep_freed_memory()  # (the command line's analyses: before anything loads polars)


from procmine.analyse.bottlenecks import Bottlenecks, bottlenecks
from procmine.analyse.cases import CaseNotFoundError, CaseTable, CaseTimeline, case_table, case_timeline
from procmine.analyse.improve import ImprovementReport, improvement_candidates
from procmine.analyse.kpi import KPIReport, kpis
from procmine.analyse.loops import LoopReport, find_loops
from procmine.analyse.monitoring import MonthlyKPIs, StuckCases, monthly_kpis, stuck_cases
from procmine.analyse.variants import VariantExplorer, explore_variants
from procmine.calendar import Calendar
from procmine.check import DataQualityReport, Finding
from procmine.compare import Comparison, Design, compare, read_design
from procmine.compare.periods import PeriodComparison, compare_periods
from procmine.chart.interactive import InteractiveMap, interactive_map
from procmine.discover import BpmnModel, ProcessMap, discover, discover_bpmn
from procmine.errors import (
    ColumnError, DataQualityError, DesignError, EmptyLogError, LogFileError, MinerTimeout, OutputError, ProcmineError,
    TimestampError,
)
from procmine.log import EventLog, LogSummary
from procmine.read import read_log
from procmine.read.emails import read_emails
from procmine.report import SurveyReport, build_report

__all__ = [
    "explore_variants", "VariantExplorer", "case_table", "CaseTable", "case_timeline", "CaseTimeline",
    "CaseNotFoundError",
    "read_log", "read_emails", "discover", "discover_bpmn", "interactive_map", "InteractiveMap", "bottlenecks", "kpis", "find_loops", "improvement_candidates",
    "build_report", "SurveyReport",
    "read_design", "compare", "Design", "Comparison", "compare_periods", "PeriodComparison",
    "stuck_cases", "StuckCases", "monthly_kpis", "MonthlyKPIs", "Calendar", "Bottlenecks", "KPIReport", "LoopReport", "ImprovementReport",
    "EventLog", "LogSummary", "ProcessMap", "BpmnModel", "DataQualityReport", "Finding",
    "ProcmineError", "LogFileError", "ColumnError", "TimestampError", "EmptyLogError", "DataQualityError",
    "OutputError", "DesignError", "MinerTimeout",
]
