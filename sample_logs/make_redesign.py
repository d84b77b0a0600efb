"""Write 付款审批_改造前后.csv: a payment-approval OA export spanning a redesign on 2025-07-01.

Before: 提交申请 → 部门经理审批 → 副总审批 → 财务审核 → 出纳付款.
From 2025-07-01 (cases submitted from then on): 副总审批 removed, 合规审查 added before
财务审核 (a new control), and 财务审核's queue cut from a median of 2 working days to half a day.
部门经理审批 sends every eighth case back (退回 → 修改申请 → 部门经理审批 again). The export was
taken on 2025-12-31 12:00: the cases submitted in its last days are still open, their current
step arrived and not completed (empty 处理时间); every ninth case submitted in December stalled
at 部门经理审批 (卡壳) and is open there too. Deterministic (seeded); run from the repository:

    python sample_logs/make_redesign.py
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

SPLIT = datetime(2025, 7, 1)
EXPORT = datetime(2025, 12, 31, 12, 0)
OUT = Path(__file__).with_name("付款审批_改造前后.csv")
MANAGERS = {"销售部": "周敏", "市场部": "吴刚", "研发部": "郑洁", "行政部": "王芳"}
STAFF = {"销售部": ["李娜", "张伟", "刘洋"], "市场部": ["陈静", "杨帆"], "研发部": ["赵磊", "黄婷", "孙浩"],
         "行政部": ["何琳"]}


def _working_after(start: datetime, hours: float) -> datetime:
    """``hours`` of working time (Mon–Fri 09:00–12:00, 13:00–18:00) after ``start``."""
    t = start
    left = hours * 60
    while left > 0:
        if t.weekday() >= 5 or t.hour >= 18:
            t = (t + timedelta(days=1)).replace(hour=9, minute=0)
            continue
        if t.hour < 9:
            t = t.replace(hour=9, minute=0)
        if t.hour == 12:
            t = t.replace(hour=13, minute=0)
        end = t.replace(hour=12, minute=0) if t.hour < 12 else t.replace(hour=18, minute=0)
        step = min(left, (end - t).total_seconds() / 60)
        t += timedelta(minutes=step)
        left -= step
    return t


def main() -> Path:
    rng = random.Random(20250701)
    rows = []
    day = datetime(2025, 1, 2, 9, 0)
    number = 0
    while day < datetime(2025, 12, 31, 12):
        for _ in range(rng.choice((1, 2, 2, 3))):
            number += 1
            dept = rng.choice(list(MANAGERS))
            person = rng.choice(STAFF[dept])
            amount = rng.choice((3000, 8000, 15000, 40000, 120000))
            case = f"FK2025-{number:04d}"
            after = day >= SPLIT
            t = _working_after(day, rng.uniform(0, 6))
            if t >= EXPORT:  # submitted after the export was taken: not in it
                continue
            steps = [("提交申请", person, dept, "提交", 0.0)]
            if number % 8 == 0:
                steps += [("部门经理审批", MANAGERS[dept], dept, "退回", rng.uniform(1, 6)),
                          ("修改申请", person, dept, "提交", rng.uniform(2, 10))]
            steps.append(("部门经理审批", MANAGERS[dept], dept, "同意", rng.uniform(1, 6)))
            if after:
                steps.append(("合规审查", rng.choice(["钱进", "冯雪"]), "合规部", "同意", rng.uniform(2, 6)))
                steps.append(("财务审核", rng.choice(["蒋涛", "韩雪"]), "财务部", "同意", rng.uniform(2, 6)))
            else:
                steps.append(("副总审批", "钱志远", "总经办", "同意", rng.uniform(1, 4)))
                steps.append(("财务审核", rng.choice(["蒋涛", "韩雪"]), "财务部", "同意", rng.uniform(12, 20)))
            steps.append(("出纳付款", "潘颖", "财务部", "已付款", rng.uniform(1, 4)))
            # every 9th case submitted in December stalls at 部门经理审批 (卡壳): never completed
            stalls = day.month == 12 and number % 9 == 0
            for activity, who, where, result, hours in steps:
                done = _working_after(t, hours) if not (stalls and activity == "部门经理审批") else EXPORT + timedelta(1)
                if done > EXPORT:  # still at this step when the export was taken
                    rows.append([case, activity, who, where, f"{t:%Y-%m-%d %H:%M}", "", "", amount])
                    break
                rows.append([case, activity, who, where, f"{t:%Y-%m-%d %H:%M}", f"{done:%Y-%m-%d %H:%M}", result,
                             amount])
                t = done
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    with OUT.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["单据编号", "审批节点", "处理人", "所属部门", "到达时间", "处理时间", "审批结果", "付款金额(元)"])
        writer.writerows(rows)
    return OUT


if __name__ == "__main__":
    print(main())
