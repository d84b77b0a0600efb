"""Write the notebooks from their cells here (keeps them reviewable as code).

    python notebooks/make_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

CURRENT_STATE = [
    new_markdown_cell(
        "# 01 现状调研：从 OA 导出数据画出当前流程图\n"
        "# 01 Current state: the as-is flowchart from an OA export\n\n"
        "The method's step 2 (流程现状调研与分析) asks for the current flowchart with who does what and how "
        "long each step takes. Here we build it from the contract-approval export in `sample_logs/` "
        "(a GBK CSV with 到达时间 and 处理时间 per approval node)."
    ),
    new_code_cell("import procmine\n\nlog = procmine.read_log(\"../sample_logs/合同审批.csv\")\nlog"),
    new_markdown_cell(
        "The summary shows the column mapping procmine detected. If a column were wrong we would name it, "
        "e.g. `procmine.read_log(path, activity=\"审批节点\")`.\n\n"
        "## 数据质量 Data quality\nNothing is dropped silently: every dropped or repaired row is counted with "
        "its reason and example rows."
    ),
    new_code_cell("log.quality.to_frame()"),
    new_markdown_cell("## 当前流程图 The current flowchart\nBoxes: how often each step ran and its median duration "
                      "(arrival → completion). Arrows: hand-offs with their count and median waiting time "
                      "(calendar time)."),
    new_code_cell("pmap = procmine.discover(log)\npmap"),
    new_markdown_cell("## 各环节耗时 Time per step\nThe slowest steps by median duration, in calendar hours:"),
    new_code_cell(
        "pmap.activities_frame().sort_values(\"median_duration_hours\", ascending=False)"
        "[[\"activity\", \"frequency\", \"cases\", \"median_duration_hours\", \"p90_duration_hours\"]]"
    ),
    new_markdown_cell("## 交接等待 Waiting between steps\nHand-offs with the longest median wait. Steps that "
                      "ran in parallel (法务审核 and 财务审核 wait at the same time) have no hand-off between them."),
    new_code_cell(
        "handoffs = pmap.handoffs_frame()\n"
        "handoffs.sort_values(\"median_hours\", ascending=False).head(8)"
    ),
    new_code_cell(
        "parallel = handoffs[(handoffs.source == \"法务审核\") & (handoffs.target == \"财务审核\")]\n"
        "print(f\"法务审核 → 财务审核 hand-offs: {int(parallel.frequency.sum()) if len(parallel) else 0}\")"
    ),
    new_markdown_cell("## 保存图表 Save the charts for the report\nPNG at 200 dpi for Word/PowerPoint, SVG for "
                      "editing; the BPMN model opens in bpmn.io or Camunda Modeler."),
    new_code_cell(
        "from pathlib import Path\n\n"
        "out = Path(\"out\")\nout.mkdir(exist_ok=True)\n"
        "pmap.save(out / \"current_flowchart.png\")\n"
        "pmap.save(out / \"current_flowchart.svg\")\n"
        "model = procmine.discover_bpmn(log, noise_threshold=0.1)\n"
        "model.save(out / \"current_process.bpmn\")\n"
        "model"
    ),
    new_markdown_cell("## 简化 Simplifying a busy map\nFor large maps keep the most frequent activities and paths "
                      "(Disco-style); every kept activity stays reachable."),
    new_code_cell("pmap.simplify(activities=0.8, paths=0.5)"),
    new_markdown_cell("## 交互式流程图 The interactive map\nSliders for activities and paths, frequency or time, "
                      "figures on hover, the cases behind a box or an arrow on click. `.save(\"map.html\")` writes "
                      "the same page as one offline file (`procmine discover` writes it as `current_flowchart.html`)."),
    new_code_cell("procmine.interactive_map(log)"),
    new_markdown_cell(
        "## 切片 Slicing the log\nThe same question for part of the cases: large contracts only, one quarter, "
        "the most frequent variants. A filter keeps whole cases; every result says which filter produced it, "
        "and the data-quality report stays the whole file's. The same forms work on the command line "
        "(`--where`, `--period`, `--variants`, `--lead-time`, `--starts-with`, `--ends-with`, `--follows`)."
    ),
    new_code_cell(
        "big = log.filter(where=\"合同金额(元)>=20万\")\n"
        "print(big.label, \"·\", big.summary().cases, \"of\", log.summary().cases, \"cases\")\n"
        "procmine.discover(big)"
    ),
    new_code_cell(
        "first_quarter = log.filter(period=\"2025-01-01:2025-04-01\").filter(variants=3)\n"
        "first_quarter.summary()"
    ),
    new_markdown_cell(
        "## 明细表 The tables behind every figure\nSteps, hand-offs, cases and variants are computed once per log "
        "and read by every analysis; they are polars DataFrames (`.to_pandas()` for pandas)."
    ),
    new_code_cell("tables = log.tables()\ntables.variants.head(5)"),
]


BOTTLENECKS_AND_LOOPS = [
    new_markdown_cell(
        "# 02 瓶颈、返工与改进机会\n# 02 Bottlenecks, loops and improvement candidates\n\n"
        "Where does the time go, where does work loop back, and what could the future process change? "
        "Times are **working time** under the Chinese calendar (statutory holidays and 调休 make-up days, "
        "09:00–12:00 and 13:00–18:00) unless a cell says calendar time."
    ),
    new_code_cell(
        "import procmine\n\n"
        "log = procmine.read_log(\"../sample_logs/合同审批.csv\")\n"
        "calendar = procmine.Calendar()          # cn holidays + 调休, 8 working hours a day\n"
        "print(calendar.describe())"
    ),
    new_markdown_cell("## 瓶颈 Bottlenecks\n`share_of_lead_time`: time spent there summed over all cases ÷ lead "
                      "time summed over all cases (working time)."),
    new_code_cell("report = procmine.bottlenecks(log, calendar)\nreport"),
    new_code_cell("report.plot()"),
    new_code_cell("report.heatmap()"),
    new_code_cell("report.to_frame(\"departments\")[[\"department\", \"events\", \"median_work_hours\", "
                  "\"share_of_lead_time\"]]"),
    new_markdown_cell("## 时效与 KPI Lead time and KPIs\nAgainst the method's example target 审批时长≤3个工作日:"),
    new_code_cell("kpi = procmine.kpis(log, target=\"3wd\", calendar=calendar)\nkpi"),
    new_code_cell("kpi.plot()"),
    new_markdown_cell("## 返工与循环 Loops and rework"),
    new_code_cell("loops = procmine.find_loops(log, calendar)\nloops"),
    new_code_cell("loops.plot()"),
    new_markdown_cell("## 改进机会 Improvement candidates\n删减冗余环节、合并相似步骤、并行处理、明确责任主体:"),
    new_code_cell("candidates = procmine.improvement_candidates(log, calendar)\ncandidates"),
]


SURVEY_REPORT = [
    new_markdown_cell(
        "# 04 现状调研分析报告\n# 04 The current-state survey report\n\n"
        "The method's step 2 ends with two deliverables: 《现状调研分析报告》 and 《当前流程图》. "
        "`procmine.build_report` gathers everything from notebooks 01 and 02 into a draft of that report: "
        "scope and data quality, the current flowchart and its variants, lead time against the target, "
        "bottlenecks, rework, roles and departments, improvement candidates and the definitions of every measure. "
        "Every number states its unit and whether it is working or calendar time. "
        "(With `design=` it also gains the comparison with the designed process, see notebook 03.)"
    ),
    new_code_cell(
        "import procmine\n\n"
        "log = procmine.read_log(\"../sample_logs/合同审批.csv\")\n"
        "calendar = procmine.Calendar()          # cn holidays + 调休, 8 working hours a day\n"
        "report = procmine.build_report(log, calendar, target=\"3wd\")   # the method's example: 审批时长≤3个工作日\n"
        "report"
    ),
    new_markdown_cell("## 报告的结构 What is inside\nThe report is data before it is a document: sections of findings, "
                      "tables (pandas DataFrames) and charts (200 dpi PNG)."),
    new_code_cell("[(section.number, section.title, len(section.blocks)) for section in report.sections]"),
    new_code_cell("variants = next(t for t in report.tables() if t.name.endswith(\"variants\"))\n"
                  "print(variants.caption)\nvariants.frame"),
    new_code_cell("report.section(\"kpi\").blocks[0].items   # findings: number, unit, working or calendar time"),
    new_markdown_cell("The analyses behind each section are kept in `report.results`, with their full tables:"),
    new_code_cell("report.results[\"kpis\"]"),
    new_markdown_cell("## 写出文件 Write the files\n`report.html` is one self-contained file (charts embedded, no "
                      "network requests); `report.md` has its charts and CSV tables in `report_files/`; "
                      "`report.docx` is the Word document to finish and send. The same as "
                      "`procmine report ../sample_logs/合同审批.csv -o out/survey_report`."),
    new_code_cell("paths = report.write_all(\"out/survey_report\")\n"
                  "{kind: str(path) for kind, path in paths.items()}"),
    new_markdown_cell("## English\nThe same report in English, e.g. for a regional head office:"),
    new_code_cell("english = procmine.build_report(log, calendar, target=\"3wd\", lang=\"en\")\n"
                  "english.save_html(\"out/survey_report/report_en.html\")\n"
                  "next(block.items for block in english.section(\"bottlenecks\").blocks if hasattr(block, \"items\"))"),
]


COMPARE_WITH_DESIGN = [
    new_markdown_cell(
        "# 03 与设计流程对比：现状偏离设计多少、在哪里、哪些案例\n"
        "# 03 Comparing the current process with the designed future process\n\n"
        "The method's step 3 designs the future process (未来流程图, 流程操作说明) with owners, time limits, "
        "control points and decision rules. Here the complaint-handling log is compared with its design "
        "`sample_logs/客户投诉处理.design.yaml` (the same design as a step table is "
        "`客户投诉处理.steps.csv`; a BPMN design from a modeller reads the same way)."
    ),
    new_code_cell(
        "import procmine\n\n"
        "design = procmine.read_design(\"../sample_logs/客户投诉处理.design.yaml\")\n"
        "design"
    ),
    new_markdown_cell("`design.mandatory_steps` are the steps every case must pass; `design.concurrent_pairs` the "
                      "steps that may run at the same time (from the design's Petri net)."),
    new_code_cell("sorted(design.mandatory_steps), sorted(design.concurrent_pairs)"),
    new_code_cell(
        "log = procmine.read_log(\"../sample_logs/客户投诉处理.csv\")\n"
        "result = procmine.compare(log, design)   # working time: Chinese holidays and 调休, 09:00–18:00\n"
        "print(result.describe(\"zh\"))"
    ),
    new_markdown_cell("## 对比图 The comparison chart\nThe design's flow with the number of cases on each "
                      "hand-off; hand-offs outside the design in red, designed hand-offs no case used dashed."),
    new_code_cell("result.plot(\"zh\")"),
    new_markdown_cell("## 偏差清单 Every deviation, one row each\nShares are of completed cases."),
    new_code_cell("result.to_frame()"),
    new_markdown_cell("## 规则违反的案例 The cases behind a rule\nEvery violating case id is kept, e.g. the "
                      "four-eyes rule (投诉分类 and 调查与处理 by different people) with the person who did both:"),
    new_code_cell(
        "four_eyes = next(r for r in result.rule_violations if r[\"kind\"] == \"four_eyes\")\n"
        "four_eyes[\"details\"]"
    ),
    new_markdown_cell("## 时限 Time limits per step (working time)"),
    new_code_cell(
        "import pandas as pd\n\n"
        "pd.DataFrame(result.time_violations)[[\"activity\", \"limit\", \"checked_cases\", \"cases\", \"share\", "
        "\"median_excess_work_hours\"]]"
    ),
    new_markdown_cell("## 保存 Save for the report\nThe same files as "
                      "`procmine compare ../sample_logs/客户投诉处理.csv ../sample_logs/客户投诉处理.design.yaml -o out/compare`."),
    new_code_cell(
        "from pathlib import Path\n\n"
        "out = Path(\"out/compare\")\nout.mkdir(parents=True, exist_ok=True)\n"
        "from procmine.chart.flowchart import save_figure\n"
        "save_figure(result.plot(\"zh\"), out / \"comparison.png\")\n"
        "(out / \"comparison.json\").write_text(result.to_json(), encoding=\"utf-8\")\n"
        "design.save_bpmn(out / \"design.bpmn\")"
    ),
]


MONITORING = [
    new_markdown_cell(
        "# 05 上线后：改造前后对比、月度监控与卡壳案例\n"
        "# 05 After the rollout: before and after, monthly monitoring, stuck cases\n\n"
        "The method's steps 6 and 7: track the KPIs every month, chase the cases stuck now (卡壳), and check "
        "with real data whether the redesign worked. The sample is a payment-approval export spanning a redesign "
        "on 2025-07-01: 副总审批 removed, 合规审查 added, 财务审核's queue cut."
    ),
    new_code_cell("import procmine\n\nlog = procmine.read_log(\"../sample_logs/付款审批_改造前后.csv\")\nlog"),
    new_markdown_cell("## 改造前后对比 Before and after\nCases split by their first event. Every change has a 95 % "
                      "confidence interval; a change whose interval contains 0 is within noise."),
    new_code_cell("diff = procmine.compare_periods(log, split=\"2025-07-01\", target=\"3wd\")\ndiff"),
    new_code_cell("diff.plot()"),
    new_code_cell("diff.to_frame(\"activities\")"),
    new_markdown_cell("## 月度监控 KPIs by month\nThe last month is incomplete (the export was taken in it): its "
                      "median is not comparable."),
    new_code_cell("months = procmine.monthly_kpis(log, target=\"3wd\")\nmonths.to_frame()"),
    new_markdown_cell("## 卡壳案例 Stuck cases\nSteps open at the export and waiting beyond their limit: the design's "
                      "time limit per step, else one working day."),
    new_code_cell("design = procmine.read_design(\"../sample_logs/付款审批_改造前后.design.yaml\")\n"
                  "stuck = procmine.stuck_cases(log, design=design)\nstuck"),
    new_markdown_cell("## 下钻 Drill down\nThe variants, and one stuck case's timeline with non-working time shaded."),
    new_code_cell("procmine.explore_variants(log)"),
    new_code_cell("procmine.case_timeline(log, stuck.stuck[\"case\"][0])"),
]


def write(name: str, cells) -> None:
    notebook = new_notebook(cells=cells)
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number:02d}"  # stable ids: regenerating changes nothing
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, HERE / name)


if __name__ == "__main__":
    write("01_current_state.ipynb", CURRENT_STATE)
    write("02_bottlenecks_and_loops.ipynb", BOTTLENECKS_AND_LOOPS)
    write("03_compare_with_design.ipynb", COMPARE_WITH_DESIGN)
    write("04_survey_report.ipynb", SURVEY_REPORT)
    write("05_monitoring_and_before_after.ipynb", MONITORING)
    print("wrote notebooks")
