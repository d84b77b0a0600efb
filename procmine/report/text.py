"""The report's words in Chinese (zh) and English (en): headings, column labels, finding sentences.

They are registered under the prefix ``report`` in the one language layer (:mod:`procmine.text`);
``Text`` here reads them first, then the shared words.

    >>> t = Text("zh")
    >>> t("cases_n", n=3)
    '3 个'
    >>> Text("en").days(2.45, "working")
    '2.5 working days'
"""

from __future__ import annotations

from procmine import text as _text

PHRASES = _text.phrases("report", {
    # --- title and sections ------------------------------------------------------------------
    "title": ("《{process}》现状调研分析报告", "Current-state survey report: {process}"),
    "subtitle": ("数据期间 {period} · 来源 {source} · 草稿，生成于 {generated}（procmine {version}）",
                 "Period {period} · source {source} · draft generated {generated} (procmine {version})"),
    "contents": ("目录", "Contents"),
    "sec_scope": ("调研范围与数据", "Scope and data"),
    "sec_flowchart": ("当前流程图", "Current flowchart"),
    "sec_kpi": ("时效与KPI", "Lead time and KPIs"),
    "sec_bottlenecks": ("瓶颈分析", "Bottlenecks"),
    "sec_loops": ("返工与循环", "Rework and loops"),
    "sec_workload": ("岗位与部门", "Roles and departments"),
    "sec_improvements": ("改进机会", "Improvement opportunities"),
    "sec_comparison": ("与设计流程对比", "Comparison with the designed process"),
    "sec_before_after": ("改造前后对比", "Before and after"),
    "before_after_intro": (
        "{before} 与 {after} 的对比（{basis}）。每项变化都给出 95% 置信区间；区间含 0 的变化在随机波动范围内，不能算作变化。",
        "{before} against {after} ({basis}). Every change has a 95 % confidence interval; a change whose interval "
        "contains 0 is within noise and is not counted as a change."),
    "before_after_kpi_caption": ("改造前后关键指标（后 − 前）", "KPIs before and after (after − before)"),
    "before_after_map_caption": ("前后对比流程图（变快、变慢、新增、删除）", "Difference map (faster, slower, new, removed)"),
    "before_after_steps_caption": ("环节变化（中位耗时）", "Steps that changed (median time)"),
    "ba_measure": ("指标", "measure"),
    "ba_before": ("之前", "before"),
    "ba_after": ("之后", "after"),
    "ba_change": ("变化", "change"),
    "ba_interval": ("95% 区间", "95 % interval"),
    "ba_verdict": ("结论", "verdict"),
    "ba_within_noise": ("随机波动", "within noise"),
    "ba_real_change": ("显著变化", "a change"),
    "ba_points": ("{name}（百分点）", "{name} (points)"),
    "sec_appendix": ("附录：指标定义与计算方法", "Appendix: measures and how they were computed"),
    "figure": ("图 {n}", "Figure {n}"),
    "table": ("表 {n}", "Table {n}"),
    "none": ("—", "—"),
    "cases_n": ("{n} 个", "{n}"),
    # --- units (working_time, calendar_hours, … are the shared words of procmine.text) -------
    "per_day": ("按每日 {hours:g} 工作小时计", "{hours:g} working hours a day"),
    # --- 1 scope -----------------------------------------------------------------------------
    "scope_intro": (
        "本报告依据 OA 系统导出的审批记录（{source}），对「{process}」流程的现状进行量化分析，是《现状调研分析报告》"
        "的初稿：数字由 procmine 从数据计算；结论与改进建议需由分析人员结合访谈、现有制度和文档判断后修改。"
        "每个数字都注明单位，时长注明是工作时间还是日历时间。",
        "This report measures the current state of the “{process}” process from the approval records exported "
        "from the OA system ({source}). It is a draft of the current-state survey report: the numbers are "
        "computed by procmine from the data; conclusions and recommendations are for the analyst to judge "
        "against interviews, policies and documents. Every number states its unit, and every duration whether "
        "it is working time or calendar time."),
    "overview": ("数据概况", "The data"),
    "item": ("项目", "item"),
    "value": ("内容", "value"),
    "process": ("流程", "process"),
    "source_file": ("来源文件", "source file"),
    "filter": ("筛选条件（仅分析符合条件的案例；数据质量按整个文件统计）",
               "filter (only the cases it keeps are analysed; data quality covers the whole file)"),
    "file_format": ("文件格式", "file format"),
    "period": ("数据期间", "period"),
    "period_value": ("{start} 至 {end}（{tz}）", "{start} to {end} ({tz})"),
    "cases": ("案例数", "cases"),
    "cases_value": ("{cases:,} 个（已完成 {done:,} 个，导出时仍在办理 {open:,} 个）",
                    "{cases:,} ({done:,} completed, {open:,} still in progress at export)"),
    "events": ("事件数", "events"),
    "events_value": ("{n:,} 个", "{n:,}"),
    "activities": ("活动数", "activities"),
    "variants": ("流程变体数", "variants"),
    "duration_basis": ("步骤时长口径", "step durations"),
    "basis_arrival": ("到达时间 → 完成时间（含在待办中排队的时间）",
                      "arrival → completion (includes the time the item queued in the approver's inbox)"),
    "basis_completion": ("上一步完成 → 本步完成（日志没有到达时间）",
                         "previous step's completion → this step's completion (the log has no arrival times)"),
    "calendar": ("工作日历", "working-time calendar"),
    "target": ("目标周期", "lead-time target"),
    "reading_notes": ("读取说明", "how the file was read"),
    "sheet": ("工作表", "sheet"),
    "row_word_row": ("行", "row"),
    "row_word_event": ("个事件", "event"),
    "target_example": ("（示例目标：方法中的示例“审批时长≤3个工作日”，不是本流程的约定目标；用 --target 设定实际目标）",
                       " (example target: the method's example “approval within 3 working days”, not this "
                       "process's agreed target; set the real one with --target)"),
    "target_design": ("（设计流程的目标）", " (the designed process's target)"),
    "mapping": ("字段映射", "Column mapping"),
    "field": ("字段", "field"),
    "column_in_file": ("文件中的列", "column in the file"),
    "quality": ("数据质量", "Data quality"),
    "quality_summary": (
        "读取 {rows:,} {row_word}，得到 {events:,} 个事件：删除 {dropped:,} 行、合并 {merged:,} 行、修复 {repaired:,} 行；"
        "{problems} 项需要注意。没有任何数据被悄悄丢弃：每项处理都列在下表中，附行号和示例。",
        "{rows:,} {row_word}s read, {events:,} events kept: {dropped:,} dropped, {merged:,} merged, "
        "{repaired:,} repaired; {problems} finding(s) need attention. Nothing is dropped silently: every action "
        "is listed below with row numbers and examples."),
    "quality_none": ("未发现数据质量问题。", "No data-quality problems were found."),
    "severity": ("级别", "severity"),
    "column": ("列", "column"),
    "rows": ("行数", "rows"),
    "action": ("处理", "action"),
    "reason": ("说明", "reason"),
    "examples": ("示例（行号: 值）", "examples (row: value)"),
    "calendar_warnings": ("工作日历提示：{text}", "Calendar note: {text}"),
    # --- 2 flowchart -------------------------------------------------------------------------
    "flowchart_intro": (
        "{figure} 为从数据中发现的当前流程图：方框为活动，标注执行次数和中位处理时长；箭头为环节之间的交接，"
        "标注交接次数和中位等待时长。并行办理的环节并排画出。图中时长为日历时间（含夜间、周末和节假日），"
        "工作时间口径的时长见第 3、4 节。",
        "{figure} is the current flowchart found in the data: boxes are activities with how often they ran and "
        "their median duration; arrows are hand-offs with their count and median wait. Steps that ran in "
        "parallel are drawn side by side. Durations in the chart are calendar time (nights, weekends and "
        "holidays included); sections 3 and 4 give working time."),
    "flowchart_caption": ("当前流程图（日历时间）", "Current flowchart (calendar time)"),
    "flowchart_size": ("流程共有 {activities} 个活动、{paths:,} 条交接路径。",
                       "The process has {activities} activities and {paths:,} hand-off paths."),
    "flowchart_ends": ("最常见的起点是「{start}」（{start_n:,} 个案例），最常见的终点是「{end}」（{end_n:,} 个案例）。",
                       "Most cases start with “{start}” ({start_n:,} cases) and end with “{end}” ({end_n:,} cases)."),
    "flowchart_simplified": ("为便于阅读，图{note}；完整的活动和交接见 process_map.json（procmine discover）。",
                             "The chart is simplified to stay readable: {note}; every activity and hand-off is in "
                             "process_map.json (procmine discover)."),
    "variants_title": ("流程变体（实际走过的路径）", "Variants (the paths cases actually took)"),
    "variants_finding": (
        "共 {n:,} 个流程变体；最常见的变体覆盖 {s1} 的案例（{c1:,} 个），前 5 个覆盖 {s5}，前 10 个覆盖 {s10}。",
        "{n:,} variants; the most frequent covers {s1} of the cases ({c1:,}), the top 5 cover {s5}, the top 10 {s10}."),
    "variants_caption": ("最常见的 {n} 个流程变体", "The {n} most frequent variants"),
    "rank": ("序号", "#"),
    "sequence": ("活动序列", "sequence of activities"),
    "steps": ("步数", "steps"),
    "cases_col": ("案例数", "cases"),
    "share": ("占比", "share"),
    "cumulative_share": ("累计占比", "cumulative share"),
    "median_lead_days": ("中位周期（{unit}）", "median lead time ({unit})"),
    # --- 3 kpi -------------------------------------------------------------------------------
    "kpi_lead": (
        "中位周期 {median} {days}（{basis}，{per_day}；日历时间中位 {median_cal} 天），平均 {mean} {days}，"
        "P90 {p90} {days}，最长 {max} {days}；统计 {done:,} 个已完成案例{open_note}。",
        "Median lead time {median} {days} ({basis}, {per_day}; calendar median {median_cal} days), mean {mean} "
        "{days}, p90 {p90} {days}, longest {max} {days}; over {done:,} completed cases{open_note}."),
    "open_note": ("，{open:,} 个办理中的案例不计", ", the {open:,} still in progress left out"),
    "kpi_target": ("目标周期 ≤ {limit}（{limit_text}）：{share} 的已完成案例达标（{met:,}/{done:,} 个）。",
                   "Target lead time ≤ {limit} ({limit_text}): met by {share} of completed cases ({met:,} of {done:,})."),
    "kpi_no_target": ("未设定目标周期（可用 --target 设定，例如 3wd = 3 个工作日）。",
                      "No lead-time target was given (set one with --target, e.g. 3wd = 3 working days)."),
    "kpi_rates": (
        "驳回率 {rejection}（依据：{source}）；一次通过率 {ftr}（没有重复环节、也没有被退回的已完成案例所占比例）。",
        "Rejection rate {rejection} (from the {source}); first-time-right {ftr} (completed cases with no step "
        "repeated and nothing sent back)."),
    "outcome_column": ("审批结果列", "outcome column"),
    "activity_names": ("活动名称", "activity names"),
    "histogram_caption": ("已完成案例的周期分布（{days}，{basis}）与目标", "Lead time of completed cases ({days}, {basis}) against the target"),
    "histogram_subtitle": ("{done:,} 个已完成案例 · {calendar}", "{done:,} completed cases · {calendar}"),
    "histogram_within": ("{share} 的案例达标", "{share} of cases within"),
    "trend_caption": ("月度趋势：每月完成案例数与周期中位数（{days}）", "Monthly trend: cases completed and median lead time ({days})"),
    "months_caption": ("月度 KPI（按案例发起和完成的月份）", "KPIs by month (by the month a case started or completed)"),
    "month": ("月份", "month"),
    "cases_started": ("发起案例", "cases started"),
    "cases_completed": ("完成案例", "cases completed"),
    "in_progress_at_end": ("月末在办", "in progress at month end"),
    "median_month": ("完成案例中位周期（{unit}）", "median lead time of cases completed ({unit})"),
    # --- 4 bottlenecks -----------------------------------------------------------------------
    "bottleneck_intro": (
        "占总周期时间的比例 = 在某环节（或交接）上花费的时间在全部案例上的合计 ÷ 全部案例周期的合计，按{basis}计"
        "（{calendar}）。{step_time}并行的环节各自计入，比例之和可能超过 100 %。",
        "Share of lead time = the time spent at an activity (or hand-off) summed over all cases ÷ the lead "
        "time summed over all cases, in {basis} ({calendar}). {step_time}Parallel steps both count, so the shares "
        "may add up to more than 100 %."),
    "step_time_arrival": ("环节的时间为到达 → 完成（在待办中排队加办理）；交接的时间为上一步完成后到下一步到达的等待。",
                          "At an activity the time is arrival → completion (queueing in the inbox plus the work); at a "
                          "hand-off it is the wait from the previous step's completion to the next step's arrival. "),
    "step_time_completion": ("日志没有到达时间：环节的时间为上一步完成 → 本步完成（等待与办理合在一起），交接没有单独的时间。",
                             "The log has no arrival times: a step's time runs from the previous step's completion to "
                             "its own (waiting and work together), so hand-offs have no time of their own. "),
    "heatmap_caption": ("瓶颈热力图：当前流程图按中位{basis}着色（颜色越深，耗时越长）",
                        "Where the time goes: the current flowchart coloured by median {basis} (darker = longer)"),
    "bottleneck_finding": ("{kind}「{name}」占总周期时间的 {share}（{basis}），中位 {median} {unit}，涉及 {cases:,} 个案例。",
                           "{kind} “{name}” takes {share} of the total lead time ({basis}): median {median} {unit}, "
                           "{cases:,} cases."),
    "critical_path": ("关键路径（典型案例中耗时最多的路径）：{path}，约 {hours} {unit}（{days} {days_unit}）。",
                      "Critical path (the path of a typical case with the most time): {path}, about {hours} {unit} "
                      "({days} {days_unit})."),
    "bottlenecks_caption": ("耗时最多的环节与交接（按占总周期时间的比例）",
                            "Top bottlenecks: activities and hand-offs by share of lead time"),
    "kind": ("类型", "kind"),
    "where": ("位置", "where"),
    "activity_kind": ("环节", "activity"),
    "handoff_kind": ("交接", "hand-off"),
    "median_hours_col": ("中位耗时（{unit}）", "median ({unit})"),
    "share_of_lead": ("占总周期时间比例", "share of lead time"),
    "no_bottlenecks": ("没有占总周期时间 0.1 % 以上的环节或交接。", "No activity or hand-off takes more than 0.1 % of the lead time."),
    # --- 5 loops -----------------------------------------------------------------------------
    "loops_intro": (
        "循环指案例回到已经办理过的环节（退回返工、自循环、重复办理）或在两人/两个部门之间来回传递。"
        "“中位额外时长” = 有此循环的已完成案例的中位周期减去没有此循环的已完成案例的中位周期（{unit}，{basis}）。",
        "A loop is a case going back to a step it has already passed (send-back, rework, self-loop) or bouncing "
        "between two people or departments. “Median extra” = median lead time of completed cases with the loop "
        "minus that of completed cases without it ({unit}, {basis})."),
    "loops_none": ("未发现返工或循环。", "No rework or loops were found."),
    "loops_total": ("共发现 {n} 种循环；至少经历一种的案例 {cases:,} 个（占全部案例的 {share}）。",
                    "{n} kind(s) of loop found; {cases:,} cases ({share} of all cases) went round at least one."),
    "loop_finding": ("{label}（{kind}，由「{sender}」发回）：{cases:,} 个案例（{share}），共 {traversals:,} 次；中位额外 {extra} {unit}。",
                     "{label} ({kind}, sent back by “{sender}”): {cases:,} cases ({share}), {traversals:,} times; "
                     "median extra {extra} {unit}."),
    "pong_finding": ("{label}（来回传递）：{cases:,} 个案例（{share}），共 {traversals:,} 次；中位额外 {extra} {unit}。",
                     "{label} (ping-pong): {cases:,} cases ({share}), {traversals:,} times; median extra {extra} {unit}."),
    "loops_caption": ("返工与循环（按案例数）", "Loops by cases"),
    "loops_table": ("返工与循环明细", "Loops in detail"),
    "loop": ("循环", "loop"),
    "sent_back_by": ("发回环节", "sent back by"),
    "traversals": ("次数", "times"),
    "median_extra": ("中位额外时长（{unit}）", "median extra ({unit})"),
    "example_cases": ("示例案例", "example cases"),
    "repeated_caption": ("在同一案例中重复执行的活动", "Activities done more than once in a case"),
    "activity": ("活动", "activity"),
    "repeat_cases": ("重复执行的案例数", "cases repeating it"),
    "repetitions": ("多出的执行次数", "extra executions"),
    "max_in_case": ("单个案例最多执行次数", "most in one case"),
    "map_cycle": ("流程图中「{names}」之间有环，但没有案例真正返回（只是先后顺序不同）。",
                  "The map cycles between {names}, but no case went back (the steps only come in either order)."),
    # --- 6 workload --------------------------------------------------------------------------
    "workload_intro": (
        "工作量按{level}统计{whose}：事件数、涉及的案例数、在这些步骤上花费的{unit}合计（{span}）"
        "及每步中位耗时；占总周期时间比例的口径同第 4 节。",
        "Workload per {level}{whose}: events, cases, {unit} spent on those steps "
        "in total ({span}) and the median per step; share of lead time as in section 4."),
    "whose": ("（取每一步办理人所在的{level}）", " (that of the person who did each step)"),
    "span_arrival": ("到达 → 完成", "arrival → completion"),
    "span_completion": ("上一步完成 → 本步完成", "previous completion → completion"),
    "workload_caption": ("各{level}工作量", "Workload per {level}"),
    "workload_finding": ("事件最多的{level}：「{busiest}」（{events:,} 个事件，{cases:,} 个案例）；耗时最多的{level}：「{slowest}」"
                         "（合计 {total} {unit}，占总周期时间的 {share}）。",
                         "Most events: {level} “{busiest}” ({events:,} events, {cases:,} cases); most time: {level} "
                         "“{slowest}” ({total} {unit} in total, {share} of the lead time)."),
    "total_hours": ("合计（{unit}）", "total ({unit})"),
    "median_step": ("每步中位（{unit}）", "median per step ({unit})"),
    "people_caption": ("办理人员工作量（事件最多的 {n} 人）", "Workload per person (the {n} with most events)"),
    "handoff_title": ("{level}间交接", "Hand-offs between {level}s"),
    "handoff_intro": (
        "{table} 为{level}间交接矩阵：行是交出工作的{level}，列是接手的{level}，数字为交接次数（一个案例中从一步到下一步算一次；"
        "对角线为前后两步属于同一{level}）。",
        "{table} is the hand-over matrix: rows are the {level} handing the work over, columns the {level} taking "
        "it; numbers are hand-offs (one step to the next in a case; the diagonal: the same {level} on both steps)."),
    "handoff_finding": ("共 {total:,} 次交接，其中跨{level} {cross:,} 次（{share}）。",
                        "{total:,} hand-offs, {cross:,} of them between different {level}s ({share})."),
    "handoff_top": ("最频繁的跨{level}交接：「{a}」→「{b}」，{n:,} 次（{cases:,} 个案例），中位等待 {wait} {unit}。",
                    "Most frequent hand-off between {level}s: “{a}” → “{b}”, {n:,} times ({cases:,} cases), median "
                    "wait {wait} {unit}."),
    "matrix_caption": ("{level}间交接矩阵（交接次数；行：交出，列：接手）", "Hand-offs between {level}s (rows: from, columns: to)"),
    "matrix_more": ("交接最多的 {top} 个{level}单列，其余合并为“{other}”。", "The {top} {level}s with most hand-offs are shown; the rest are summed as “{other}”."),
    "cross_caption": ("最频繁的跨{level}交接", "Most frequent hand-offs between {level}s"),
    "from": ("交出", "from"),
    "to": ("接手", "to"),
    "handoffs": ("交接次数", "hand-offs"),
    "median_wait": ("中位等待（{unit}）", "median wait ({unit})"),
    "from_to": ("交出 \\ 接手", "from \\ to"),
    "other": ("其他", "other"),
    "level_department": ("部门", "department"),
    "level_role": ("岗位", "role"),
    "level_resource": ("人员", "person"),
    "no_organisation": ("日志中没有部门、岗位或办理人列，无法按岗位与部门统计。",
                        "The log has no department, role or person column: no workload per role or department."),
    # --- 7 improvements ----------------------------------------------------------------------
    "improve_intro": (
        "按规范文档“删减冗余环节、合并相似步骤、并行处理、明确责任主体”的原则，从数据中找到 {n} 项改进候选。"
        "预计节省为每个经过该环节的案例节省的{unit}（{basis}）。这些是供判断的候选，不是结论：某些环节可能是制度或法规要求的。",
        "Following the method's principles (remove redundant steps, merge similar steps, run steps in parallel, "
        "give each step a clear owner), {n} improvement candidate(s) were found in the data. The estimated "
        "saving is in {unit} ({basis}) per case passing the step(s). These are candidates to judge, not "
        "verdicts: a step may be required by policy or law."),
    "improve_caption": ("改进候选及其依据", "Improvement candidates and their evidence"),
    "saving": ("预计节省（{unit}/件）", "estimated saving ({unit} per case)"),
    "evidence": ("依据", "evidence"),
    "steps_col": ("环节", "step(s)"),
    "kind_remove": ("删减", "remove"),
    "bars_caption": ("耗时占比最高的环节与交接（{basis}）", "Activities and hand-offs taking the largest share of lead time ({basis})"),
    "kind_merge": ("合并", "merge"),
    "kind_time_limit": ("限时", "time limit"),
    "kind_sample": ("抽查", "sample checks"),
    "kind_parallelise": ("并行", "parallelise"),
    "kind_clarify_owner": ("明确责任", "clarify owner"),
    # --- 8 comparison ------------------------------------------------------------------------
    "compare_intro": (
        "将实际案例与设计流程「{process}」对比：拟合度（{method}）为 {fitness}；{conforming:,}/{cases:,} 个案例（{share}）完全符合设计。",
        "The cases compared with the designed process “{process}”: fitness ({method}) {fitness}; "
        "{conforming:,} of {cases:,} cases ({share}) conform fully to the design."),
    "compare_caption": ("实际流程与设计流程对比", "The actual process against the design"),
    "unplanned": ("设计中没有、实际出现的活动", "Activities done but not in the design"),
    "skipped": ("设计中有、实际被跳过的活动", "Designed activities that cases skipped"),
    "extra_handoffs": ("设计中没有的交接", "Hand-offs not in the design"),
    "unused_handoffs": ("设计中有、实际未出现的交接", "Designed hand-offs no case took"),
    "rule_violations": ("规则违反", "Rule violations"),
    "time_violations": ("时限违反", "Time-limit violations"),
    "responsibility_violations": ("责任主体不符", "Responsibility violations"),
    "targets": ("目标达成", "Targets"),
    "source": ("起点", "source"),
    "target_col": ("终点", "target"),
    "rule": ("规则", "rule"),
    "rule_kind": ("规则类型", "kind"),
    "limit": ("时限", "limit"),
    "median_excess": ("超出时限的中位时长", "median excess"),
    "field_col": ("字段", "field"),
    "expected": ("应为", "expected"),
    "actual": ("实际", "actual"),
    "target_name": ("目标", "target"),
    "share_met": ("达标比例 / 实际值", "share met / actual"),
    "cases_met": ("达标案例数", "cases met"),
    "compare_count": ("{what}：{n} 项", "{what}: {n}"),
    "unexpected_starts": ("设计之外的起点", "Cases starting outside the design"),
    "unexpected_ends": ("设计之外的终点", "Cases ending outside the design"),
    "met": ("是否达标", "met"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "replay_method": ("pm4py 令牌重放", "token-based replay (pm4py)"),
    # a rule's kind, a responsibility's field, a target's name (English: the name itself where it reads well)
    "word_department": ("部门", "department"),
    "word_role": ("岗位", "role"),
    "word_lead_time": ("办理时长", "lead time"),
    "word_rejection_rate": ("驳回率", "rejection rate"),
    "word_first_time_right": ("一次通过率", "first-time-right"),
    "word_precedence": ("先后顺序", "precedence"),
    "word_required_if": ("条件必经", "required if"),
    "word_four_eyes": ("不相容岗位分离", "four eyes"),
    # --- 9 appendix --------------------------------------------------------------------------
    "measure": ("指标", "measure"),
    "definition": ("定义与计算方法", "definition and how it is computed"),
    "definitions_caption": ("指标定义", "Definitions of the measures"),
    "method_title": ("计算说明", "How the numbers were computed"),
    "method_calendar": ("工作时间：{calendar}；1 个工作日 = {hours:g} 工作小时。", "Working time: {calendar}; one working day = {hours:g} working hours."),
    "method_timezone": ("时区：{tz}（文件中不带时区的时间按此读取）。", "Time zone: {tz} (times written without a zone are read in it)."),
    "contents_table": ("表", "table"),  # the heads of the workbook's contents sheet
    "contents_caption": ("标题", "caption"),
    "contents_update": ("右键单击此处，选择“更新域”以生成目录。", "Right-click and choose Update Field to build the contents."),
    "method_tool": ("由 procmine {version} 生成；同一数据和参数重新运行得到相同的数字。所有定义另见 docs/measures.md。",
                    "Generated by procmine {version}; the same data and options give the same numbers. The definitions "
                    "are also in docs/measures.md."),
})

#: Field names of the column mapping as the analyst knows them.
FIELDS = {
    "case": ("案例编号", "case id"), "activity": ("活动（审批节点）", "activity"),
    "timestamp": ("完成时间", "completion time"), "start_timestamp": ("到达/开始时间", "arrival / start time"),
    "resource": ("办理人", "person"), "department": ("部门", "department"), "role": ("岗位", "role"),
    "outcome": ("审批结果", "outcome"), "lifecycle": ("生命周期", "lifecycle"),
}
ACTIONS = {"dropped": ("删除", "dropped"), "repaired": ("修复", "repaired"), "merged": ("合并", "merged"),
           "kept": ("保留", "kept")}
SEVERITY = {"warning": ("注意", "warning"), "info": ("说明", "info")}


class Text(_text.Text):
    """The report's phrases and number formats in one language."""

    def __init__(self, lang: str = "zh"):
        super().__init__(lang, "report")
