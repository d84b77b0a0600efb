"""Shared fixtures: tiny hand-checked logs and the location of the real public logs."""

from __future__ import annotations

import os
import re
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_logs"
REAL_LOGS = Path(os.environ.get("PROCMINE_REAL_LOGS", ROOT.parent / "shared" / "real_logs"))


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def sequential_csv(tmp_path: Path) -> Path:
    """Three cases, one time per step. Hand-checked figures are in test_process_map.py."""
    return write_text(tmp_path / "seq.csv", "\n".join([
        "单据编号,审批节点,处理人,处理时间",
        "c1,A,张三,2025-03-03 09:00",
        "c1,B,李四,2025-03-03 10:00",
        "c1,C,王五,2025-03-03 12:00",
        "c2,A,张三,2025-03-03 09:00",
        "c2,C,王五,2025-03-03 09:30",
        "c3,A,张三,2025-03-03 08:00",
        "c3,B,李四,2025-03-03 08:30",
        "c3,B,李四,2025-03-03 09:30",
        "c3,C,王五,2025-03-03 11:30",
    ]) + "\n")


@pytest.fixture
def parallel_csv(tmp_path: Path) -> Path:
    """Two cases with arrival and completion; in k1 法务审核 and 财务审核 overlap, in k2 they do not."""
    return write_text(tmp_path / "par.csv", "\n".join([
        "流程编号,节点名称,经办人,到达时间,完成时间",
        "k1,提交,甲,2025-03-03 09:00,2025-03-03 09:00",
        "k1,经理审批,乙,2025-03-03 09:00,2025-03-03 10:00",
        "k1,法务审核,丙,2025-03-03 10:00,2025-03-03 15:00",
        "k1,财务审核,丁,2025-03-03 10:00,2025-03-03 11:00",
        "k1,总经理审批,戊,2025-03-03 15:30,2025-03-03 16:00",
        "k2,提交,甲,2025-03-04 09:00,2025-03-04 09:00",
        "k2,经理审批,乙,2025-03-04 09:10,2025-03-04 10:00",
        "k2,财务审核,丁,2025-03-04 10:00,2025-03-04 11:00",
        "k2,法务审核,丙,2025-03-04 11:00,2025-03-04 12:00",
        "k2,总经理审批,戊,2025-03-04 13:00,2025-03-04 14:00",
    ]) + "\n")


def real_log(name: str) -> Path:
    path = REAL_LOGS / name
    if not path.exists():
        pytest.skip(f"real log {name} not available at {REAL_LOGS}")
    return path


def same_text(spark_text: str, default_text: str) -> None:
    """The same words and numbers, a number allowed one unit off in its last printed digit: a median
    of an even count is a + ½(b − a) on Spark and (a + b) / 2 in polars, which can round apart when
    the median is exactly halfway (14.05 → 14.1 and 14.0); a sum added in another order likewise."""
    number = re.compile(r"\d+(?:\.\d+)?")
    assert number.sub("#", spark_text) == number.sub("#", default_text)
    for a, b in zip(number.findall(spark_text), number.findall(default_text)):
        unit = 10.0 ** -len(b.partition(".")[2])
        assert abs(float(a) - float(b)) <= unit * 1.001, f"{a} != {b}"


#: The Spark tests' master: local mode on two cores.
SPARK_MASTER = "local[2]"


@pytest.fixture(scope="module")
def spark():
    """One local Spark session for a test module (starting one costs seconds); the module skips
    itself where PySpark is not installed."""
    from procmine.engine.spark import spark_session

    session = spark_session(SPARK_MASTER)
    yield session
    session.stop()
