"""The one place procmine talks to pm4py: a handful of functions, nothing of pm4py's types in
procmine's public API.

pm4py is the engine behind the BPMN model (inductive miner), the design's Petri net and the token
replay, and reads XES. It prints a licence banner when imported from a script's ``__main__``;
procmine's users did not import it themselves, so the banner is suppressed. Import this module
lazily: pm4py costs about two seconds to import.
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter

sys._pm4py_welcome_shown = True  # type: ignore[attr-defined]  # pm4py's own switch for its banner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pm4py  # noqa: E402


def inductive_tree(variants: Counter, noise_threshold: float):
    """The inductive miner's process tree (IMf when ``noise_threshold`` > 0, else IM) of the
    ``variants`` ({activity sequence: weight}), handed over directly: pm4py's public discover_*
    functions want a pandas log and format and sort every event (slow on large logs)."""
    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
    from pm4py.algo.discovery.inductive.variants.im import IMUVCL
    from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL

    parameters = {"noise_threshold": noise_threshold}
    miner = IMFUVCL(parameters) if noise_threshold > 0 else IMUVCL(parameters)
    return _tidy(miner.apply(IMDataStructureUVCL(variants), parameters))


def inductive_tree_from_dfg(graph: Counter, starts: Counter, ends: Counter, noise_threshold: float):
    """The inductive miner on directly-follows counts (IMd): time grows with the activities, not the
    length of the cases."""
    from pm4py.algo.discovery.inductive.dtypes.im_dfg import InductiveDFG
    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureDFG
    from pm4py.algo.discovery.inductive.variants.imd import IMD
    from pm4py.objects.dfg.obj import DFG

    parameters = {"noise_threshold": noise_threshold}
    return _tidy(IMD(parameters).apply(IMDataStructureDFG(InductiveDFG(DFG(graph, starts, ends))), parameters))


def _tidy(tree):
    from pm4py.objects.process_tree.utils import generic as tree_util

    tree = tree_util.fold(tree)
    tree_util.tree_sort(tree)
    return tree


def tree_to_bpmn(tree):
    """A process tree as a BPMN model (pm4py's object, kept inside procmine)."""
    return pm4py.convert_to_bpmn(tree)


def bpmn_classes():
    """pm4py's BPMN class, whose nested classes (Task, gateways, events) build a model by hand."""
    from pm4py.objects.bpmn.obj import BPMN

    return BPMN


def write_bpmn(model, path: str) -> None:
    """BPMN 2.0 XML with the layout the model carries (no Graphviz)."""
    pm4py.write_bpmn(model, path, auto_layout=False)


def read_bpmn(path: str):
    return pm4py.read_bpmn(path)


def petri_net(model):
    """(net, initial marking, final marking) of a BPMN model."""
    return pm4py.convert_to_petri_net(model)


def token_replay(traces: list[list[str]], net, initial, final) -> list[dict]:
    """pm4py's token-based replay of each trace (activity names in order): missing, consumed,
    remaining and produced tokens and whether the trace fits."""
    from pm4py.algo.conformance.tokenreplay import algorithm as replay
    from pm4py.objects.log.obj import Event, EventLog, Trace

    log = EventLog([Trace([Event({"concept:name": a}) for a in trace]) for trace in traces])
    return replay.apply(log, net, initial, final, variant=replay.Variants.TOKEN_REPLAY,
                        parameters={"show_progress_bar": False})


__all__ = ["inductive_tree", "inductive_tree_from_dfg", "tree_to_bpmn", "bpmn_classes", "write_bpmn", "read_bpmn",
           "petri_net", "token_replay"]
