"""Reading notes, data-quality reasons and analysis notes in the report's language.

The readers and analyses write their notes in English (they also go to the terminal and to JSON);
the Chinese report says them in Chinese. Findings are looked up by their code, notes by their
shape; a note of an unknown shape is kept as it is. Time formats are shown as formats
(``YYYY/M/D H:MM``), never as the example value the reader rendered them with.

The English notes are the readers' own words, so most of this module is Chinese only: a note is
rendered in Chinese, or kept as the reader wrote it (``Text.pick``); a sentence this module says
in both languages is a phrase in its ``translate`` table.

    >>> time_format("2025/9/28 9:05")
    'YYYY/M/D H:MM'
    >>> note("completion times (处理时间) read as: 2025/9/28 9:05", "zh")
    '完成时间（列「处理时间」）的格式：YYYY/M/D H:MM'
"""

from __future__ import annotations

import re

from procmine.text import Text, phrases

PHRASES = phrases("translate", {
    "times": ("{kind}{column}的格式：{formats}", "{kind} ({column}) in the format: {formats}"),
})

# --- time formats -----------------------------------------------------------------------------
#: the readers name a format by writing 2025-09-28 09:05:11.123456789 (+08:00) in it
_AMPM = ("上午", "下午", "AM", "PM", "am", "pm")


def time_format(example: str) -> str:
    """``2025/9/28 9:05`` → ``YYYY/M/D H:MM``; a name without the example date stays as it is."""
    text = example
    suffix = ""
    if " (" in text and not text.startswith(("datetime", "date values")):
        text, suffix = text.split(" (", 1)
        suffix = " (" + suffix
    runs = list(re.finditer(r"\d+", text))
    values = [m.group() for m in runs]
    if "2025" not in values or "28" not in values:
        return example
    out, pos, seen_month, hour_done = [], 0, False, False
    pm = any(w in text for w in _AMPM)
    month_unpadded = any(v == "9" for v in values[:3])
    for m in runs:
        v = m.group()
        before = text[max(0, m.start() - 1):m.start()]
        if v == "2025":
            token = "YYYY"
        elif v == "28":
            token = "D" if month_unpadded else "DD"
        elif v in ("9", "09") and not seen_month and runs.index(m) < 3:
            token, seen_month = ("M" if v == "9" else "MM"), True
        elif not hour_done and (v in ("9", "09") or (pm and v == "2")):
            token, hour_done = ("h" if pm else ("H" if len(v) == 1 else "HH")), True
        elif v in ("05", "5") and hour_done:
            token = "MM" if len(v) == 2 else "M"
        elif v == "11" and hour_done:
            token = "SS"
        elif set(v) <= set("123456789") and v == "123456789"[:len(v)] and before == ".":
            token = "F" * len(v)
        elif v in ("08", "05", "00") and hour_done:
            token = "hh" if v != "00" else "mm"
        else:
            return example
        out += [text[pos:m.start()], token]
        pos = m.end()
    out.append(text[pos:])
    result = "".join(out)
    for a, b in (("+hh:mm", "±hh:mm"), ("-hh:mm", "±hh:mm")):
        result = result.replace(a, b)
    return result + suffix


_FORMAT_SUFFIX_ZH = {
    " (month/day/year)": "（月/日/年）",
    " (day/month/year)": "（日/月/年）",
    " (day/month/year assumed: no value shows which comes first)": "（按日/月/年读取：没有哪个值能说明日和月的先后）",
}
_NAMED_FORMATS_ZH = {
    "Excel serial date": "Excel 日期序列号",
    "Unix epoch seconds": "Unix 时间戳（秒）",
    "Unix epoch milliseconds": "Unix 时间戳（毫秒）",
    "20250928 (compact date)": "YYYYMMDD（紧凑日期）",
    "20250928090511 (compact date-time)": "YYYYMMDDHHMMSS（紧凑日期时间）",
}
_NAMED_FORMATS_EN = {
    "20250928 (compact date)": "YYYYMMDD (compact date)",
    "20250928090511 (compact date-time)": "YYYYMMDDHHMMSS (compact date-time)",
}


def format_name(name: str, lang: str) -> str:
    """One format the reader recognised, as a format in ``lang``."""
    name = name.strip()
    t = Text(lang)
    table = t.pick((_NAMED_FORMATS_ZH, _NAMED_FORMATS_EN))
    if name in table:
        return table[name]
    m = re.fullmatch(r"datetime values in (\S+)(?:, converted to (\S+))?", name)
    if m:
        return t.pick((f"日期时间值（{m.group(1)}" + (f"，已换算为 {m.group(2)}）" if m.group(2) else "）"), name))
    m = re.fullmatch(r"datetime values without time zone \(read as (\S+) local time\)", name)
    if m:
        return t.pick((f"不带时区的日期时间值（按 {m.group(1)} 本地时间读取）", name))
    m = re.fullmatch(r"date values \(midnight, (\S+)\)", name)
    if m:
        return t.pick((f"日期值（{m.group(1)} 零点）", name))
    suffix = ""
    for en, zh in _FORMAT_SUFFIX_ZH.items():
        if name.endswith(en):
            name, suffix = name[: -len(en)], t.pick((zh, en))
            break
    return time_format(name) + suffix


def _formats(text: str, lang: str) -> str:
    if text.strip() in ("—", ""):
        return "—"
    # the names are joined with ", "; a name itself may hold ", converted to …"
    parts = re.split(r", (?!converted to )", text)
    return Text(lang).join(dict.fromkeys(format_name(p, lang) for p in parts))


# --- reading notes ----------------------------------------------------------------------------
def _times(kind_zh: str, kind_en: str):
    def render(m: re.Match, lang: str) -> str:
        t = PHRASES.text(lang)
        column = m.group("column")
        return t("times", kind=t.pick((kind_zh, kind_en)), formats=_formats(m.group("formats"), lang),
                 column=t.pick(("" if column == kind_zh else f"（列「{column}」）", column)))
    return render


def _chinese(render_zh):
    """A note the readers write in English: ``render_zh(m)`` in Chinese, the note as written in English."""
    return lambda m, lang: Text(lang).pick((render_zh(m), m.group(0)))


@_chinese
def _sheet(m: re.Match) -> str:
    text = f"Excel 工作表「{m.group('sheet')}」{'（用 --sheet 选定）' if m.group('chosen') else ''}，表头在第 {m.group('row')} 行"
    if m.group("skipped"):
        text += f"（其上各行已跳过：{m.group('skipped')}）"
    if m.group("others"):
        text += f"；未读取的其他工作表：{m.group('others')}"
    return text


def _history(m: re.Match, lang: str) -> str:
    formats = _formats(m.group("formats"), lang)
    return Text(lang).pick((_history_zh(m, formats), m.group(0).replace(m.group("formats"), formats)))


def _history_zh(m: re.Match, formats: str) -> str:
    submit = m.group("time")
    submit = "无发起时间列" if submit == "no submit-time column" else submit
    return (f"审批历史导出：列「{m.group('column')}」中的 {m.group('rows')} 个实例（行）展开为 {m.group('events')} 个事件"
            f"（实例编号：{m.group('case')}；发起：其历史行，否则取 {m.group('who')} / {m.group('dept')} / {submit}）；"
            f"历史时间的格式：{formats}。数据质量按历史条目计数；示例给出实例在文件中的行号")


NOTES: list[tuple[re.Pattern, object]] = [
    (re.compile(r"completion times \((?P<column>.*?)\) read as: (?P<formats>.*)$"), _times("完成时间", "completion times")),
    (re.compile(r"arrival times \((?P<column>.*?)\) read as: (?P<formats>.*)$"), _times("到达时间", "arrival times")),
    (re.compile(r"Excel sheet '(?P<sheet>.*?)'(?P<chosen> \(chosen with --sheet\))?, header in row (?P<row>\d+)"
                r"(?: \(rows above it skipped: (?P<skipped>.*?)\))?(?:; other sheets not read: (?P<others>.*))?$"), _sheet),
    (re.compile(r"approval-history export: (?P<rows>[\d,]+) instances \(rows\) in column '(?P<column>.*?)' expanded into "
                r"(?P<events>[\d,]+) events \(instance id: (?P<case>.*?); submission: its history line, else "
                r"(?P<who>.*?) / (?P<dept>.*?) / (?P<time>.*?)\); history times read as: (?P<formats>.*?)\. "
                r"Data-quality counts are history entries; examples give the instance's row in the file$"), _history),
    (re.compile(r"(?P<n>[\d,]+) instances? still in progress \(审批状态 or a pending step\)$"),
     _chinese(lambda m: f"{m.group('n')} 个实例导出时仍在办理（审批状态或待办步骤）")),
    (re.compile(r"(?P<name>.*?) ends in \.xls but is an \.xlsx workbook; read as \.xlsx$"),
     _chinese(lambda m: f"{m.group('name')} 扩展名是 .xls，实为 .xlsx 工作簿，已按 .xlsx 读取")),
    (re.compile(r"merged cells could not be looked up in this workbook; .*$"),
     _chinese(lambda m: "无法在此工作簿中查找合并单元格；如果案例编号在合并单元格中每个案例只写一次，请先在 Excel 中取消合并并填充")),
    (re.compile(r"e-mail approvals: (?P<n>[\d,]+) messages \((?P<kind>files|mbox)\); cases by request id in the subject "
                r"\((?P<pattern>--id-pattern|default id pattern)\), else by thread; .*$"),
     _chinese(lambda m: (f"邮件审批：{m.group('n')} 封邮件（{'文件夹' if m.group('kind') == 'files' else 'mbox'}）；按主题中的申请编号"
                         f"（{'--id-pattern' if m.group('pattern') == '--id-pattern' else '默认编号格式'}）归入案例，否则按邮件会话；"
                         "审批结论取自每封回复自己的正文（忽略引用部分）；一行是一封邮件"))),
    (re.compile(r"departments from (?P<origin>.*) \((?P<n>[\d,]+) entries\)$"),
     _chinese(lambda m: f"部门取自 {m.group('origin')}（{m.group('n')} 条）")),
    # analyses and the calendar
    (re.compile(r"the log has no arrival times: the time between two completions is counted at the later step, so "
                r"hand-offs have no share of their own$"),
     _chinese(lambda m: "日志没有到达时间：两次完成之间的时间计入后一步，因此交接没有单独的占比")),
    (re.compile(r"(?P<share>\d+) % of the steps were completed outside working time \((?P<calendar>.*)\); check that "
                r"--timezone, --work-hours and --calendar fit this log, or use --calendar none for calendar time$"),
     _chinese(lambda m: (f"{m.group('share')} % 的步骤在工作时间之外完成（{calendar_zh(m.group('calendar'))}）：请检查 --timezone、"
                         "--work-hours 和 --calendar 是否符合此日志，或用 --calendar none 按日历时间计算"))),
    (re.compile(r"(?P<label>[\d–]+): chinese-calendar (?P<version>\S+) covers (?P<covered>.*?) only, so for (?P<n>\d+) "
                r"day\(s\) in \S+ \((?P<span>.*?)\) Monday–Friday was assumed to be working days, .*$"),
     _chinese(lambda m: (f"{m.group('label')}：chinese-calendar {m.group('version')} 只覆盖 {m.group('covered')}，"
                         f"{m.group('label')} 年的 {m.group('n')} 天（{m.group('span').replace(' to ', ' 至 ')}）按周一至周五为工作日计算，"
                         "未含法定节假日和调休上班日；请用 --holidays 列出这些假日和调休上班日，或更新 chinese-calendar"))),
]


#: the English calendar description (procmine.calendar.Calendar.describe("en")), piece by piece
_CALENDAR_EN = [
    (re.compile(r"Chinese statutory holidays and 调休 make-up working days \(chinese-calendar (\S+), covering (.*?)\)"),
     r"中国法定节假日与调休（chinese-calendar \1，覆盖 \2 年）"),
    (re.compile(r"Monday to Friday \(statutory holidays not considered\)"), "周一至周五（不考虑法定节假日）"),
    (re.compile(r"calendar time \(non-working time is not deducted\)"), "日历时间（不扣除非工作时间）"),
    (re.compile(r", plus (\d+) company day\(s\) off and (\d+) company working day\(s\)"), r"，另加公司休息日 \1 天、公司工作日 \2 天"),
    (re.compile(r", plus (\d+) company day\(s\) off"), r"，另加公司休息日 \1 天"),
    (re.compile(r", plus (\d+) company working day\(s\)"), r"，另加公司工作日 \1 天"),
    (re.compile(r", working hours (.*?) \((\S+) h a day\)"), lambda m: f"，工作时间 {m.group(1).replace(', ', '、')}（每天 {m.group(2)} 小时）"),
    (re.compile(r", time zone (\S+)"), r"，时区 \1"),
]


def calendar_zh(text: str) -> str:
    """A calendar described in English, in Chinese (the parts not recognised stay as they are)."""
    for pattern, replacement in _CALENDAR_EN:
        text = pattern.sub(replacement, text)
    return text


def note(text: str, lang: str) -> str:
    """A reader's or analysis's note in ``lang`` (an unknown note is returned unchanged)."""
    text = str(text)
    for pattern, render in NOTES:
        m = pattern.match(text)
        if m:
            return render(m, lang)
    return text


# --- data-quality reasons ---------------------------------------------------------------------
FINDINGS_ZH: dict[str, str] = {
    "case_id_spaces": "案例编号前后有空格，已去除",
    "missing_case": "没有案例编号（案例编号为空）",
    "missing_activity": "没有活动名称（活动/节点名称为空）",
    "unparseable_timestamp": "完成时间无法读作日期时间",
    "step_not_completed": "步骤已到达但尚未完成（有到达时间、无完成时间）；未完成的步骤不计入流程图",
    "missing_timestamp": "没有完成时间",
    "duplicate_row": "与前面某行完全相同（重复行）",
    "unparseable_start": "到达/开始时间无法读取；该步骤保留完成时间，但没有时长",
    "missing_start": "没有到达/开始时间；这些步骤的时长未知",
    "completion_before_arrival": "完成时间早于到达/开始时间；忽略到达时间",
    "missing_resource": "没有办理人",
    "missing_department": "没有部门",
    "missing_role": "没有岗位",
    "missing_outcome": "没有审批结果",
    "single_event_case": "案例只有一个事件（未完成或中止的申请？）",
    "lifecycle_start_folded": "开始事件已并入其完成事件（一个步骤，有开始和完成时间）",
    "lifecycle_start_unmatched": "开始事件之后没有同一活动的完成事件",
    "blank_row": "空行",
    "merged_cells": "合并单元格已用合并的值填充",
    "history_line_unparsed": ("审批历史中的这一行格式无法识别，或日期无效；未生成事件（示例给出实例在文件中的行号）。"
                              "可用 --history-pattern 描述格式（带命名组 time、resource、department、action、comment 的正则表达式）"),
    "history_step_pending": "导出时仍在等待的步骤（审批中/待审批）：不是事件；该案例计为办理中",
    "history_not_a_step": "抄送和评论条目是通知，不是流程步骤",
    "history_empty": "实例的审批历史为空：只知道其发起",
    "charset_repaired": "正文字符集缺失或错误；已用合适的字符集解码",
    "broken_empty": "空文件：不是邮件",
    "broken_not_email": "不是电子邮件（没有邮件头）",
    "broken_no_date": "没有 Date 邮件头：无法确定邮件时间",
    "broken_bad_date": "Date 邮件头无法读作日期时间",
    "broken_body": "正文无法解码（字符集错误或未知）；无法读取审批结论",
    "duplicate_message": "同一封邮件（Message-ID）出现两次；保留第一份",
    "unassigned_no_id_no_thread": ("主题中没有申请编号，也不属于任何邮件会话：未归入案例；如果编号写法不同，请设置 --id-pattern"),
    "unassigned_reply_to_missing": "回复的邮件不在邮箱中，主题中也没有申请编号：未归入案例",
    "quoted_decision_only": "审批结论词只出现在引用部分（更早的邮件）中：不计为审批结论",
    "forward_without_decision": "转发者自己的正文中没有审批结论",
    "no_decision": "邮件自己的正文中没有审批结论词（提问、“收到”或申请人的回复）",
    "case_without_request": "案例的申请邮件不在邮箱中：案例从第一封回复开始",
    "platform_not_a_step": "不是流程步骤：抄送、评论/批注、转发、草稿和实例结束标记是通知或标记（示例给出实例在输入中的位置）",
    "platform_task_merged": "任务（待办）已并入完成它的操作：其到达时间即该步骤的到达时间",
    "platform_or_sign_waiting": "同一等待中的或签节点的另一位处理人：该节点计为一个在办步骤",
    "platform_task_not_acted": "任务未经处理人办理即关闭（或签节点已由他人决定，或实例已先结束）",
    "platform_duplicate_approver": "同一人已审批过，本次审批被跳过（飞书 REMOVE_REPEAT）",
    "platform_duplicate_instance": "实例读到两次（保存在两个响应中）；使用第一份",
    "platform_not_an_instance": "保存的响应中没有审批实例（错误响应如 errcode/errmsg，或空页）；未读取任何内容",
    "platform_time_unreadable": "操作时间无法读作日期时间；未生成事件",
    "platform_no_time": "操作没有时间（也不是在办任务）；未生成事件",
    "unassigned_broadcast": "发给邮件列表或全体员工的通知（无申请编号），或对它的回复：不是审批案例",
    "timestamp_year_out_of_range": "完成时间的年份不在 1900–2199 之间（0001 或 9999 通常表示“无日期”）",
    "implausible_year": "完成时间早于 1970 年或晚于十年后（1900-01-01 常表示“无日期”）：已保留，但会拉长周期；请检查导出或用 --period 筛选",
    "lifecycle_states": "start/complete 以外的生命周期取值按瞬时事件读取，活动名称带上该取值，如“活动（取值）”（--lifecycle all 保留原活动名称）",
}


def finding(code: str, message: str, lang: str) -> str:
    """The reason of a data-quality finding in ``lang``."""
    return Text(lang).pick((_finding_zh(code, message), message))


def _finding_zh(code: str, message: str) -> str:
    if code in FINDINGS_ZH:
        return FINDINGS_ZH[code]
    m = re.match(r"label_variant_\w+$", code) and re.search(r"were merged: (.*)$", message)
    if m:
        return f"仅空格、全角字符或大小写不同的名称已合并：{m.group(1)}"
    if code.startswith("control_characters_"):
        return "已删除控制字符（不可见字符，如 NUL 或 ESC）"
    m = code == "platform_unknown_operation" and re.search(r"^(.*?) operation types procmine does not know, so no "
                                                           r"event was made for them: (.*?)\. If", message)
    if m:
        return f"{m.group(1)} 中 procmine 不认识的操作类型，未生成事件：{m.group(2)}。如果它们是流程步骤，请告知 procmine 维护者其含义"
    m = code == "lifecycle_other" and re.search(r"(?:are not steps|keeps them\)): (.*)$", message)
    if m:
        return f"start/complete 以外的生命周期状态不是步骤：{m.group(1)}"
    m = code == "too_many_fields" and re.match(r"row (\d+) has (\d+) fields, the header has (\d+)", message)
    if m:
        return (f"第 {m.group(1)} 行有 {m.group(2)} 个字段，表头只有 {m.group(3)} 个：多出的字段已截去"
                "——请检查意见中是否有未加引号的分隔符")
    m = code == "unbalanced_quote" and re.match(r"an unbalanced quote \(\"\) made lines (\d+)–(\d+)", message)
    if m:
        return (f"一个未配对的引号（\"）使第 {m.group(1)}–{m.group(2)} 行成为第 {m.group(1)} 行的同一个字段，"
                "这些行没有被读作数据行；请在导出文件中修正引号")
    m = code == "history_no_submit_time" and re.match(r"no submit time \((.*?) empty or unreadable\)", message)
    if m:
        return f"没有发起时间（{m.group(1)} 为空或无法读取），历史中也没有发起行：案例从第一次审批开始"
    return message


# --- the terminal summaries of check and discover ---------------------------------------------
_ROLES_ZH = {"case": "案例编号", "activity": "活动", "timestamp": "完成时间", "start_timestamp": "到达时间",
             "resource": "办理人", "department": "部门", "role": "岗位", "outcome": "审批结果", "lifecycle": "生命周期"}
_ACTIONS_ZH = {"dropped": "删除", "repaired": "修复", "merged": "合并", "kept": "保留"}


def summary_text(summary, lang: str) -> str:
    """A log's headline numbers (:class:`procmine.log.LogSummary`) for the terminal, in ``lang``."""
    return Text(lang).pick((_summary_zh, _summary_en))(summary)


def _summary_en(summary) -> str:
    return "\n".join(_english_note_line(line) for line in str(summary).splitlines())


def _summary_zh(summary) -> str:
    from procmine.units import format_hours

    lead = format_hours(summary.median_lead_time_hours, "zh") if summary.median_lead_time_hours is not None else "–"
    mapped = "，".join(f"{_ROLES_ZH.get(role, role)}=「{col}」" for role, col in summary.columns.items() if col)
    durations = "每步 到达 → 完成" if summary.has_start_times else "上一步完成 → 本步完成（没有到达/开始时间列）"
    return "\n".join([
        f"日志 {summary.source}",
        f"  {summary.cases:,} 个案例 · {summary.events:,} 个事件 · {summary.activities:,} 个活动 · "
        f"{summary.variants:,} 个流程变体",
        f"  数据期间 {summary.start} → {summary.end}（{summary.timezone}）",
        f"  中位周期 {lead}（日历时间）；步骤时长：{durations}",
        f"  字段映射：{mapped}",
        *([f"  筛选：{'；'.join(summary.filters)}（下面的数据质量按整个文件统计）"] if summary.filters else []),
        *[f"  {note(n, 'zh')}" for n in summary.notes],
    ])


def _english_note_line(line: str) -> str:
    stripped = line.strip()
    shown = note(stripped, "en")
    return line if shown == stripped else line[: len(line) - len(line.lstrip())] + shown


def quality_text(quality, lang: str) -> str:
    """The data-quality report (:class:`procmine.check.DataQualityReport`) for the terminal, in ``lang``."""
    return Text(lang).pick((_quality_zh, str))(quality)


def _quality_zh(quality) -> str:
    row_word = "行" if quality.row_word == "row" else "个事件"
    head = (f"数据质量：读取 {quality.rows_read:,} {row_word} → {quality.events:,} 个事件"
            f"（删除 {quality.dropped:,}、合并 {quality.merged:,}、修复 {quality.repaired:,}）")
    if not quality.findings:
        return head + "\n  未发现问题"
    lines = [head]
    for f in quality.findings:
        mark = "!" if f.severity == "warning" else "·"
        where = f"［{f.column}］" if f.column else ""
        shown = "；".join(f"第 {row} {'行' if quality.row_word == 'row' else '个事件'}：{value!r}"
                         for row, value in f.examples[:3])
        lines.append(f"  {mark} {_ACTIONS_ZH.get(f.action, f.action)} {f.rows:,} {row_word}{where}："
                     f"{finding(f.code, f.message, 'zh')}。" + (f"例如 {shown}" if shown else ""))
    return "\n".join(lines)
