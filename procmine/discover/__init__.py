"""Discover the as-is process: the process map (current flowchart) and a BPMN model."""

from procmine.discover.bpmn import BpmnModel, discover_bpmn
from procmine.discover.process_map import ProcessMap, Simplification, discover

__all__ = ["discover", "discover_bpmn", "ProcessMap", "BpmnModel", "Simplification"]
