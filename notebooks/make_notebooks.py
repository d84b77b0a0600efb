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


def write(name: str, cells) -> None:
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, HERE / name)


if __name__ == "__main__":
    write("01_current_state.ipynb", CURRENT_STATE)
    write("02_bottlenecks_and_loops.ipynb", BOTTLENECKS_AND_LOOPS)
    print("wrote notebooks")
