"""Simulate three Chinese OA approval-log exports and write their ground truth.

The logs look like what a 流程现状调研 (current-state process study) receives from a client's OA
system: a GBK CSV of contract approvals, an Excel sheet of expense reimbursements with the
usual export dirt, and a UTF-8 CSV of customer-complaint handling that follows the company's
method document. Each log comes with ``<name>.truth.json``, which states what was injected
(bottlenecks, loops, rule violations, data-quality problems, cases still in progress) so that
procmine's findings can be checked against it.

Everything is driven by ``random.Random`` seeded from ``--seed`` and the log's name, and by
``chinese_calendar`` (statutory holidays and 调休 make-up working days). Nothing depends on
the current time, so two runs with the same arguments write byte-identical files.

Times are naive Asia/Shanghai local time. Internally a moment is an ``int``: seconds since
2025-01-01 00:00 local time (China has no daylight saving, so plain arithmetic is exact).

Usage::

    python sample_logs/simulate.py                       # all three logs, seed 2025
    python sample_logs/simulate.py --only contract --cases 100000 --out /tmp/bench
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import re
import statistics
import zipfile
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import chinese_calendar
import openpyxl
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

# ---------------------------------------------------------------------------------------
# Time frame and working hours
# ---------------------------------------------------------------------------------------

DEFAULT_SEED = 2025
MINUTE, HOUR, DAY = 60, 3600, 86400
WORKING_DAY_HOURS = 8

EPOCH = datetime(2025, 1, 1)                   # moment 0; naive Asia/Shanghai
CALENDAR_LAST_DAY = date(2025, 12, 31)         # chinese_calendar knows holidays up to here
PERIOD_START = datetime(2025, 1, 2, 9, 0)      # first possible submission
LAST_SUBMISSION = datetime(2025, 6, 13, 18, 0)  # finished cases are submitted up to here
EXPORT_AT = datetime(2025, 6, 30, 18, 0)       # the export: every event happens before it
#: Cases still open at export time are submitted in this window (the most recent ones).
IN_PROGRESS_SUBMISSIONS = (datetime(2025, 6, 16, 9, 0), datetime(2025, 6, 27, 18, 0))

#: Working periods of a working day, as (start, end) seconds after midnight.
WORKING_PERIODS = ((9 * HOUR, 12 * HOUR), (13 * HOUR, 18 * HOUR))
#: Share of actions done in the evening or on a weekend/holiday.
OFF_HOURS_SHARE = 0.05
EVENING = (18 * HOUR + 30 * MINUTE, 22 * HOUR + 30 * MINUTE)
NON_WORKING_DAYTIME = (9 * HOUR + 30 * MINUTE, 20 * HOUR)

#: Lognormal spread of step durations, and the cap (as a multiple of the median) that keeps
#: the tail of a six-month log believable.
DURATION_SIGMA = 0.75
DURATION_CAP = 6.0
#: A case that would finish after the export is re-drawn with fresh durations.
MAX_DRAWS = 200

# ---------------------------------------------------------------------------------------
# Organisation: departments and a fixed pool of people per department
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    """A department: its manager and its staff."""

    manager: str
    staff: tuple[str, ...]


DEPARTMENTS = {
    "销售部": Department("王建国", ("张伟", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰")),
    "市场部": Department("孙丽华", ("王芳", "吴昊", "郑雪", "冯晨", "何敏", "许倩")),
    "研发部": Department("刘志强", ("李强", "张敏", "王磊", "陈杰", "杨洋", "高鹏", "林峰", "罗静")),
    "采购部": Department("马晓东", ("胡斌", "朱琳", "郭涛", "梁燕", "宋佳")),
    "行政部": Department("谢红梅", ("韩雪", "唐亮", "董娟", "程丽", "徐斌")),
    "法务部": Department("曹文博", ("彭晓", "曾琦", "田甜")),
    "财务部": Department("袁立新", ("于洁", "蒋涛", "蔡文", "潘颖")),
    "总经理办公室": Department("钱志远", ("沈悦",)),
    "客服部": Department("杜鹃", ("叶明", "魏婷", "夏雨", "任佳", "姜楠", "方圆", "石磊")),
    "品控部": Department("邱明", ("秦雯", "江浩", "陆远")),
    "人力资源部": Department("史蕾", ("顾晓", "侯俊", "白洁")),
    "物流部": Department("邵斌", ("孟凡", "龙涛", "严宁")),
}
#: Departments whose people submit contracts and expense claims.
BUSINESS_DEPARTMENTS = ("销售部", "市场部", "研发部", "采购部", "行政部")
GENERAL_MANAGER = DEPARTMENTS["总经理办公室"].manager
LEGAL_REVIEWERS = DEPARTMENTS["法务部"].staff
ACCOUNTANTS = ("于洁", "蒋涛", "蔡文")
FINANCE_MANAGER = DEPARTMENTS["财务部"].manager
CASHIER = "潘颖"
SEAL_KEEPERS = ("韩雪", "董娟")
ARCHIVIST = "唐亮"
COMPLAINT_SUPERVISORS = (DEPARTMENTS["客服部"].manager, "叶明")
COMPLAINT_AGENTS = ("魏婷", "夏雨", "任佳", "姜楠", "方圆", "石磊")

# ---------------------------------------------------------------------------------------
# Working-time clock
# ---------------------------------------------------------------------------------------


class WorkCalendar:
    """Chinese working time (09:00–12:00, 13:00–18:00 on ``chinese_calendar`` working days).

    Moments are ints (seconds since `EPOCH`). The clock is a sorted list of working periods
    with the working seconds accumulated at the end of each, so adding or measuring working
    time is two binary searches.

    >>> cal = WorkCalendar()
    >>> cal.to_datetime(cal.add_working(cal.from_datetime(datetime(2025, 1, 27, 17, 0)), 2 * HOUR))
    datetime.datetime(2025, 2, 5, 10, 0)
    """

    def __init__(self, last_day: date = CALENDAR_LAST_DAY):
        first_day = EPOCH.date()
        self.days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        self.workday = [chinese_calendar.is_workday(d) for d in self.days]
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._cum_end: list[int] = []  # working seconds elapsed at the end of each period
        total = 0
        for n, is_workday in enumerate(self.workday):
            if not is_workday:
                continue
            for start, end in WORKING_PERIODS:
                self._starts.append(n * DAY + start)
                self._ends.append(n * DAY + end)
                total += end - start
                self._cum_end.append(total)
        self.last_moment = len(self.days) * DAY - 1

    @staticmethod
    def from_datetime(moment: datetime) -> int:
        return int((moment - EPOCH).total_seconds())

    @staticmethod
    def to_datetime(moment: int) -> datetime:
        return EPOCH + timedelta(seconds=moment)

    def working_clock(self, moment: int) -> int:
        """Working seconds elapsed between `EPOCH` and ``moment``."""
        i = bisect_right(self._starts, moment) - 1
        if i < 0:
            return 0
        return self._cum_end[i] - max(0, self._ends[i] - moment)

    def moment_at(self, clock: int) -> int:
        """The earliest moment at which the working clock shows ``clock`` (> 0)."""
        i = bisect_left(self._cum_end, clock)
        if i == len(self._cum_end):
            raise ValueError(f"working clock {clock} is beyond {CALENDAR_LAST_DAY}")
        return self._ends[i] - (self._cum_end[i] - clock)

    def add_working(self, moment: int, seconds: int) -> int:
        """The moment ``seconds`` of working time after ``moment`` (``seconds`` > 0)."""
        return self.moment_at(self.working_clock(moment) + seconds)

    def working_between(self, start: int, end: int) -> int:
        """Working seconds between two moments."""
        return self.working_clock(end) - self.working_clock(start)

    def period_end(self, moment: int) -> int | None:
        """End of the working period ``moment`` lies in, or None outside working time."""
        i = bisect_right(self._starts, moment) - 1
        return self._ends[i] if i >= 0 and moment <= self._ends[i] else None

    def is_working_time(self, moment: int) -> bool:
        """True inside a working period (its start and end included)."""
        i = bisect_right(self._starts, moment) - 1
        return i >= 0 and moment <= self._ends[i]


# ---------------------------------------------------------------------------------------
# Drawing durations and moments
# ---------------------------------------------------------------------------------------


class Timer:
    """Draws realistic moments for one log: lognormal working-time durations, occasional
    evening/weekend work, all rounded to the log's timestamp resolution (1 s or 60 s)."""

    def __init__(self, rng: random.Random, calendar: WorkCalendar, resolution: int):
        self.rng = rng
        self.cal = calendar
        self.resolution = resolution

    def _round(self, seconds: float) -> int:
        return max(self.resolution, round(seconds / self.resolution) * self.resolution)

    def _between(self, low: int, high: int) -> int:
        """A random offset in [low, high), on the resolution grid."""
        return self.rng.randrange(low, high, self.resolution)

    def lognormal(self, median_hours: float, sigma: float = DURATION_SIGMA) -> int:
        """A duration in seconds, lognormal around ``median_hours``, capped at `DURATION_CAP`×."""
        hours = min(self.rng.lognormvariate(math.log(median_hours), sigma), median_hours * DURATION_CAP)
        return self._round(hours * HOUR)

    def uniform(self, low_hours: float, high_hours: float) -> int:
        return self._round(self.rng.uniform(low_hours, high_hours) * HOUR)

    def off_hours_moment(self, arrival: int, done: int) -> int:
        """Move ``done`` (a working-time moment after ``arrival``) to an evening or a non-working
        day: the evening of the same day, a weekend/holiday inside the wait, or the
        weekend/holiday right after it. The result is always after ``arrival``."""
        day = done // DAY
        options = [day * DAY + self._between(*EVENING)]
        for n in range(arrival // DAY + 1, day + 2):
            if not self.cal.workday[n]:
                options.append(n * DAY + self._between(*NON_WORKING_DAYTIME))
        return self.rng.choice(options)

    def finish(self, arrival: int, duration: int) -> int:
        """When a task that arrived at ``arrival`` and takes ``duration`` working seconds is
        completed; with probability `OFF_HOURS_SHARE` it is done out of hours instead."""
        done = self.cal.add_working(arrival, duration)
        if self.rng.random() < OFF_HOURS_SHARE:
            done = self.off_hours_moment(arrival, done)
        return done

    def finish_within(self, arrival: int, draw, low_hours: float, high_hours: float) -> int:
        """Like `finish`, re-drawn until the working time from arrival to completion lies in
        [low_hours, high_hours]. ``draw()`` returns a duration in seconds."""
        for _ in range(MAX_DRAWS):
            done = self.finish(arrival, draw())
            if low_hours * HOUR <= self.cal.working_between(arrival, done) <= high_hours * HOUR:
                return done
        raise RuntimeError(f"no duration in [{low_hours}, {high_hours}] working hours could be drawn")

    def submissions(self, count: int, first: datetime, last: datetime) -> list[int]:
        """``count`` sorted submission moments, uniform over the working time in [first, last],
        a share `OFF_HOURS_SHARE` of them in an evening or on a non-working day instead."""
        low = self.cal.working_clock(self.cal.from_datetime(first))
        high = self.cal.working_clock(self.cal.from_datetime(last))
        first_day, last_day = self.cal.from_datetime(first) // DAY, self.cal.from_datetime(last) // DAY
        moments = []
        for _ in range(count):
            if self.rng.random() < OFF_HOURS_SHARE:
                day = self.rng.randint(first_day, last_day)
                window = NON_WORKING_DAYTIME if not self.cal.workday[day] else EVENING
                moments.append(day * DAY + self._between(*window))
            else:
                clock = self.rng.randrange(low, high)
                moments.append(self.cal.moment_at(clock + 1) // self.resolution * self.resolution)
        return sorted(moments)


# ---------------------------------------------------------------------------------------
# Events, formatting and small helpers
# ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class Event:
    """One row of a log: a task that arrived at ``start`` and was completed at ``end``
    (``end`` is None while the task is still open)."""

    activity: str
    resource: str
    department: str
    start: int
    end: int | None
    outcome: str
    comment: str = ""
    role: str = ""


def _case_order(event: Event) -> tuple[int, int]:
    """Rows of a case in the order an OA export lists them: by completion, then arrival."""
    return (event.end if event.end is not None else 1 << 62, event.start)


class Formats:
    """The timestamp spellings of the three exports, with per-day prefixes cached."""

    def __init__(self, calendar: WorkCalendar):
        self.cal = calendar
        self._slash = [f"{d.year}/{d.month}/{d.day}" for d in calendar.days]
        self._iso = [d.isoformat() for d in calendar.days]
        self._chinese = [f"{d.year}年{d.month}月{d.day}日" for d in calendar.days]

    def slash(self, moment: int) -> str:
        """``2025/3/5 9:05`` — no zero padding, no seconds (合同审批)."""
        day, second = divmod(moment, DAY)
        return f"{self._slash[day]} {second // HOUR}:{second // MINUTE % 60:02d}"

    def iso(self, moment: int) -> str:
        """``2025-03-05 09:05:11`` (客户投诉处理)."""
        day, second = divmod(moment, DAY)
        return f"{self._iso[day]} {second // HOUR:02d}:{second // MINUTE % 60:02d}:{second % 60:02d}"

    def chinese(self, moment: int) -> str:
        """``2025年3月5日 下午2:30`` — 12-hour clock with 上午/下午 (费用报销)."""
        day, second = divmod(moment, DAY)
        hour, minute = second // HOUR, second // MINUTE % 60
        half = "上午" if hour < 12 else "下午"
        return f"{self._chinese[day]} {half}{(hour - 1) % 12 + 1}:{minute:02d}"


def _scaled(count_at_default: int, cases: int, default_cases: int) -> int:
    """An injected count that keeps its share when ``--cases`` changes the log size."""
    return max(1, round(count_at_default * cases / default_cases)) if cases else 0


def _sample(rng: random.Random, candidates: list, k: int) -> set:
    return set(rng.sample(candidates, min(k, len(candidates))))


def _median_hours(seconds: list[int]) -> float | None:
    return round(statistics.median(seconds) / HOUR, 2) if seconds else None


def _weighted_choice(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# ---------------------------------------------------------------------------------------
# 1. 合同审批.csv — contract approval
# ---------------------------------------------------------------------------------------

CONTRACT_FILE = "合同审批.csv"
CONTRACT_CASES = 300
CONTRACT_HEADER = ("单据编号", "合同名称", "合同金额(元)", "申请部门", "审批节点", "处理人", "所属部门",
                   "到达时间", "处理时间", "审批结果", "审批意见")

C_SUBMIT, C_MANAGER, C_LEGAL, C_FINANCE = "发起申请", "部门经理审批", "法务审核", "财务审核"
C_REVISE, C_GM, C_SEAL, C_ARCHIVE = "修改合同", "总经理审批", "合同盖章", "合同归档"
#: Median duration (arrival → completion) of each step, in working hours.
CONTRACT_MEDIAN_HOURS = {
    C_MANAGER: 3.0, C_LEGAL: 12.0, C_FINANCE: 4.0, C_REVISE: 8.0, C_GM: 16.0, C_SEAL: 2.0, C_ARCHIVE: 3.0,
}
CONTRACT_BOTTLENECKS = (C_LEGAL, C_GM)
#: Steps an open case can be waiting at (the parallel reviews are never left half-done).
CONTRACT_SEQUENTIAL = (C_MANAGER, C_GM, C_SEAL, C_ARCHIVE)
GM_THRESHOLD_CONTRACT = 500_000

P_CONTRACT_ABOVE_THRESHOLD = 0.30
P_CONTRACT_REJECTED = 0.05       # 部门经理审批 驳回, the case ends
P_CONTRACT_RETURNED = 0.15       # 法务审核 退回 → 修改合同 → round again
P_CONTRACT_RETURNED_TWICE = 0.15  # of the returned cases
#: Injected counts at the default size (scaled with --cases).
CONTRACT_GM_SKIPS, CONTRACT_LEGAL_SKIPS, CONTRACT_IN_PROGRESS = 4, 3, 3

CONTRACT_SUBJECTS = {
    "销售部": ("产品销售", "年度供货", "系统集成"),
    "市场部": ("广告投放", "品牌推广服务", "展会搭建"),
    "研发部": ("技术开发", "软件许可", "技术服务"),
    "采购部": ("原材料采购", "设备采购", "办公家具采购"),
    "行政部": ("物业服务", "房屋租赁", "保洁服务"),
}
COUNTERPARTY_CITIES = ("上海", "北京", "深圳", "杭州", "苏州", "南京", "成都", "武汉", "广州", "天津")
COUNTERPARTY_BRANDS = ("华信", "恒通", "瑞丰", "博远", "中科", "新源", "宏达", "海川", "金石", "天成", "安达", "鼎盛")
COUNTERPARTY_TRADES = ("科技", "贸易", "信息技术", "实业", "物流", "传媒", "建设", "电子")

CONTRACT_COMMENTS = {
    (C_SUBMIT, "提交"): ("", "", "请审批", "请领导审批"),
    (C_MANAGER, "同意"): ("同意", "同意", "", "同意，请法务审核", "拟同意"),
    (C_MANAGER, "驳回"): ("预算不足，暂缓签订", "合作方资质不符合要求", "不同意，请重新评估必要性"),
    (C_LEGAL, "同意"): ("条款合规", "同意", "", "无法律风险"),
    (C_LEGAL, "退回"): ("条款需修改", "违约责任条款不明确，请修改", "付款条件需调整", "知识产权归属需明确",
                      "争议解决条款需修改"),
    (C_FINANCE, "同意"): ("预算内，同意", "付款节点合理", "同意", ""),
    (C_REVISE, "提交"): ("已按法务意见修改", "已修改，请重新审批"),
    (C_GM, "同意"): ("同意", "同意签订", "请尽快推进", ""),
    (C_SEAL, "已盖章"): ("已盖公章", "", "已盖合同专用章"),
    (C_ARCHIVE, "已归档"): ("原件已入档", "", "已归档"),
}


@dataclass(slots=True)
class ContractPlan:
    """What will happen to one contract, decided before its times are drawn."""

    case_id: str
    department: str
    applicant: str
    name: str
    amount: float
    submitted: int
    rejected: bool = False
    legal_returns: int = 0
    skip_gm: bool = False
    skip_legal: bool = False
    in_progress: bool = False


def _contract_amount(rng: random.Random) -> float:
    """Log-uniform amounts: 70 % in [10 000, 500 000], 30 % in (500 000, 5 000 000]."""
    if rng.random() < P_CONTRACT_ABOVE_THRESHOLD:
        return float(round(math.exp(rng.uniform(math.log(501_000), math.log(5_000_000))), -3))
    return float(min(499_900, round(math.exp(rng.uniform(math.log(10_000), math.log(500_000))), -2)))


class _Simulator:
    """What every process simulator shares: its own seeded random stream and clock."""

    name = ""
    time_quantum = MINUTE

    def __init__(self, seed: int, cases: int, calendar: WorkCalendar):
        self.seed, self.cases, self.cal = seed, cases, calendar
        self.rng = random.Random(f"{seed}:{self.name}")
        self.timer = Timer(self.rng, calendar, self.time_quantum)
        self.fmt = Formats(calendar)
        self.export_at = calendar.from_datetime(EXPORT_AT)


class ContractSimulator(_Simulator):
    """合同审批: 发起申请 → 部门经理审批 → (法务审核 ∥ 财务审核) → [总经理审批 if > 50万] → 合同盖章
    → 合同归档, with 法务审核 退回 → 修改合同 → 部门经理审批 … as the rework loop."""

    name = "contract"
    file = CONTRACT_FILE
    default_cases = CONTRACT_CASES

    time_quantum = MINUTE

    # -- planning -------------------------------------------------------------------------

    def plan(self) -> list[ContractPlan]:
        rng, n = self.rng, self.cases
        open_count = min(_scaled(CONTRACT_IN_PROGRESS, n, CONTRACT_CASES), n // 10)
        submitted = (self.timer.submissions(n - open_count, PERIOD_START, LAST_SUBMISSION)
                     + self.timer.submissions(open_count, *IN_PROGRESS_SUBMISSIONS))
        plans = []
        for i, moment in enumerate(submitted, start=1):
            department = rng.choice(BUSINESS_DEPARTMENTS)
            counterparty = (rng.choice(COUNTERPARTY_CITIES) + rng.choice(COUNTERPARTY_BRANDS)
                            + rng.choice(COUNTERPARTY_TRADES) + "有限公司")
            plan = ContractPlan(
                case_id=f"HT2025-{i:04d}", department=department,
                applicant=rng.choice(DEPARTMENTS[department].staff),
                name=f"{counterparty}{rng.choice(CONTRACT_SUBJECTS[department])}合同",
                amount=_contract_amount(rng), submitted=moment,
                in_progress=i > n - open_count,
            )
            if rng.random() < P_CONTRACT_REJECTED:
                plan.rejected = not plan.in_progress
            elif rng.random() < P_CONTRACT_RETURNED:
                plan.legal_returns = 2 if rng.random() < P_CONTRACT_RETURNED_TWICE else 1
            plans.append(plan)

        finished = [p for p in plans if not p.in_progress and not p.rejected]
        skip_gm = _sample(rng, [p.case_id for p in finished if p.amount > GM_THRESHOLD_CONTRACT],
                          _scaled(CONTRACT_GM_SKIPS, n, CONTRACT_CASES))
        eligible = [p.case_id for p in finished if p.case_id not in skip_gm and p.legal_returns == 0]
        skip_legal = _sample(rng, eligible, _scaled(CONTRACT_LEGAL_SKIPS, n, CONTRACT_CASES))
        for p in finished:
            p.skip_gm, p.skip_legal = p.case_id in skip_gm, p.case_id in skip_legal
        return plans

    # -- one case -------------------------------------------------------------------------

    def _event(self, activity, resource, department, start, end, outcome) -> Event:
        comment = self.rng.choice(CONTRACT_COMMENTS[(activity, outcome)])
        return Event(activity, resource, department, start, end, outcome, comment)

    def _step(self, activity: str, arrival: int) -> int:
        return self.timer.finish(arrival, self.timer.lognormal(CONTRACT_MEDIAN_HOURS[activity]))

    def _draw_case(self, plan: ContractPlan) -> list[Event]:
        dept, applicant, manager = plan.department, plan.applicant, DEPARTMENTS[plan.department].manager
        rng, ev = self.rng, self._event
        moment = plan.submitted
        events = [ev(C_SUBMIT, applicant, dept, moment, moment, "提交")]
        for round_no in range(plan.legal_returns + 1):
            done = self._step(C_MANAGER, moment)
            if plan.rejected:
                events.append(ev(C_MANAGER, manager, dept, moment, done, "驳回"))
                return events
            events.append(ev(C_MANAGER, manager, dept, moment, done, "同意"))
            moment = join = done
            if not plan.skip_legal:
                legal_done = self._step(C_LEGAL, moment)
                returned = round_no < plan.legal_returns
                events.append(ev(C_LEGAL, rng.choice(LEGAL_REVIEWERS), "法务部", moment, legal_done,
                                 "退回" if returned else "同意"))
                join = legal_done
            finance_done = self._step(C_FINANCE, moment)
            events.append(ev(C_FINANCE, rng.choice(ACCOUNTANTS), "财务部", moment, finance_done, "同意"))
            moment = max(join, finance_done)  # the reviews join before the next step
            if round_no < plan.legal_returns:
                done = self._step(C_REVISE, moment)
                events.append(ev(C_REVISE, applicant, dept, moment, done, "提交"))
                moment = done
        if plan.amount > GM_THRESHOLD_CONTRACT and not plan.skip_gm:
            done = self._step(C_GM, moment)
            events.append(ev(C_GM, GENERAL_MANAGER, "总经理办公室", moment, done, "同意"))
            moment = done
        done = self._step(C_SEAL, moment)
        events.append(ev(C_SEAL, rng.choice(SEAL_KEEPERS), "行政部", moment, done, "已盖章"))
        events.append(ev(C_ARCHIVE, ARCHIVIST, "行政部", done, self._step(C_ARCHIVE, done), "已归档"))
        return events

    def _leave_open(self, events: list[Event]) -> list[Event] | None:
        """Cut a case at a sequential step that had arrived by the export; that step is open."""
        candidates = []
        for i, event in enumerate(events):  # rows are in completion order
            if event.start > self.export_at:
                break
            if event.activity in CONTRACT_SEQUENTIAL:
                candidates.append(i)
            if event.end > self.export_at:  # every later row follows an unfinished one
                break
        if not candidates:
            return None
        i = self.rng.choice(candidates)
        pending = events[i]
        return events[:i] + [Event(pending.activity, pending.resource, pending.department,
                                   pending.start, None, "", "")]

    def simulate_case(self, plan: ContractPlan) -> list[Event]:
        """The case's rows in export order; durations are re-drawn until it fits the export."""
        for _ in range(MAX_DRAWS):
            events = sorted(self._draw_case(plan), key=_case_order)
            if plan.in_progress:
                events = self._leave_open(events)
                if events is not None:
                    return events
            elif events[-1].end <= self.export_at:
                return events
        raise RuntimeError(f"{plan.case_id}: could not fit the case before the export at {EXPORT_AT}")

    # -- writing --------------------------------------------------------------------------

    def write(self, out_dir: Path) -> dict:
        plans = self.plan()
        truth = ContractTruth(self.cal)
        fmt = self.fmt
        with open(out_dir / self.file, "w", encoding="gbk", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(CONTRACT_HEADER)
            line = 1
            for plan in plans:
                events = self.simulate_case(plan)
                case_fields = (plan.case_id, plan.name, f"{plan.amount:.2f}", plan.department)
                writer.writerows(
                    (*case_fields, e.activity, e.resource, e.department, fmt.slash(e.start),
                     "" if e.end is None else fmt.slash(e.end), e.outcome, e.comment)
                    for e in events
                )
                truth.add_case(plan, events, first_line=line + 1)
                line += len(events)
        return truth.report(self)


class ContractTruth:
    """Ground truth of 合同审批.csv, accumulated from the rows as they are written."""

    def __init__(self, calendar: WorkCalendar):
        self.cal = calendar
        self.cases = self.events = self.off_hours = 0
        self.activities: set[str] = set()
        self.working: dict[str, list[int]] = {a: [] for a in CONTRACT_MEDIAN_HOURS}
        self.calendar_time: dict[str, list[int]] = {a: [] for a in CONTRACT_MEDIAN_HOURS}
        self.returned: dict[str, int] = {}
        self.rejected: list[str] = []
        self.gm_skipped: list[str] = []
        self.legal_skipped: list[str] = []
        self.in_progress: list[dict] = []
        self.above_threshold = 0
        self.first = self.last = None

    def add_case(self, plan: ContractPlan, events: list[Event], first_line: int) -> None:
        self.cases += 1
        self.events += len(events)
        activities = [e.activity for e in events]
        self.activities.update(activities)
        for e in events:
            self.first = e.start if self.first is None else min(self.first, e.start)
            if e.end is None:
                continue
            self.last = e.end if self.last is None else max(self.last, e.end)
            if not self.cal.is_working_time(e.end):
                self.off_hours += 1
            if e.activity != C_SUBMIT:
                self.working[e.activity].append(self.cal.working_between(e.start, e.end))
                self.calendar_time[e.activity].append(e.end - e.start)
        case = plan.case_id
        returns = sum(e.activity == C_LEGAL and e.outcome == "退回" for e in events)
        if returns:
            self.returned[case] = returns
        if any(e.outcome == "驳回" for e in events):
            self.rejected.append(case)
        if plan.amount > GM_THRESHOLD_CONTRACT:
            self.above_threshold += 1
            if C_SEAL in activities and C_GM not in activities:
                self.gm_skipped.append(case)
        if C_FINANCE in activities and C_LEGAL not in activities:
            self.legal_skipped.append(case)
        if events[-1].end is None:
            self.in_progress.append({"case": case, "activity": events[-1].activity,
                                     "line": first_line + len(events) - 1})

    def report(self, sim: ContractSimulator) -> dict:
        medians = {
            activity: {
                "parameter_median_working_hours": CONTRACT_MEDIAN_HOURS[activity],
                "observed_median_working_hours": _median_hours(self.working[activity]),
                "observed_median_calendar_hours": _median_hours(self.calendar_time[activity]),
                "completed_events": len(self.working[activity]),
            }
            for activity in CONTRACT_MEDIAN_HOURS if self.working[activity]
        }
        to_text = sim.fmt.slash
        return {
            "file": CONTRACT_FILE,
            "encoding": "gbk",
            "format": {"type": "csv", "delimiter": ",", "line_terminator": "\r\n", "header_line": 1,
                       "timestamp_format": "%Y/%-m/%-d %-H:%M (no zero padding, no seconds)",
                       "timestamp_example": "2025/3/5 9:05", "timezone": "Asia/Shanghai"},
            "cases": self.cases,
            "events": self.events,
            "activities": sorted(self.activities),
            "columns": {"case": "单据编号", "activity": "审批节点", "start_timestamp": "到达时间",
                        "timestamp": "处理时间", "resource": "处理人", "department": "所属部门",
                        "outcome": "审批结果"},
            "attribute_columns": {"contract_name": "合同名称", "amount": "合同金额(元)",
                                  "applicant_department": "申请部门", "comment": "审批意见"},
            "time_range": {"first": to_text(self.first), "last": to_text(self.last)},
            "injected": {
                "bottlenecks": {
                    a: {**medians[a], "parameter_median_working_days": CONTRACT_MEDIAN_HOURS[a] / WORKING_DAY_HOURS}
                    for a in CONTRACT_BOTTLENECKS if a in medians
                },
                "activity_durations": medians,
                "parallel": {"activities": [C_LEGAL, C_FINANCE], "after": C_MANAGER,
                             "note": "both arrive when 部门经理审批 completes; their intervals overlap"},
                "loops": {
                    "法务审核退回→修改合同": {
                        "path": [C_LEGAL, C_REVISE, C_MANAGER, C_LEGAL],
                        "cases": sorted(self.returned),
                        "cases_twice": sorted(c for c, n in self.returned.items() if n >= 2),
                    },
                },
                "rejected": {"activity": C_MANAGER, "outcome": "驳回", "cases": self.rejected},
                "rule_violations": {
                    "amount_over_500000_without_总经理审批": {
                        "rule": "合同金额 > 500000 needs 总经理审批 before 合同盖章", "cases": self.gm_skipped},
                    "法务审核_skipped": {
                        "rule": "every contract passes 法务审核 (went 部门经理审批 → 财务审核 → …)",
                        "cases": self.legal_skipped},
                },
                "in_progress": {"note": "last row has 到达时间 but empty 处理时间 and 审批结果",
                                "cases": self.in_progress},
                "off_hours_events": {"count": self.off_hours,
                                     "note": "rows whose 处理时间 is outside 09:00–12:00/13:00–18:00 "
                                             "on a chinese_calendar working day"},
                "amount_over_500000_cases": self.above_threshold,
            },
            "definitions": {
                "duration": "处理时间 − 到达时间 of a row (waiting + handling, as the export has no "
                            "separate start of work)",
                "working_time": "09:00–12:00 and 13:00–18:00 on chinese_calendar.is_workday days; "
                                "1 working day = 8 working hours",
            },
            "parameters": _parameters(sim, {
                "step_median_working_hours": CONTRACT_MEDIAN_HOURS,
                "gm_threshold_yuan": GM_THRESHOLD_CONTRACT,
                "p_amount_over_threshold": P_CONTRACT_ABOVE_THRESHOLD,
                "p_rejected": P_CONTRACT_REJECTED, "p_returned": P_CONTRACT_RETURNED,
                "p_returned_twice": P_CONTRACT_RETURNED_TWICE,
            }),
        }


# ---------------------------------------------------------------------------------------
# 2. 费用报销.xlsx — expense reimbursement
# ---------------------------------------------------------------------------------------

EXPENSE_FILE = "费用报销.xlsx"
EXPENSE_SHEET = "审批明细"
EXPENSE_CASES = 400
EXPENSE_HEADER = ("报销单号", "环节", "审批人", "部门", "接收时间", "完成时间", "报销金额", "费用类型", "审批结果")

E_SUBMIT, E_MANAGER, E_CHECK, E_SUPPLEMENT = "提交报销", "部门经理审批", "财务初审", "补充材料"
E_FIN_MANAGER, E_GM, E_PAY = "财务经理审批", "总经理审批", "出纳付款"
EXPENSE_MEDIAN_HOURS = {
    E_MANAGER: 4.0, E_CHECK: 6.0, E_SUPPLEMENT: 10.0, E_FIN_MANAGER: 3.0, E_GM: 8.0, E_PAY: 8.0,
}
FIN_MANAGER_THRESHOLD, GM_THRESHOLD_EXPENSE = 5_000, 50_000
P_EXPENSE_RETURNED = 0.10
P_DATETIME_CELLS = 0.10  # rows whose two times are real Excel datetimes instead of text
EXPENSE_GM_SKIPS = 3

#: 费用类型 → (weight, median amount in yuan, lognormal sigma).
EXPENSE_TYPES = {
    "差旅费": (30, 2500, 0.8), "业务招待费": (20, 1800, 0.7), "办公用品": (15, 600, 0.8),
    "交通费": (10, 300, 0.6), "培训费": (8, 6000, 0.6), "会议费": (7, 20000, 0.8),
    "市场推广费": (6, 45000, 0.7), "设备采购": (4, 60000, 0.6),
}

#: Export dirt (fixed counts): duplicated rows, labels with a trailing space, and labels
#: written with an inner ASCII or full-width space (U+3000).
EXPENSE_DUPLICATES = 2
EXPENSE_TRAILING_SPACE = (E_MANAGER, 5)
EXPENSE_LABEL_VARIANTS = {E_PAY: "出纳 付款", E_CHECK: "财务\u3000初审", E_FIN_MANAGER: "财务经理\u3000审批"}
UNPARSEABLE_TIME = "待定"
EXCEL_DATETIME_FORMAT = "yyyy/m/d h:mm"
#: Fixed document properties so the .xlsx is byte-identical between runs.
XLSX_TIMESTAMP = datetime(2025, 6, 30, 18, 0)

_CHINESE_TIME = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日 (上午|下午)(\d{1,2}):(\d{2})$")


@dataclass(slots=True)
class ExpenseRow:
    """A row of the sheet as written: times are moments, or text for the dirty ones."""

    case_id: str
    label: str
    resource: str
    department: str
    received: int | str
    completed: int | str
    amount: float
    expense_type: str
    outcome: str
    as_datetime: bool = False

    def canonical(self) -> str:
        return "".join(self.label.split())  # str.split() also splits on the full-width space

    def cells(self, fmt: Formats, cal: WorkCalendar) -> tuple:
        def time_cell(value):
            if isinstance(value, str):
                return value
            return cal.to_datetime(value) if self.as_datetime else fmt.chinese(value)

        return (self.case_id, self.label, self.resource, self.department, time_cell(self.received),
                time_cell(self.completed), self.amount, self.expense_type, self.outcome)


class ExpenseSimulator(_Simulator):
    """费用报销: 提交报销 → 部门经理审批 → 财务初审 → [财务经理审批 if > 5000] → [总经理审批 if > 50000]
    → 出纳付款, with 财务初审 退回 → 补充材料 → 财务初审 as the rework loop."""

    name = "expense"
    file = EXPENSE_FILE
    default_cases = EXPENSE_CASES

    time_quantum = MINUTE

    def _amount(self, expense_type: str) -> float:
        _, median, sigma = EXPENSE_TYPES[expense_type]
        return round(max(20.0, self.rng.lognormvariate(math.log(median), sigma)), 2)

    def _draw_case(self, case_id, moment, department, submitter, amount, expense_type, returned, skip_gm):
        timer, rng = self.timer, self.rng
        rows = [ExpenseRow(case_id, E_SUBMIT, submitter, department, moment, moment, amount, expense_type, "提交")]

        def step(label, resource, dept, outcome):
            nonlocal moment
            done = timer.finish(moment, timer.lognormal(EXPENSE_MEDIAN_HOURS[label]))
            rows.append(ExpenseRow(case_id, label, resource, dept, moment, done, amount, expense_type, outcome))
            moment = done

        step(E_MANAGER, DEPARTMENTS[department].manager, department, "同意")
        accountant = rng.choice(ACCOUNTANTS)
        if returned:
            step(E_CHECK, accountant, "财务部", "退回")
            step(E_SUPPLEMENT, submitter, department, "已补充")
        step(E_CHECK, accountant, "财务部", "同意")
        if amount > FIN_MANAGER_THRESHOLD:
            step(E_FIN_MANAGER, FINANCE_MANAGER, "财务部", "同意")
        if amount > GM_THRESHOLD_EXPENSE and not skip_gm:
            step(E_GM, GENERAL_MANAGER, "总经理办公室", "同意")
        step(E_PAY, CASHIER, "财务部", "已付款")
        return rows

    def clean_rows(self) -> list[ExpenseRow]:
        rng, n = self.rng, self.cases
        cases = []
        for i, moment in enumerate(self.timer.submissions(n, PERIOD_START, LAST_SUBMISSION), start=1):
            department = rng.choice(BUSINESS_DEPARTMENTS)
            expense_type = _weighted_choice(rng, {t: w for t, (w, _, _) in EXPENSE_TYPES.items()})
            cases.append([f"BX-2025-{i:04d}", moment, department, rng.choice(DEPARTMENTS[department].staff),
                          self._amount(expense_type), expense_type, rng.random() < P_EXPENSE_RETURNED])
        big = [c[0] for c in cases if c[4] > GM_THRESHOLD_EXPENSE]
        skip_gm = _sample(rng, big, _scaled(EXPENSE_GM_SKIPS, n, EXPENSE_CASES))
        rows = []
        for case in cases:
            for _ in range(MAX_DRAWS):
                case_rows = self._draw_case(*case, skip_gm=case[0] in skip_gm)
                if case_rows[-1].completed <= self.export_at:
                    break
            else:
                raise RuntimeError(f"{case[0]}: could not fit the case before the export at {EXPORT_AT}")
            rows.extend(case_rows)
        for row in rows:
            row.as_datetime = rng.random() < P_DATETIME_CELLS
        return rows

    def dirty_rows(self, rows: list[ExpenseRow]) -> list[ExpenseRow]:
        """Inject the export dirt into distinct rows (all kept as text cells)."""
        rng = self.rng
        taken: set[int] = set()

        def pick(label: str, k: int) -> list[int]:
            candidates = [i for i, r in enumerate(rows) if r.label == label and i not in taken]
            chosen = rng.sample(candidates, min(k, len(candidates)))
            taken.update(chosen)
            for i in chosen:
                rows[i].as_datetime = False
            return chosen

        label, count = EXPENSE_TRAILING_SPACE
        for i in pick(label, count):
            rows[i].label = label + " "
        for label, variant in EXPENSE_LABEL_VARIANTS.items():
            for i in pick(label, 1):
                rows[i].label = variant
        for i in pick(E_FIN_MANAGER, 1):
            rows[i].completed = UNPARSEABLE_TIME
        for i in pick(E_MANAGER, 1):
            rows[i].completed = rows[i].received - self.timer.uniform(0.5, 5)  # typed-in wrong
        untouched = [i for i in range(len(rows)) if i not in taken]
        duplicated = set(rng.sample(untouched, min(EXPENSE_DUPLICATES, len(untouched))))
        out = []
        for i, row in enumerate(rows):
            out.append(row)
            if i in duplicated:
                out.append(replace(row))
        return out

    def write(self, out_dir: Path) -> dict:
        rows = self.dirty_rows(self.clean_rows())
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = EXPENSE_SHEET
        sheet.append(EXPENSE_HEADER)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for excel_row, row in enumerate(rows, start=2):
            sheet.append(row.cells(self.fmt, self.cal))
            sheet.cell(excel_row, 7).number_format = "#,##0.00"
            if row.as_datetime:
                for column in (5, 6):
                    if isinstance(sheet.cell(excel_row, column).value, datetime):
                        sheet.cell(excel_row, column).number_format = EXCEL_DATETIME_FORMAT
        for letter, width in zip("ABCDEFGHI", (14, 14, 10, 12, 22, 22, 12, 12, 10)):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        _save_workbook(workbook, out_dir / self.file)
        return self.truth(rows)

    def truth(self, rows: list[ExpenseRow]) -> dict:
        """Ground truth computed from the rows exactly as written (sheet row = index + 2)."""
        seen: dict[tuple, int] = {}
        duplicates, variants, unparseable, reversed_rows, datetime_rows = [], [], [], [], []
        by_case: dict[str, list[ExpenseRow]] = {}
        off_hours = 0
        for sheet_row, row in enumerate(rows, start=2):
            cells = row.cells(self.fmt, self.cal)
            if cells in seen:
                duplicates.append({"row": sheet_row, "duplicate_of": seen[cells]})
            seen.setdefault(cells, sheet_row)
            if row.label != row.canonical():
                variants.append({"row": sheet_row, "label": row.label, "canonical": row.canonical()})
            if row.as_datetime:
                datetime_rows.append(sheet_row)
            received, completed = (_parse_expense_time(c, self.cal) for c in cells[4:6])
            for column, value, parsed in (("接收时间", cells[4], received), ("完成时间", cells[5], completed)):
                if parsed is None:
                    unparseable.append({"row": sheet_row, "column": column, "value": value})
            if received is not None and completed is not None:
                if completed < received:
                    reversed_rows.append({"row": sheet_row, "接收时间": cells[4], "完成时间": cells[5]})
                if not self.cal.is_working_time(completed):
                    off_hours += 1
            by_case.setdefault(row.case_id, []).append(row)

        returned, gm_skipped, fin_skipped = [], [], []
        for case_id, case_rows in by_case.items():
            labels = [r.canonical() for r in case_rows]
            amount = case_rows[0].amount
            if any(r.canonical() == E_CHECK and r.outcome == "退回" for r in case_rows):
                returned.append(case_id)
            if amount > GM_THRESHOLD_EXPENSE and E_GM not in labels:
                gm_skipped.append(case_id)
            if amount > FIN_MANAGER_THRESHOLD and E_FIN_MANAGER not in labels:
                fin_skipped.append(case_id)
        amounts = [r[0].amount for r in by_case.values()]
        return {
            "file": EXPENSE_FILE,
            "encoding": "xlsx",
            "format": {"type": "xlsx", "sheet": EXPENSE_SHEET, "header_row": 1,
                       "timestamp_format": "text 'YYYY年M月D日 上午/下午h:mm' (12-hour clock, no seconds); "
                                           f"some rows hold real Excel datetime cells ({EXCEL_DATETIME_FORMAT})",
                       "timestamp_example": "2025年3月5日 下午2:30", "timezone": "Asia/Shanghai",
                       "datetime_cell_rows": datetime_rows},
            "cases": len(by_case),
            "events": len(rows),
            "activities": sorted({r.canonical() for r in rows}),
            "columns": {"case": "报销单号", "activity": "环节", "start_timestamp": "接收时间",
                        "timestamp": "完成时间", "resource": "审批人", "department": "部门",
                        "outcome": "审批结果"},
            "attribute_columns": {"amount": "报销金额", "expense_type": "费用类型"},
            "injected": {
                "loops": {"财务初审退回→补充材料": {"path": [E_CHECK, E_SUPPLEMENT, E_CHECK],
                                               "cases": returned}},
                "rule_violations": {
                    "amount_over_50000_without_总经理审批": {
                        "rule": "报销金额 > 50000 needs 总经理审批 (≤5万 manager, >5万 GM)", "cases": gm_skipped},
                    "amount_over_5000_without_财务经理审批": {
                        "rule": "报销金额 > 5000 needs 财务经理审批", "cases": fin_skipped},
                },
                "data_quality": {
                    "duplicate_rows": duplicates,
                    "label_variants": variants,
                    "unparseable_times": unparseable,
                    "end_before_start": reversed_rows,
                },
                "off_hours_events": {"count": off_hours,
                                     "note": "rows whose 完成时间 is outside working time (parseable rows)"},
                "amount_over_5000_cases": sum(a > FIN_MANAGER_THRESHOLD for a in amounts),
                "amount_over_50000_cases": sum(a > GM_THRESHOLD_EXPENSE for a in amounts),
            },
            "definitions": {"row": "sheet row number, header = row 1",
                            "canonical_activity": "环节 with all spaces (ASCII and U+3000) removed"},
            "parameters": _parameters(self, {
                "step_median_working_hours": EXPENSE_MEDIAN_HOURS,
                "fin_manager_threshold_yuan": FIN_MANAGER_THRESHOLD,
                "gm_threshold_yuan": GM_THRESHOLD_EXPENSE,
                "p_returned": P_EXPENSE_RETURNED, "p_datetime_cells": P_DATETIME_CELLS,
            }),
        }


def _parse_expense_time(value, cal: WorkCalendar) -> int | None:
    """A time cell of 费用报销.xlsx as a moment, or None if it cannot be read."""
    if isinstance(value, datetime):
        return cal.from_datetime(value)
    match = _CHINESE_TIME.match(value)
    if not match:
        return None
    year, month, day, half, hour, minute = match.groups()
    hour = int(hour) % 12 + (12 if half == "下午" else 0)
    return cal.from_datetime(datetime(int(year), int(month), int(day), hour, int(minute)))


def _save_workbook(workbook: openpyxl.Workbook, path: Path, stamp: datetime = XLSX_TIMESTAMP) -> None:
    """Save a workbook byte-identically between runs: fixed document properties and fixed
    zip entry dates (``openpyxl.save_workbook`` stamps both with the current time)."""
    workbook.properties.creator = "OA"
    workbook.properties.lastModifiedBy = None
    workbook.properties.created = workbook.properties.modified = stamp
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(entry.filename))


# ---------------------------------------------------------------------------------------
# 3. 客户投诉处理.csv — customer complaint handling (the method document's table)
# ---------------------------------------------------------------------------------------

COMPLAINT_FILE = "客户投诉处理.csv"
COMPLAINT_CASES = 250
COMPLAINT_HEADER = ("流程编号", "节点名称", "经办人", "部门", "岗位", "开始时间", "完成时间", "投诉类别",
                    "紧急程度", "处理结果")

T_RECEIVE, T_CLASSIFY, T_ASSIGN, T_INVESTIGATE = "投诉接收", "投诉分类", "分派处理", "调查与处理"
T_CALLBACK, T_LEGAL, T_CLOSE = "客户回访", "法务复核", "结案归档"
AGENT, SUPERVISOR, SPECIALIST, LEGAL_SPECIALIST = "客服专员", "投诉主管", "专员", "法务专员"

#: 投诉类别 → (share, responsible department, 处理结果 options of 调查与处理).
COMPLAINT_CATEGORIES = {
    "产品质量": (0.45, "品控部", ("退款", "换货", "维修", "退款")),
    "服务态度": (0.25, "人力资源部", ("整改培训", "致歉", "整改培训")),
    "物流延迟": (0.30, "物流部", ("补发", "赔偿运费", "致歉")),
}
URGENCY = {"普通": 0.70, "紧急": 0.22, "特急": 0.08}

#: Time limits of the method document's table.
CLASSIFY_LIMIT_MINUTES = 30    # 投诉分类: within 30 minutes of receipt (calendar time)
ASSIGN_LIMIT_MINUTES = 60      # 分派处理: within 1 hour of classification (calendar time)
INVESTIGATE_LIMIT_HOURS = 16   # 调查与处理: 2 working days
CALLBACK_LIMIT_HOURS = 8       # 客户回访: 1 working day
#: Durations keep clear of the limits, so every reading of "2 working days" agrees.
INVESTIGATE_COMPLIANT_MAX_HOURS, INVESTIGATE_LATE_HOURS = 14, (20, 40)
CALLBACK_COMPLIANT_MAX_HOURS = 7
RECEIVE_MAX_MINUTES = 15
CLASSIFY_COMPLIANT_MAX_MINUTES, CLASSIFY_LATE_WORKING_MINUTES = 28, (45, 240)
ASSIGN_MAX_MINUTES = 55
COMPLAINT_MEDIAN_HOURS = {
    T_RECEIVE: 5 / 60, T_CLASSIFY: 10 / 60, T_ASSIGN: 15 / 60, T_INVESTIGATE: 5.0, T_CALLBACK: 3.0,
    T_LEGAL: 5.0, T_CLOSE: 1.0,
}

#: 法务复核 of the cases closed before it completes.
LEGAL_SLOW_MEDIAN_HOURS = 12.0

#: Complaints are short cases, so they are received closer to the export than approvals.
COMPLAINT_LAST_SUBMISSION = datetime(2025, 6, 20, 18, 0)

P_INVESTIGATION_LATE = 0.20
P_CLASSIFICATION_LATE = 0.10
P_UNSATISFIED = 0.05
#: Injected counts at the default size.
COMPLAINT_NO_LEGAL, COMPLAINT_FOUR_EYES, COMPLAINT_CLOSED_BEFORE_LEGAL = 2, 3, 2


@dataclass(slots=True)
class ComplaintPlan:
    case_id: str
    category: str
    urgency: str
    received: int
    unsatisfied: bool
    investigation_late: bool
    classification_late: bool
    four_eyes: bool = False
    no_legal: bool = False
    closed_before_legal: bool = False


class ComplaintSimulator(_Simulator):
    """客户投诉处理: 投诉接收 → 投诉分类 → 分派处理 → 调查与处理 → 客户回访 (∥ 法务复核 for 特急)
    → 结案归档, with 客户回访 不满意 → 调查与处理 → 客户回访 as the rework loop."""

    name = "complaint"
    file = COMPLAINT_FILE
    default_cases = COMPLAINT_CASES

    time_quantum = 1  # complaints are stamped to the second

    def plan(self) -> list[ComplaintPlan]:
        rng, n = self.rng, self.cases
        plans = []
        for i, moment in enumerate(self.timer.submissions(n, PERIOD_START, COMPLAINT_LAST_SUBMISSION), start=1):
            category = _weighted_choice(rng, {c: share for c, (share, _, _) in COMPLAINT_CATEGORIES.items()})
            plans.append(ComplaintPlan(
                case_id=f"TS2025{i:04d}", category=category, urgency=_weighted_choice(rng, URGENCY),
                received=moment, unsatisfied=rng.random() < P_UNSATISFIED,
                investigation_late=rng.random() < P_INVESTIGATION_LATE,
                classification_late=rng.random() < P_CLASSIFICATION_LATE,
            ))
        urgent = [p for p in plans if p.urgency == "特急"]
        no_legal = _sample(rng, [p.case_id for p in urgent], _scaled(COMPLAINT_NO_LEGAL, n, COMPLAINT_CASES))
        closed_early = _sample(rng, [p.case_id for p in urgent if p.case_id not in no_legal],
                               _scaled(COMPLAINT_CLOSED_BEFORE_LEGAL, n, COMPLAINT_CASES))
        four_eyes = _sample(rng, [p.case_id for p in plans], _scaled(COMPLAINT_FOUR_EYES, n, COMPLAINT_CASES))
        for p in plans:
            p.no_legal, p.closed_before_legal = p.case_id in no_legal, p.case_id in closed_early
            p.four_eyes = p.case_id in four_eyes
        return plans

    def _minutes(self, median: float, cap: float) -> int:
        """A short calendar-time duration in seconds (lognormal, capped)."""
        return min(self.timer.lognormal(median / 60), int(cap * MINUTE))

    def _quick(self, start: int, median_minutes: float, cap_minutes: float) -> int:
        """End of a quick front-office step, measured in calendar time: started in working
        time, it is finished before the lunch break or the end of the day."""
        end = start + self._minutes(median_minutes, cap_minutes)
        period_end = self.cal.period_end(start)
        if period_end is not None and start < period_end:
            end = min(end, period_end)
        return end

    def _draw_case(self, plan: ComplaintPlan) -> list[Event]:
        rng, timer, cal = self.rng, self.timer, self.cal
        _, department, resolutions = COMPLAINT_CATEGORIES[plan.category]
        supervisor = rng.choice(COMPLAINT_SUPERVISORS)
        if plan.four_eyes:  # the supervisor investigates the complaint they classified
            investigator, inv_department, inv_role = supervisor, "客服部", SUPERVISOR
        else:
            investigator, inv_department, inv_role = rng.choice(DEPARTMENTS[department].staff), department, SPECIALIST
        events = []

        def add(activity, resource, dept, role, start, end, outcome):
            events.append(Event(activity, resource, dept, start, end, outcome, role=role))
            return end

        # Compliant front-office steps also meet their limits when measured from the start of
        # the previous step: receipt + classification ≤ 28 min, classification + assignment ≤ 55 min.
        received = plan.received
        registered = add(T_RECEIVE, rng.choice(COMPLAINT_AGENTS), "客服部", AGENT, received,
                         self._quick(received, 5, RECEIVE_MAX_MINUTES), "已登记")
        if plan.classification_late:
            late = timer.uniform(*(m / 60 for m in CLASSIFY_LATE_WORKING_MINUTES))
            classified = cal.add_working(registered, late)
            assign_cap = ASSIGN_MAX_MINUTES
        else:
            classify_cap = CLASSIFY_COMPLIANT_MAX_MINUTES - (registered - received) / MINUTE
            classified = self._quick(registered, 10, classify_cap)
            assign_cap = ASSIGN_MAX_MINUTES - (classified - registered) / MINUTE
        add(T_CLASSIFY, supervisor, "客服部", SUPERVISOR, registered, classified, f"{plan.category}/{plan.urgency}")
        moment = add(T_ASSIGN, supervisor, "客服部", SUPERVISOR, classified,
                     self._quick(classified, 15, assign_cap), f"已分派至{inv_department}")

        rounds = 2 if plan.unsatisfied else 1
        for round_no in range(rounds):
            if plan.investigation_late and round_no == 0:
                done = timer.finish_within(moment, lambda: timer.uniform(*INVESTIGATE_LATE_HOURS),
                                           INVESTIGATE_LATE_HOURS[0], 2 * INVESTIGATE_LATE_HOURS[1])
            else:
                done = timer.finish_within(moment, lambda: timer.lognormal(COMPLAINT_MEDIAN_HOURS[T_INVESTIGATE]),
                                           0, INVESTIGATE_COMPLIANT_MAX_HOURS)
            moment = add(T_INVESTIGATE, investigator, inv_department, inv_role, moment, done, rng.choice(resolutions))
            last_round = round_no == rounds - 1
            callback_done = timer.finish_within(moment, lambda: timer.lognormal(COMPLAINT_MEDIAN_HOURS[T_CALLBACK]),
                                                0, CALLBACK_COMPLIANT_MAX_HOURS)
            add(T_CALLBACK, rng.choice(COMPLAINT_AGENTS), "客服部", AGENT, moment, callback_done,
                "满意" if last_round else "不满意")
            if not last_round:
                moment = callback_done
                continue
            close_from, close_done = callback_done, None
            if plan.urgency == "特急" and not plan.no_legal:  # 法务复核 runs beside 客户回访
                if plan.closed_before_legal:  # closed without waiting for the slow legal review
                    close_done = callback_done + self._minutes(20, 50)
                    legal_done = self._legal_review(moment, LEGAL_SLOW_MEDIAN_HOURS)
                    while legal_done <= close_done:
                        legal_done = self._legal_review(moment, LEGAL_SLOW_MEDIAN_HOURS)
                else:
                    legal_done = self._legal_review(moment, COMPLAINT_MEDIAN_HOURS[T_LEGAL])
                    close_from = max(callback_done, legal_done)
                add(T_LEGAL, rng.choice(DEPARTMENTS["法务部"].staff), "法务部", LEGAL_SPECIALIST, moment,
                    legal_done, "无法律风险")
            if close_done is None:
                close_done = timer.finish(close_from, timer.lognormal(COMPLAINT_MEDIAN_HOURS[T_CLOSE]))
            add(T_CLOSE, supervisor, "客服部", SUPERVISOR, close_from, close_done, "已结案")
        return sorted(events, key=_case_order)

    def _legal_review(self, arrival: int, median_hours: float) -> int:
        return self.timer.finish(arrival, self.timer.lognormal(median_hours))

    def simulate_case(self, plan: ComplaintPlan) -> list[Event]:
        for _ in range(MAX_DRAWS):
            events = self._draw_case(plan)
            if max(e.end for e in events) <= self.export_at:
                return events
        raise RuntimeError(f"{plan.case_id}: could not fit the case before the export at {EXPORT_AT}")

    def write(self, out_dir: Path) -> dict:
        truth = ComplaintTruth(self.cal)
        fmt = self.fmt
        with open(out_dir / self.file, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COMPLAINT_HEADER)
            for plan in self.plan():
                events = self.simulate_case(plan)
                writer.writerows(
                    (plan.case_id, e.activity, e.resource, e.department, e.role, fmt.iso(e.start),
                     fmt.iso(e.end), plan.category, plan.urgency, e.outcome)
                    for e in events
                )
                truth.add_case(plan, events)
        return truth.report(self)


class ComplaintTruth:
    """Ground truth of 客户投诉处理.csv, computed from the rows as written."""

    def __init__(self, calendar: WorkCalendar):
        self.cal = calendar
        self.cases = self.events = self.off_hours = 0
        self.activities: set[str] = set()
        self.urgency: dict[str, int] = {u: 0 for u in URGENCY}
        self.limit_violations: dict[str, list[str]] = {a: [] for a in (T_CLASSIFY, T_ASSIGN, T_INVESTIGATE, T_CALLBACK)}
        self.late_investigation_hours: dict[str, float] = {}
        self.no_legal: list[str] = []
        self.four_eyes: dict[str, str] = {}  # case → the person who did both steps
        self.closed_before_legal: list[str] = []
        self.reworked: list[str] = []
        self.parallel_cases = 0

    def add_case(self, plan: ComplaintPlan, events: list[Event]) -> None:
        cal, case = self.cal, plan.case_id
        self.cases += 1
        self.events += len(events)
        self.urgency[plan.urgency] += 1
        by_activity: dict[str, list[Event]] = {}
        for e in events:
            self.activities.add(e.activity)
            by_activity.setdefault(e.activity, []).append(e)
            if not cal.is_working_time(e.end):
                self.off_hours += 1
        limits = {
            T_CLASSIFY: lambda e: e.end - e.start > CLASSIFY_LIMIT_MINUTES * MINUTE,
            T_ASSIGN: lambda e: e.end - e.start > ASSIGN_LIMIT_MINUTES * MINUTE,
            T_INVESTIGATE: lambda e: cal.working_between(e.start, e.end) > INVESTIGATE_LIMIT_HOURS * HOUR,
            T_CALLBACK: lambda e: cal.working_between(e.start, e.end) > CALLBACK_LIMIT_HOURS * HOUR,
        }
        for activity, exceeds in limits.items():
            if any(exceeds(e) for e in by_activity.get(activity, [])):
                self.limit_violations[activity].append(case)
        if case in self.limit_violations[T_INVESTIGATE]:
            self.late_investigation_hours[case] = round(max(
                cal.working_between(e.start, e.end) for e in by_activity[T_INVESTIGATE]) / HOUR, 2)
        if len(by_activity.get(T_INVESTIGATE, [])) > 1:
            self.reworked.append(case)
        legal = by_activity.get(T_LEGAL, [])
        if plan.urgency == "特急" and not legal:
            self.no_legal.append(case)
        classifiers = {e.resource for e in by_activity[T_CLASSIFY]}
        investigators = {e.resource for e in by_activity.get(T_INVESTIGATE, [])}
        for person in sorted(classifiers & investigators):
            self.four_eyes[case] = person
        close = by_activity[T_CLOSE][-1]
        if legal:
            self.parallel_cases += 1
            if close.end < max(e.end for e in legal):
                self.closed_before_legal.append(case)

    def report(self, sim: ComplaintSimulator) -> dict:
        limit_rules = {
            T_CLASSIFY: f"完成时间 − 开始时间 > {CLASSIFY_LIMIT_MINUTES} minutes (接收后30分钟内); the late ones "
                        "exceed it in calendar and in working time, the others stay within it even when "
                        "measured from the 开始时间 of 投诉接收",
            T_ASSIGN: f"完成时间 − 开始时间 > {ASSIGN_LIMIT_MINUTES} minutes (分类后1小时内); the punctually "
                      "classified cases stay within it even when measured from the 开始时间 of 投诉分类",
            T_INVESTIGATE: f"> {INVESTIGATE_LIMIT_HOURS} working hours (2 working days); compliant ones take "
                           f"≤ {INVESTIGATE_COMPLIANT_MAX_HOURS} h, late ones ≥ {INVESTIGATE_LATE_HOURS[0]} h",
            T_CALLBACK: f"> {CALLBACK_LIMIT_HOURS} working hours (1 working day)",
        }
        return {
            "file": COMPLAINT_FILE,
            "encoding": "utf-8-sig",
            "format": {"type": "csv", "delimiter": ",", "line_terminator": "\n", "header_line": 1,
                       "bom": True, "timestamp_format": "%Y-%m-%d %H:%M:%S",
                       "timestamp_example": "2025-03-05 09:05:11", "timezone": "Asia/Shanghai"},
            "cases": self.cases,
            "events": self.events,
            "activities": sorted(self.activities),
            "columns": {"case": "流程编号", "activity": "节点名称", "start_timestamp": "开始时间",
                        "timestamp": "完成时间", "resource": "经办人", "department": "部门", "role": "岗位",
                        "outcome": "处理结果"},
            "attribute_columns": {"category": "投诉类别", "urgency": "紧急程度"},
            "injected": {
                "time_limit_violations": {
                    a: {"rule": limit_rules[a], "cases": cases} for a, cases in self.limit_violations.items()
                },
                "late_investigation_working_hours": self.late_investigation_hours,
                "rule_violations": {
                    "特急_without_法务复核": {"rule": "特急 complaints need 法务复核", "cases": self.no_legal},
                    "four_eyes_投诉分类_调查与处理": {
                        "rule": "投诉分类 and 调查与处理 by different people", "cases": list(self.four_eyes),
                        "resources": self.four_eyes},
                    "结案归档_before_法务复核": {
                        "rule": "结案归档 completes after 法务复核 completes", "cases": self.closed_before_legal},
                },
                "parallel": {"activities": [T_CALLBACK, T_LEGAL], "after": T_INVESTIGATE,
                             "cases_with_法务复核": self.parallel_cases,
                             "note": "特急 only: both start when the last 调查与处理 completes; intervals overlap"},
                "loops": {"客户回访不满意→调查与处理": {"path": [T_CALLBACK, T_INVESTIGATE, T_CALLBACK],
                                                "cases": self.reworked}},
                "urgency_cases": self.urgency,
                "off_hours_events": {"count": self.off_hours,
                                     "note": "rows whose 完成时间 is outside working time"},
            },
            "definitions": {
                "working_time": "09:00–12:00 and 13:00–18:00 on chinese_calendar.is_workday days; "
                                "1 working day = 8 working hours",
                "duration": "完成时间 − 开始时间 of a row; each step starts when its predecessor completes",
            },
            "parameters": _parameters(sim, {
                "last_finished_submission": COMPLAINT_LAST_SUBMISSION.isoformat(sep=" "),
                "step_median_working_hours": COMPLAINT_MEDIAN_HOURS,
                "p_investigation_late": P_INVESTIGATION_LATE,
                "p_classification_late": P_CLASSIFICATION_LATE,
                "p_unsatisfied": P_UNSATISFIED, "urgency_shares": URGENCY,
                "category_shares": {c: share for c, (share, _, _) in COMPLAINT_CATEGORIES.items()},
            }),
        }


# ---------------------------------------------------------------------------------------
# Ground truth files and command line
# ---------------------------------------------------------------------------------------


def _parameters(sim, specific: dict) -> dict:
    return {
        "seed": sim.seed, "cases": sim.cases, "rng": f"random.Random('{sim.seed}:{sim.name}')",
        "period": [PERIOD_START.isoformat(sep=" "), EXPORT_AT.isoformat(sep=" ")],
        "last_finished_submission": LAST_SUBMISSION.isoformat(sep=" "),
        "export_at": EXPORT_AT.isoformat(sep=" "),
        "working_periods": ["09:00-12:00", "13:00-18:00"],
        "off_hours_share": OFF_HOURS_SHARE, "duration_sigma": DURATION_SIGMA,
        "duration_cap_times_median": DURATION_CAP,
        **specific,
    }


SIMULATORS = {sim.name: sim for sim in (ContractSimulator, ExpenseSimulator, ComplaintSimulator)}


def generate(out_dir: Path, seed: int = DEFAULT_SEED, only: str | None = None,
             cases: int | None = None) -> list[Path]:
    """Write the selected logs and their ``.truth.json`` into ``out_dir``; return the paths.

    >>> generate(Path("/tmp/logs"), only="contract", cases=50)   # doctest: +SKIP
    [PosixPath('/tmp/logs/合同审批.csv'), PosixPath('/tmp/logs/合同审批.truth.json')]
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    calendar = WorkCalendar()
    written = []
    for name, simulator_class in SIMULATORS.items():
        if only and name != only:
            continue
        simulator = simulator_class(seed, cases if cases is not None else simulator_class.default_cases, calendar)
        truth = simulator.write(out_dir)
        truth_path = out_dir / (Path(simulator.file).stem + ".truth.json")
        truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                              encoding="utf-8")
        written += [out_dir / simulator.file, truth_path]
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="output folder (default: the folder of this script)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--only", choices=list(SIMULATORS), help="write only this log")
    parser.add_argument("--cases", type=int, help="number of cases (default: 300 / 400 / 250)")
    args = parser.parse_args(argv)
    if args.cases is not None and args.cases < 1:
        parser.error("--cases must be at least 1")
    for path in generate(args.out, args.seed, args.only, args.cases):
        print(path)


if __name__ == "__main__":
    main()
