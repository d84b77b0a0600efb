"""Write the step-table forms of the sample designs (the method's 流程操作说明 table).

    python sample_logs/make_designs.py [--out DIR]

* 客户投诉处理.steps.csv — UTF-8 with BOM, as Excel saves "CSV UTF-8"; the rows of the method
  document's table, numbered "1.投诉接收"; 法务复核 and 客户回访 share a 并行 group.
* 费用报销.steps.xlsx — with a 下一步 column for the decisions (≤5000 元 straight to 出纳付款,
  > 5000 元 财务经理审批, > 5万 总经理审批) and the 补充材料 return.

The YAML designs (*.design.yaml) and the BPMN design (合同审批.design.bpmn) are written by hand.
Output is byte-identical between runs.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from simulate import _save_workbook  # noqa: E402  (same byte-stable workbook writer as the logs)

HEADER = ["流程步骤", "操作说明", "责任部门/岗位", "时间要求", "输出成果", "关键控制点"]

COMPLAINT_STEPS = [
    ["1.投诉接收", "客户通过电话、官网或APP提交投诉，客服人员记录投诉内容（含问题描述、客户信息、联系方式）",
     "客服部/客服专员", "即时", "《客户投诉登记表》", "保证信息完整，避免遗漏关键细节", ""],
    ["2.投诉分类", "根据“产品质量、服务态度、物流延迟”等维度分类，判定紧急程度（普通/紧急/特急）",
     "客服部/投诉主管", "接收后30分钟内", "《投诉分类与优先级表》", "紧急投诉需同步上报运营总监", ""],
    ["3.分派处理", "将投诉分派至对应责任部门（如产品质量问题分派至品控部，服务态度分派至人力资源部）",
     "客服部/投诉主管", "分类后1小时内", "《投诉分派通知单》", "分派需明确处理人与截止时间", ""],
    ["4.调查与处理", "责任部门调查原因，制定解决方案（如退款、换货、整改培训），与客户沟通确认",
     "责任部门/专员", "2个工作日内", "《投诉处理方案》", "方案须经客户确认", ""],
    ["5.法务复核", "特急投诉由法务部复核处理方案的法律风险，与客户回访同时进行", "法务部/法务专员", "", "《法务复核意见》",
     "特急投诉必须经法务复核", "A"],
    ["6.客户回访", "客服回访客户，确认问题解决及满意度", "客服部/客服专员", "1个工作日内", "《回访记录》",
     "不满意的投诉退回重新处理", "A"],
    ["7.结案归档", "汇总处理资料，结案并归档", "客服部/投诉主管", "", "《投诉结案报告》", "法务复核完成后方可结案", ""],
]

EXPENSE_STEPS = [
    ["提交报销", "申请人填写报销单并上传发票", "申请部门/申请人", "", "报销单及发票", "", "部门经理审批"],
    ["部门经理审批", "审核费用真实性与必要性", "", "1个工作日内", "", "", "财务初审"],
    ["财务初审", "核对发票真伪与预算科目；材料不全退回补充", "财务部/会计", "1个工作日内", "", "发票真伪与预算科目核对",
     "补充材料、财务经理审批、出纳付款"],
    ["补充材料", "申请人补充材料后重新提交财务初审", "申请部门/申请人", "", "", "", "财务初审"],
    ["财务经理审批", "报销金额超过5000元", "财务部/财务经理", "1个工作日内", "", "≤5000元财务初审即可", "总经理审批、出纳付款"],
    ["总经理审批", "报销金额超过5万元", "总经理办公室/总经理", "2个工作日内", "", "≤5万经理审批，>5万总经理审批", "出纳付款"],
    ["出纳付款", "出纳付款并通知申请人", "财务部/出纳", "2个工作日内", "付款凭证", "", "结束"],
]


def write_complaint_steps(path: Path) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER + ["并行"])
        writer.writerows(COMPLAINT_STEPS)


def write_expense_steps(path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "流程操作说明"
    sheet.append(["费用报销流程操作说明（未来流程）"])
    sheet.append(HEADER + ["下一步"])
    for row in EXPENSE_STEPS:
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFG", (14, 36, 18, 14, 14, 26, 30)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    _save_workbook(workbook, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the files (default: sample_logs/)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    write_complaint_steps(args.out / "客户投诉处理.steps.csv")
    write_expense_steps(args.out / "费用报销.steps.xlsx")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
