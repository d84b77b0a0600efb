"""Section 9: every measure the report uses, defined as docs/measures.md defines it (zh, en)."""

from __future__ import annotations

#: (measure zh, measure en, definition zh, definition en); {hours} is the working day's length.
DEFINITIONS: list[tuple[str, str, str, str]] = [
    ("案例", "case",
     "一次申请从发起到办结的全部记录（同一案例编号）。", "All records of one request, from submission to the end (one case id)."),
    ("事件 / 步骤", "event / step",
     "日志中的一行：某个活动（审批节点）的一次办理，带完成时间，通常还带到达时间、办理人和部门。",
     "One row of the log: one execution of an activity (approval node) with its completion time, usually also its "
     "arrival time, person and department."),
    ("流程变体", "variant",
     "一个案例按办理顺序（到达时间，其次完成时间，其次文件行号）排列的活动序列；序列相同的案例属于同一变体。",
     "The sequence of a case's activities in step order (arrival, then completion, then file row); cases with the "
     "same sequence share a variant."),
    ("步骤时长", "step duration",
     "到达时间 → 完成时间（含在待办中排队和办理）。日志没有到达时间时：上一步完成 → 本步完成。缺少到达时间的步骤没有时长（不按 0 计）。",
     "Arrival → completion (queueing in the inbox plus the work). Without an arrival column: the previous step's "
     "completion → this step's completion. A step with no arrival time has no duration (not zero)."),
    ("交接与交接等待", "hand-off and hand-off wait",
     "同一案例中一步完成、下一步到达即为一次交接（时间上重叠的并行步骤之间不算交接）。等待 = 下一步可以开始"
     "（其所有直接前序步骤中最后一个完成）→ 下一步到达。",
     "Step i hands over to step j in a case when i completed no later than j arrived and no other step lies "
     "wholly between them (overlapping, parallel steps hand over to neither). Wait = from the moment j was "
     "ready (the last of its direct predecessors completed) to j's arrival."),
    ("周期（办理时长）", "lead time",
     "案例第一次到达（或第一次完成）→ 最后一次完成。导出时仍有步骤未完成的案例为“办理中”，不计入周期统计。",
     "A case's first arrival (or first completion) → its last completion. Cases with a step still open at export "
     "are in progress and left out of lead-time figures."),
    ("工作时间 / 工作日", "working time / working day",
     "只计工作日的工作时段（默认中国法定节假日与调休，09:00–12:00、13:00–18:00）。工作日 = 工作小时 ÷ 每日工作小时"
     "（{hours:g}）。日历时间为钟表时间，含夜间、周末和节假日。",
     "Only working hours on working days count (by default Chinese statutory holidays and 调休, 09:00–12:00 and "
     "13:00–18:00). Working days = working hours ÷ hours per working day ({hours:g}). Calendar time is clock "
     "time, nights, weekends and holidays included."),
    ("中位数、P90", "median, p90",
     "中位数：一半案例（或步骤）低于此值；P90：90 % 低于此值（线性插值）。",
     "Median: half of the cases (or steps) are below it; p90: 90 % are below it (linear interpolation)."),
    ("周期分布", "lead-time distribution",
     "已完成案例按周期（工作日）分组计数；组宽取 0.25、0.5、1、2、5、10… 中能让 95 % 的案例落在不超过 15 组内的最小值，"
     "其余归入最后一个“≥”组。",
     "Completed cases counted per lead-time bin (working days); the bin width is the smallest of 0.25, 0.5, 1, 2, "
     "5, 10 … that fits 95 % of the cases in at most 15 bins, the rest going into one last “≥” bin."),
    ("目标达标率", "target attainment",
     "周期不超过目标（如 3wd = 3 个工作日 = {hours:g}×3 工作小时）的已完成案例占已完成案例的比例。",
     "Share of completed cases whose lead time is within the target (e.g. 3wd = 3 working days = 3 × {hours:g} "
     "working hours)."),
    ("驳回率", "rejection rate",
     "审批结果（没有结果列时为活动名称）含驳回、拒绝、不同意、不通过、否决等的已完成案例所占比例；退回修改不算驳回。",
     "Share of completed cases with a rejecting decision (驳回, 拒绝, 不同意, 不通过, 否决, reject, declined, denied) "
     "in the outcome column, or in an activity name without one. A send-back for rework is not a rejection."),
    ("一次通过率", "first-time-right",
     "没有任何活动重复执行、也没有被退回的已完成案例所占比例。",
     "Share of completed cases in which no activity was done twice and nothing was sent back."),
    ("月度统计", "by month",
     "按案例首次到达的月份计“发起”，按最后完成的月份计“完成”；月末在办 = 月末前已发起、尚未完成的案例；中位周期为当月完成案例的中位数。",
     "Cases started by their first arrival's month, completed by their last completion's month; in progress at "
     "month end = started by then and not completed; median lead time of the cases completed that month."),
    ("占总周期时间比例", "share of lead time",
     "在某环节、交接、部门或人员上花费的时间在全部案例上的合计 ÷ 全部案例周期的合计（工作时间）。并行步骤各自计入，比例之和可超过 100 %。",
     "Time spent at an activity, hand-off, department or person summed over all cases ÷ lead time summed over all "
     "cases (working time). Parallel steps both count, so shares may add up to more than 100 %."),
    ("关键路径", "critical path",
     "在各案例首轮办理（任何活动重复之前）中，从最常见的起点到最常见的终点、中位工作时间（步骤中位 + 交接等待中位）最多的路径，"
     "只经过至少 1/3（否则 1/5、5 %）案例出现的活动和交接。",
     "The path from the usual first to the usual last step with the most median working time (step medians + "
     "hand-off wait medians), on each case's first pass, through activities and hand-offs seen in at least a "
     "third (else a fifth, else 5 %) of the cases."),
    ("返工 / 循环", "rework / loop",
     "案例回到已经办理过的环节（交接的目标活动在本案例中不晚于来源活动首次出现）。由审批结果为退回/驳回的环节发回的为“退回返工”，"
     "同一活动紧接重复为“自循环”；工作在两人（或两个部门）之间来回为“来回传递”。一个案例无论绕几圈只计一次，次数另计。",
     "A case going back to a step it has already passed (a hand-off into an activity that first appeared no later "
     "than the sender). Sent back by a step whose outcome says so: send-back; the same activity straight again: "
     "self-loop; work going from one person (or department) to another and straight back: ping-pong. A case "
     "counts once however often it went round; the rounds are counted apart."),
    ("中位额外时长", "median extra time",
     "有此循环的已完成案例中位周期 − 没有此循环的已完成案例中位周期（工作小时）。",
     "Median lead time of completed cases with the loop minus that of completed cases without it (working hours)."),
    ("工作量", "workload",
     "某部门（岗位、人员）办理的事件数、涉及案例数，以及这些步骤的工作小时合计和每步中位数（到达 → 完成）。",
     "Events and cases a department (role, person) handled, and the working hours of those steps in total and "
     "the median per step (arrival → completion)."),
    ("部门间交接", "hand-offs between departments",
     "每次交接中，交出步骤办理人的部门 → 接手步骤办理人的部门；部门为空的步骤不计。",
     "For every hand-off, the department of the step handing over → the department of the step taking over; "
     "steps without a department are left out."),
    ("改进候选", "improvement candidates",
     "删减：几乎从不驳回/退回的审批环节（低于 2 % 的决定）；合并：同一人（或同一部门）连续办理的两步（≥ 80 % 的案例）；"
     "并行：两种先后顺序都常见（各 ≥ 10 %）却很少同时进行（< 20 %）的两步；明确责任：由 3 个以上部门办理、最大部门不足 60 % 的环节。"
     "预计节省为每个经过该环节的案例的工作小时（删减：该环节中位耗时；合并：交接等待中位 + 较短环节中位的一半；并行：较短环节的中位耗时）。",
     "Remove: approvals that almost never reject or send back (under 2 % of decisions); merge: two consecutive "
     "steps by the same person (or department) in ≥ 80 % of cases; parallelise: two steps seen in both orders "
     "(each ≥ 10 %) that rarely overlap (< 20 %); clarify owner: a step handled by 3 or more departments, the "
     "largest with under 60 %. Estimated saving in working hours per case passing the step(s) (remove: the "
     "step's median; merge: median hand-off wait + half the smaller step's median; parallelise: the shorter "
     "step's median)."),
    ("拟合度", "fitness",
     "实际案例与设计流程相符的程度（0–1，1 为完全相符），计算方法见第 8 节所注。",
     "How well the cases fit the designed process (0–1, 1 = fully), by the method named in section 8."),
]
