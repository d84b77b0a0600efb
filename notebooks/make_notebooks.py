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


def write(name: str, cells) -> None:
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, HERE / name)


if __name__ == "__main__":
    write("01_current_state.ipynb", CURRENT_STATE)
    print("wrote notebooks")
