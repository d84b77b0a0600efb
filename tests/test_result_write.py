"""result.write(out_dir): every result that has files writes them itself, and ``procmine <command> -o``
writes exactly those files, byte for byte (the CLI only reads, calls one function and writes)."""

from __future__ import annotations

import csv
import json
import re

import pytest

import procmine
from procmine.calendar import Calendar
from procmine.cli import main
from procmine.compare import compare, read_design
from procmine.result import Result

from conftest import SAMPLES

CONTRACT = SAMPLES / "合同审批.csv"
EXPENSES = SAMPLES / "费用报销.xlsx"
CONTRACT_DESIGN = SAMPLES / "合同审批.design.yaml"
AS_OF = "2025-06-30 18:00"


@pytest.fixture(scope="module")
def logs():
    return {path: procmine.read_log(path) for path in (CONTRACT, EXPENSES)}


def calendar(log):
    """The calendar every command builds from its default options (--calendar cn)."""
    return Calendar.from_options("cn", work_hours=None, holidays_file=None, timezone=log.timezone)


def bottlenecks(log):
    return [procmine.bottlenecks(log, calendar(log))]


def kpis(log):
    return [procmine.kpis(log, target="3wd", calendar=calendar(log))]


def loops(log):
    from procmine.analyse.loops import find_loops

    return [find_loops(log, calendar(log))]


def improvements(log):
    from procmine.analyse.improve import improvement_candidates

    return [improvement_candidates(log, calendar(log))]


def comparison(log):
    return [compare(log, read_design(CONTRACT_DESIGN), calendar(log))]


def periods(log):
    from procmine.compare.periods import compare_periods

    return [compare_periods(log, split="2025-04-01", calendar=calendar(log))]


def drill_down(log):
    from procmine.analyse.cases import case_table, case_timeline
    from procmine.analyse.variants import explore_variants

    cal = calendar(log)
    against = compare(log, read_design(CONTRACT_DESIGN), cal)
    return [case_table(log, cal, design_comparison=against), explore_variants(log, cal, top=5),
            (against, {"only": ["deviations.csv"]}), case_timeline(log, "HT2025-0002", cal)]


def monitoring(log):
    from procmine.analyse.monitoring import monthly_kpis, stuck_cases

    cal = calendar(log)
    return [stuck_cases(log, as_of=AS_OF, calendar=cal), monthly_kpis(log, as_of=AS_OF, target="3wd", calendar=cal)]


#: (name, log, how the library builds the results, the command and its options after LOG, the files written
#: in order)
CASES = [
    ("bottlenecks", CONTRACT, bottlenecks, ["bottlenecks"],
     ["bottlenecks.png", "bottlenecks.svg", "bottleneck_heatmap.png", "bottleneck_heatmap.svg", "bottlenecks.json",
      "backlog.csv"]),
    ("kpi", EXPENSES, kpis, ["kpi", "--target", "3wd"],
     ["kpi_trend.png", "kpi_trend.svg", "kpi.json", "kpi_by_month.csv"]),
    ("loops", EXPENSES, loops, ["loops"], ["loops.png", "loops.svg", "loops.json"]),
    ("improve", CONTRACT, improvements, ["improve"], ["improvements.json"]),
    ("compare", CONTRACT, comparison, ["compare", str(CONTRACT_DESIGN)],
     ["comparison.png", "comparison.svg", "comparison.json", "deviations.csv", "design.bpmn"]),
    ("diff", CONTRACT, periods, ["diff", "--split", "2025-04-01"],
     ["diff.json", "diff_kpis.csv", "diff_activities.csv", "diff_paths.csv", "diff_variants.csv", "diff.xlsx",
      "diff_map.png", "diff_map.svg"]),
    ("cases", CONTRACT, drill_down, ["cases", "--top", "5", "--timeline", "HT2025-0002", "--design",
                                     str(CONTRACT_DESIGN)],
     ["cases.csv", "variants.csv", "variants.png", "variants.svg", "deviations.csv", "timeline_HT2025-0002.png",
      "timeline_HT2025-0002.svg"]),
]


#: the rows each CSV holds, from its result
ROWS = {
    "backlog.csv": lambda r: r.backlog.height,
    "kpi_by_month.csv": lambda r: r.by_month.height,
    "deviations.csv": lambda r: r.case_deviations.height,
    "cases.csv": lambda r: r.table.height,
    "variants.csv": lambda r: r.table.height,
    "diff_kpis.csv": lambda r: r.kpis.height,
    "diff_activities.csv": lambda r: r.activities.height,
}


def each(results):
    """(result, its own options): a result may come with options only it takes, as the CLI gives them."""
    return [item if isinstance(item, tuple) else (item, {}) for item in results]


def write_all(results, out, lang, **options):
    written = {}
    for result, own in each(results):
        written |= result.write(out, lang=lang, **options, **own)
    return written


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name, log_path, build, args, names", CASES, ids=[c[0] for c in CASES])
def test_write_gives_the_files_the_command_writes(name, log_path, build, args, names, lang, logs, tmp_path,
                                                   capsys):
    results = build(logs[log_path])
    written = write_all(results, tmp_path / "library", lang, top=10)
    assert list(written) == names
    assert all(path.parent == tmp_path / "library" and path.stat().st_size > 0 for path in written.values())
    assert sorted(p.name for p in (tmp_path / "library").iterdir()) == sorted(names)
    owners = {name: result for result, own in each(results) for name in result.files(**own)}
    assert list(owners) == names  # files() names them before anything is written

    for file, path in written.items():  # what the files hold: the result's JSON, one CSV row per table row
        if file.endswith(".json"):
            assert json.loads(path.read_text(encoding="utf-8")) == json.loads(owners[file].to_json())
        if file in ROWS:
            rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
            assert len(rows) == ROWS[file](owners[file]) > 0, file

    out = tmp_path / "cli"
    assert main([args[0], str(log_path), *args[1:], "-o", str(out), "--lang", lang]) == 0
    stdout = capsys.readouterr().out
    assert stdout.endswith("\n".join(f"  {out / n}" for n in names) + "\n")  # the files, in the order written
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    for file in names:  # SVG, the workbook and the BPMN hold ids or dates that differ run to run
        if file.endswith((".json", ".csv", ".png")):
            assert (out / file).read_bytes() == written[file].read_bytes(), file


def test_monitoring_tables_are_the_monitor_command_s(logs, tmp_path, capsys):
    stuck, months = monitoring(logs[CONTRACT])
    assert stuck.files() == ["stuck_cases.csv"] and months.files() == ["monthly.csv"]
    written = stuck.write(tmp_path / "library") | months.write(tmp_path / "library")
    assert list(written) == ["stuck_cases.csv", "monthly.csv"]
    out = tmp_path / "cli"
    assert main(["monitor", str(CONTRACT), "--as-of", AS_OF, "--target", "3wd", "-o", str(out)]) == 0
    assert "stuck_cases.csv" in capsys.readouterr().out
    for file in written:
        assert (out / file).read_bytes() == written[file].read_bytes(), file
    rows = list(csv.DictReader((out / "stuck_cases.csv").open(encoding="utf-8-sig")))
    assert len(rows) == stuck.open_steps.height > 0
    assert all(re.fullmatch(r"2025-\d\d-\d\d \d\d:\d\d", row["since"]) for row in rows)


def test_the_json_states_the_filters_as_the_command_does(tmp_path, capsys):
    args = ["bottlenecks", str(EXPENSES), "--period", "2025-03-01:2025-07-01"]
    assert main([*args, "-o", str(tmp_path / "cli")]) == 0
    assert main([*args, "--json"]) == 0
    printed = capsys.readouterr().out
    log = procmine.read_log(EXPENSES)
    from procmine.filters import parse_filters

    cal = calendar(log)
    log = log.filter(*parse_filters(period="2025-03-01:2025-07-01", period_mode="start"), calendar=cal)
    result = procmine.bottlenecks(log, cal)
    written = result.write(tmp_path / "library", filters=log.filters, only=["bottlenecks.json"])
    assert list(written) == ["bottlenecks.json"] and not (tmp_path / "library" / "backlog.csv").exists()
    text = written["bottlenecks.json"].read_text(encoding="utf-8")
    assert json.loads(text)["filters"] == [f.describe("en") for f in log.filters] != []
    assert (tmp_path / "cli" / "bottlenecks.json").read_text(encoding="utf-8") == text
    assert printed.endswith(text + "\n")  # --json prints what -o writes
    assert "filters" not in json.loads(result.to_json())


def test_a_result_without_files_says_so(tmp_path):
    class Nothing(Result):
        def to_dict(self):
            return {}

    with pytest.raises(NotImplementedError, match="Nothing writes no files"):
        Nothing().write(tmp_path)
    assert Nothing().files() == []


def test_a_drill_down_table_still_writes_one_csv_by_its_file_name(logs, tmp_path):
    from procmine.analyse.cases import case_table

    table = case_table(logs[CONTRACT], calendar(logs[CONTRACT]))
    path = table.write(tmp_path / "all_cases.csv")
    assert path == tmp_path / "all_cases.csv"
    assert path.read_bytes() == table.write(tmp_path / "folder")["cases.csv"].read_bytes()


def test_the_process_map_writes_the_flowchart_and_json_discover_writes(logs, tmp_path, capsys):
    log = logs[CONTRACT]
    pmap = procmine.discover(log, calendar=calendar(log))
    written = pmap.write(tmp_path / "library", lang="en")
    assert list(written) == pmap.files() == ["current_flowchart.png", "current_flowchart.svg", "process_map.json"]
    assert json.loads(written["process_map.json"].read_text(encoding="utf-8")) == json.loads(pmap.to_json())
    out = tmp_path / "cli"
    assert main(["discover", str(CONTRACT), "-o", str(out), "--no-bpmn", "--lang", "en"]) == 0
    assert "current_flowchart.html" in capsys.readouterr().out
    for file in ("current_flowchart.png", "process_map.json"):
        assert (out / file).read_bytes() == written[file].read_bytes(), file
    drawn = pmap.simplify(activities=0.5)
    smaller = pmap.write(tmp_path / "half", lang="en", drawn=drawn)
    assert smaller["process_map.json"].read_bytes() == written["process_map.json"].read_bytes()  # the whole map
    assert smaller["current_flowchart.png"].read_bytes() != written["current_flowchart.png"].read_bytes()


# --- what the results say beside their files: notebook displays and the comparison's notes -------

def test_notebook_displays_follow_the_result_s_language(logs):
    from procmine.analyse.loops import find_loops

    log = logs[EXPENSES]
    shown = [(find_loops(log, calendar(log)), "返工与循环", "Loops"),
             (procmine.bottlenecks(log, calendar(log)), "关键路径", "critical path"),
             (procmine.discover(log), "中位时长（日历小时）", "median duration (calendar hours)")]
    for result, zh, en in shown:
        page = result._repr_html_()
        assert zh in page and en not in page, type(result).__name__
        result.lang = "en"  # a result built in English is displayed in English
        page = result._repr_html_()
        assert en in page and zh not in page, type(result).__name__
    loops, bottlenecks, _ = (r for r, _, _ in shown)
    assert "<th>sent back by</th>" in loops._repr_html_() and "send-back" in loops._repr_html_()
    assert "<td>activity</td>" in bottlenecks._repr_html_() and "环节" not in bottlenecks._repr_html_()


def test_comparison_notes_keep_their_phrase_and_say_it_in_either_language(logs, tmp_path):
    from procmine.compare.comparison import Note

    note = Note("never_occurs", step="归档", hint=("；日志中有「合同归档」", "; the log has '合同归档'"))
    assert note == "designed step '归档' never occurs in the log; the log has '合同归档'"
    assert not hasattr(note, "zh")  # said through describe(lang) only
    assert note.describe("zh") == "设计步骤「归档」在日志中从未出现；日志中有「合同归档」"
    assert note.describe("en") == str(note) and (note.key, note.fields["step"]) == ("never_occurs", "归档")
    result = compare(logs[CONTRACT], read_design(CONTRACT_DESIGN), calendar(logs[CONTRACT]))
    notes = [n for n in result.notes if isinstance(n, Note)]
    assert notes and json.loads(result.to_json())["notes"][-len(notes):] == [str(n) for n in notes]
    assert all(n.describe("zh") in result.describe("zh") and str(n) in result.describe("en") for n in notes)
