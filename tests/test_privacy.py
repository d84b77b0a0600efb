"""Pseudonymisation: keyed, stable pseudonyms in every output; the key file is created once and kept."""

from __future__ import annotations

import hashlib
import hmac
import zipfile
from pathlib import Path

import pytest

import procmine
from procmine.cli import main
from procmine.privacy import PseudonymKeyError, load_key, pseudonym, pseudonymise, pseudonyms

from conftest import SAMPLES, write_text

LOG = "\n".join([
    "单据编号,审批节点,处理人,部门,处理时间,备注",
    "a,提交,张三,销售部,2025-03-03 09:00,请王五审批",
    "a,审批,王五,财务部,2025-03-03 10:00,同意（张三已补材料）",
    "a,归档,李四,行政部,2025-03-03 11:00,",
    "b,提交,张三,销售部,2025-03-04 09:00,",
    "b,王五审批,王五,财务部,2025-03-04 12:00,同意",
    "b,审批,赵六,财务部,2025-03-04 13:00,同意",
]) + "\n"


def text_of(path: Path) -> str:
    """The text of an output file as a reader would find it: the XML parts of Word and Excel files."""
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8-sig", errors="ignore")


def test_key_is_created_once_and_never_overwritten(tmp_path):
    path = tmp_path / "procmine.key"
    key, created = load_key(path)
    assert created and len(key) == 32 and path.read_text().strip() == key.hex()
    assert (path.stat().st_mode & 0o777) == 0o600  # only the owner reads it
    again, created = load_key(path)
    assert again == key and not created
    bad = write_text(tmp_path / "notes.txt", "my notes")
    with pytest.raises(PseudonymKeyError, match="not a procmine pseudonymisation key"):
        load_key(bad)
    assert bad.read_text() == "my notes"  # a file that is not a key is left alone


def test_pseudonym_is_a_keyed_hmac():
    key = bytes(range(32))
    expected = hmac.new(key, "人员\u001f张三".encode(), hashlib.sha256).hexdigest()[:4].upper()
    assert pseudonym("张三", key) == f"人员-{expected}"
    assert pseudonym("张三", key) == pseudonym("张三", key)  # stable
    assert pseudonym("张三", bytes(32)) != pseudonym("张三", key)  # another key, another pseudonym
    assert pseudonym("销售部", key, "部门").startswith("部门-")
    # 4 hex digits collide now and then: those names get 8 digits, the others keep 4
    many = pseudonyms([f"员工{i}" for i in range(2000)], key)
    assert len(set(many.values())) == 2000
    assert {len(p) for p in many.values()} <= {len("人员-") + 4, len("人员-") + 8}


def test_pseudonymise_people_comments_activities_and_small_departments(tmp_path):
    log = procmine.read_log(write_text(tmp_path / "p.csv", LOG))
    key = bytes(range(32))
    changed, done = pseudonymise(log, key, min_department_size=2)
    events = changed.events
    names = {"张三", "王五", "李四", "赵六"}
    assert done.people == 4
    assert set(events["resource"].to_list()) == {pseudonym(n, key) for n in names}
    text = " ".join(str(v) for column in events.columns for v in events[column].to_list())
    assert not any(n in text for n in names)
    assert f"请{pseudonym('王五', key)}审批" in events["备注"].to_list()  # names inside comments
    assert f"{pseudonym('王五', key)}审批" in events["activity"].to_list()  # and inside activity labels
    assert done.names_in_activities == ["王五审批"]
    # 销售部 and 行政部 have one person each: merged; 财务部 (王五, 赵六) keeps its name
    assert set(events["department"].to_list()) == {"财务部", "其他部门（人数过少，已合并）"}
    assert events["case"].to_list() == log.events["case"].to_list()  # case ids are not changed
    assert log.events["resource"][0] == "张三"  # the original log is untouched


CONTRACT = SAMPLES / "合同审批.csv"


@pytest.fixture(scope="module")
def pseudonymised_outputs(tmp_path_factory):
    """report, discover and bottlenecks on the contract sample with --pseudonymise."""
    root = tmp_path_factory.mktemp("private")
    key = root / "keys" / "procmine.key"
    key.parent.mkdir()
    runs = {
        "report": ["report", str(CONTRACT), "-o", str(root / "report"), "--pseudonymise", str(key)],
        "discover": ["discover", str(CONTRACT), "-o", str(root / "discover"), "--no-bpmn", "--pseudonymise", str(key)],
        "bottlenecks": ["bottlenecks", str(CONTRACT), "-o", str(root / "bottlenecks"), "--pseudonymise", str(key)],
    }
    for args in runs.values():
        assert main(["-q", *args]) == 0
    return root, key


def test_no_approver_name_in_any_output(pseudonymised_outputs):
    root, key = pseudonymised_outputs
    log = procmine.read_log(CONTRACT)
    approvers = set(log.events["resource"].drop_nulls().unique().to_list())
    assert len(approvers) > 30
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix != ".png" and p.parent.name != "keys"]
    suffixes = {p.suffix for p in files}
    assert {".html", ".md", ".csv", ".docx", ".xlsx", ".json", ".svg"} <= suffixes, suffixes
    for path in files:
        text = text_of(path)
        leaked = sorted(name for name in approvers if name in text)
        assert not leaked, (path.relative_to(root), leaked[:5])
    # the people are there, under their pseudonyms: the workload table lists the busiest one
    report = (root / "report" / "report.md").read_text(encoding="utf-8")
    busiest = log.events["resource"].value_counts(sort=True)["resource"][0]
    assert pseudonym(busiest, load_key(key)[0]) in report


def test_same_person_same_pseudonym_across_runs(pseudonymised_outputs, tmp_path):
    root, key = pseudonymised_outputs
    assert main(["-q", "bottlenecks", str(CONTRACT), "-o", str(tmp_path / "again"), "--pseudonymise", str(key)]) == 0
    before = (root / "bottlenecks" / "bottlenecks.json").read_text(encoding="utf-8")
    after = (tmp_path / "again" / "bottlenecks.json").read_text(encoding="utf-8")
    assert before == after and "人员-" in after


def test_cli_says_a_new_key_was_created(tmp_path, capsys):
    key = tmp_path / "new.key"
    assert main(["-q", "check", str(CONTRACT), "--pseudonymise", str(key), "--lang", "en"]) == 0
    err = capsys.readouterr().err
    assert f"created the pseudonymisation key {key}" in err  # said even with -q: the user must keep it
    assert main(["check", str(CONTRACT), "--pseudonymise-departments"]) == 2  # needs --pseudonymise
