"""Compare the current process with the designed future process (与设计流程对比).

    >>> design = procmine.read_design("sample_logs/客户投诉处理.design.yaml")   # doctest: +SKIP
    >>> result = procmine.compare(log, design)                                 # doctest: +SKIP
"""

from procmine.compare.comparison import Comparison, compare
from procmine.compare.design import Design, DesignStep, Target
from procmine.compare.readers import read_design

__all__ = ["Comparison", "Design", "DesignStep", "Target", "compare", "read_design"]
