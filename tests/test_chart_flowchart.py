"""procmine.chart.flowchart and procmine.chart.fonts: Chinese text, files, legibility."""

from __future__ import annotations

import io
import random
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import networkx as nx
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.text import Text
from PIL import Image

from procmine.chart import fonts
from procmine.chart.flowchart import draw_flowchart, flowchart_geometry, save_figure

GLYPH_WARNING = re.compile(r"Glyph .* missing from font|missing from font", re.I)


def contract_graph() -> nx.DiGraph:
    """A contract-approval map: parallel review, a rework loop, a self-loop, a rare exit."""
    g = nx.DiGraph()
    g.add_node("__start__", kind="start")
    g.add_node("__end__", kind="end")
    activities = {
        "提交合同申请": (320, 300, 0.4), "部门经理审批": (312, 300, 4.2), "法务审核": (380, 290, 18.5),
        "财务审核": (300, 295, 6.0), "修改合同": (85, 70, 20.0), "总经理审批": (298, 296, 30.0),
        "合同盖章归档": (290, 290, 2.0), "撤回申请": (12, 12, None),
    }
    for name, (freq, cases, median) in activities.items():
        g.add_node(name, kind="activity", frequency=freq, cases=cases, median_duration_hours=median)
    for u, v, freq, median in [
        ("__start__", "提交合同申请", 300, None), ("提交合同申请", "部门经理审批", 310, 1.5),
        ("部门经理审批", "法务审核", 300, 3.0), ("部门经理审批", "财务审核", 295, 2.5),
        ("法务审核", "修改合同", 80, 0.5), ("修改合同", "部门经理审批", 75, 26.0),
        ("法务审核", "总经理审批", 210, 8.0), ("财务审核", "总经理审批", 280, 12.0),
        ("法务审核", "法务审核", 10, 2.0), ("总经理审批", "合同盖章归档", 290, 48.0),
        ("合同盖章归档", "__end__", 290, None), ("部门经理审批", "撤回申请", 12, 5.0),
        ("撤回申请", "__end__", 12, None),
    ]:
        g.add_edge(u, v, frequency=freq, cases=freq, median_hours=median,
                   p90_hours=None if median is None else median * 3)
    return g


STEPS = ["提交采购申请", "部门经理审批", "预算审核", "采购部询价", "供应商比价", "技术评审", "法务审核合同条款",
         "财务审核", "分管副总审批", "总经理审批", "签订采购合同", "合同盖章", "供应商发货", "仓库收货",
         "质检验收", "入库登记", "发票校验", "付款申请", "财务付款", "归档", "补充材料", "修改采购需求",
         "重新询价", "退回申请人", "董事会审议", "供应商准入资质审核", "紧急采购特批", "资产登记",
         "采购结果公示", "异议处理", "供应商评价", "合同变更审批", "退货处理", "索赔处理", "预付款审批"]


def big_graph(seed: int = 11) -> nx.DiGraph:
    """35 activities: a long main flow, skips, side steps, rework loops and self-loops."""
    rng = random.Random(seed)
    g = nx.DiGraph()
    g.add_node("__start__", kind="start")
    g.add_node("__end__", kind="end")
    main = STEPS[:20]

    def add(u, v, f):
        if g.has_edge(u, v):
            g.edges[u, v]["frequency"] += f
        else:
            g.add_edge(u, v, frequency=f)

    add("__start__", main[0], 900)
    for a, b in zip(main, main[1:]):
        add(a, b, rng.randint(300, 900))
    for _ in range(22):
        i = rng.randrange(len(main) - 3)
        add(main[i], main[i + rng.randint(2, 3)], rng.randint(10, 200))
    for a in STEPS[20:]:
        i = rng.randrange(1, len(main) - 2)
        add(main[i], a, rng.randint(5, 150))
        add(a, main[max(0, min(len(main) - 1, i + rng.choice([-3, -2, -1, 1, 2])))], rng.randint(5, 150))
    for _ in range(6):
        i = rng.randrange(3, len(main))
        add(main[i], main[i - rng.randint(1, 3)], rng.randint(10, 120))
    for a in rng.sample(STEPS, 3):
        add(a, a, rng.randint(5, 40))
    add(main[-1], "__end__", 850)
    add("退回申请人", "__end__", 60)
    for u, v, d in g.edges(data=True):
        d["cases"] = d["frequency"]
        d["median_hours"] = None if u == "__start__" or v == "__end__" else round(rng.lognormvariate(1.0, 1.4), 2)
        d["p90_hours"] = None if d["median_hours"] is None else d["median_hours"] * 3
    for a in STEPS:
        g.add_node(a, kind="activity", cases=1,
                   frequency=sum(d["frequency"] for *_e, d in g.in_edges(a, data=True)),
                   median_duration_hours=round(rng.lognormvariate(1.5, 1.2), 2))
    return g


def glyph_warnings(records) -> list[str]:
    return [str(w.message) for w in records if GLYPH_WARNING.search(str(w.message))]


def chart_texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.fixture(scope="module")
def contract_fig():
    return draw_flowchart(contract_graph(), title="合同审批流程 · 当前流程图", note="已简化：显示 8/8 个活动")


# --- fonts -----------------------------------------------------------------------------------
def test_detection_of_missing_glyphs_works():
    """Canary for the tests below: Chinese in DejaVu Sans alone does warn here."""
    fig = Figure()
    fig.text(0.1, 0.5, "部门经理审批", family="DejaVu Sans")
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    assert glyph_warnings(records)


def test_use_cjk_font_registers_mplfonts_noto_and_is_idempotent(monkeypatch):
    before = dict(matplotlib.rcParams)
    family = fonts.use_cjk_font()
    assert family == "Noto Sans CJK SC"
    path = fonts.cjk_font_path()
    assert path.replace("\\", "/").endswith("mplfonts/fonts/NotoSansCJKsc-Regular.otf")
    registered = sum(1 for f in font_manager.fontManager.ttflist if f.fname == path)
    assert registered >= 1
    # calling again, even with the module's cache cleared, registers nothing twice
    assert fonts.use_cjk_font() == family
    monkeypatch.setattr(fonts, "_family", None)
    assert fonts.use_cjk_font() == family
    assert sum(1 for f in font_manager.fontManager.ttflist if f.fname == path) == registered
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert found == path
    assert dict(matplotlib.rcParams) == before  # registering the font changes no rcParams


def test_chart_style_is_scoped():
    family_before = list(matplotlib.rcParams["font.family"])
    with fonts.chart_style():
        assert matplotlib.rcParams["font.family"] == [fonts.use_cjk_font(), "DejaVu Sans"]
        assert matplotlib.rcParams["axes.unicode_minus"] is False
        assert matplotlib.rcParams["svg.fonttype"] == "path"
    assert list(matplotlib.rcParams["font.family"]) == family_before


def test_fallback_to_an_installed_cjk_font(monkeypatch):
    noto = fonts.cjk_font_path()
    monkeypatch.setattr(fonts, "_family", None)
    monkeypatch.setattr(fonts, "_path", None)
    monkeypatch.setattr(fonts, "_mplfonts_font_file", lambda: None)
    assert fonts.use_cjk_font() == "Noto Sans CJK SC"  # found among registered fonts by coverage
    assert fonts.cjk_font_path() == noto


def test_clear_error_without_any_cjk_font(monkeypatch):
    empty = font_manager.FontManager.__new__(font_manager.FontManager)
    empty.ttflist = [f for f in font_manager.fontManager.ttflist if "CJK" not in f.name and "Hei" not in f.name]
    monkeypatch.setattr(fonts, "_family", None)
    monkeypatch.setattr(fonts, "_path", None)
    monkeypatch.setattr(fonts, "_mplfonts_font_file", lambda: None)
    monkeypatch.setattr(font_manager, "fontManager", empty)
    with pytest.raises(fonts.CJKFontNotFoundError, match="pip install mplfonts"):
        fonts.use_cjk_font()


# --- rendering -------------------------------------------------------------------------------
def test_png_and_svg_render_chinese_without_glyph_warnings(tmp_path):
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        fig = draw_flowchart(contract_graph(), title="合同审批流程", note="已简化：显示 8/8 个活动、13/13 条路径")
        png = save_figure(fig, tmp_path / "flow.png")
        svg = save_figure(fig, tmp_path / "flow.svg")
    assert glyph_warnings(records) == []
    assert png.stat().st_size > 10_000 and svg.stat().st_size > 10_000


def test_the_same_chart_is_the_same_svg_file_run_after_run(tmp_path, contract_fig):
    import time

    first = save_figure(contract_fig, tmp_path / "first.svg").read_bytes()
    time.sleep(1.1)  # (a date to the second would now differ)
    assert save_figure(contract_fig, tmp_path / "second.svg").read_bytes() == first
    assert b"<dc:date>" not in first


def test_png_has_report_resolution(tmp_path, contract_fig):
    for dpi in (200, 150):
        path = save_figure(contract_fig, tmp_path / f"flow{dpi}.png", dpi=dpi)
        with Image.open(path) as image:
            assert image.info["dpi"][0] == pytest.approx(dpi, abs=0.5)
            # the pixel size follows: the figure is several inches wide
            assert image.size[0] >= 4 * dpi
    assert Image.open(save_figure(contract_fig, tmp_path / "default.png")).info["dpi"][0] == pytest.approx(200, abs=0.5)
    with pytest.raises(ValueError, match="150"):
        save_figure(contract_fig, tmp_path / "low.png", dpi=100)
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        save_figure(contract_fig, tmp_path / "flow.jpg")


def test_svg_draws_chinese_as_paths(tmp_path, contract_fig):
    # even if the caller's global rcParams ask for SVG <text>, save_figure outlines glyphs
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        svg = save_figure(contract_fig, tmp_path / "flow.svg").read_text(encoding="utf-8")
    assert "<text" not in svg
    assert "部门经理审批" in svg  # matplotlib keeps the string as a comment next to its glyph paths
    assert "NotoSansCJKsc-Regular" in svg  # glyph outlines come from the CJK font
    assert "font-family" not in svg


def test_box_and_edge_texts(contract_fig):
    texts = chart_texts(contract_fig)
    assert "部门经理审批" in texts
    assert "312 次 · 中位 4.2 小时" in texts
    assert "12 次" in texts  # no duration known for 撤回申请: count only
    assert "开始" in texts and "结束" in texts
    assert "310 次\n1.5 小时" in texts  # hand-off: count and median wait
    assert "300 次" in texts  # edge from start: no time
    assert "中位时长（小时，日历时间）：方框边框=环节处理，箭头=交接等待" in texts
    assert "已简化：显示 8/8 个活动" in texts


def test_english_and_working_time():
    fig = draw_flowchart(contract_graph(), lang="en", time_basis="working")
    texts = chart_texts(fig)
    assert "312 × · median 4.2 working h" in texts  # working time says so (and is never in 24-hour days)
    assert "Start" in texts and "End" in texts
    assert "median hours (working time): box border = step, arrow = hand-off wait" in texts
    assert not any(re.search(r"[\u4e00-\u9fff]", t) for t in texts if t not in contract_graph())


def test_long_names_are_wrapped():
    g = contract_graph()
    nx.relabel_nodes(g, {"财务审核": "财务审核及预算复核（含供应商准入资质与付款条件）"}, copy=False)
    texts = chart_texts(draw_flowchart(g))
    wrapped = [t for t in texts if t.replace("\n", "").startswith("财务审核及预算复核")]
    assert wrapped and "\n" in wrapped[0]


def test_fonts_readable_and_figure_capped_for_35_activities():
    g = big_graph()
    assert sum(1 for _n, k in g.nodes(data="kind") if k == "activity") == 35
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        fig = draw_flowchart(g, title="采购到付款流程", note="显示 35/35 个活动")
        fig.savefig(io.BytesIO(), format="png", dpi=72)
    assert glyph_warnings(records) == []
    width, height = fig.get_size_inches()
    assert width <= 16 and height <= 23
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text()]
    assert sizes and min(sizes) >= 7  # a map this large cannot keep 8 pt on a page: 7 pt is the last resort


def overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    if renderer is None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        renderer = FigureCanvasAgg(fig).get_renderer()
    chart_ax = max(fig.axes, key=lambda ax: ax.bbox.width * ax.bbox.height)
    items = [(t.get_text(), t.get_window_extent(renderer)) for t in chart_ax.texts if t.get_text()]
    clashes = []
    for i, (a, bb_a) in enumerate(items):
        for b, bb_b in items[i + 1:]:
            if bb_a.overlaps(bb_b):
                clashes.append((a, b))
    return clashes


@pytest.mark.parametrize("graph", [contract_graph, big_graph])
def test_no_text_overlaps_another_text(graph):
    fig = draw_flowchart(graph())
    fig.savefig(io.BytesIO(), format="png", dpi=72)
    assert overlapping_texts(fig) == []


@pytest.mark.parametrize("graph", [contract_graph, big_graph])
def test_no_edge_runs_through_a_box(graph):
    """Sample every drawn edge and check no point lies inside any activity box or circle."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import Circle, FancyBboxPatch

    fig = draw_flowchart(graph())
    renderer = FigureCanvasAgg(fig).get_renderer()
    chart_ax = max(fig.axes, key=lambda ax: ax.bbox.width * ax.bbox.height)
    boxes = [p.get_window_extent(renderer) for p in chart_ax.patches if isinstance(p, FancyBboxPatch)]
    circles = [(p.get_transform().transform(p.center), p.get_transform().transform((p.center[0] + p.radius, p.center[1])))
               for p in chart_ax.patches if isinstance(p, Circle)]
    assert len(boxes) == 8 or graph is big_graph
    margin = 1.0  # display units at 100 dpi
    for patch in chart_ax.patches:
        if not isinstance(patch, PathPatch):
            continue
        points = patch.get_transform().transform(patch.get_path().vertices)
        for x, y in points:
            for bb in boxes:
                assert not (bb.x0 + margin < x < bb.x1 - margin and bb.y0 + margin < y < bb.y1 - margin)
            for (cx, cy), (rx, _ry) in circles:
                assert ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 >= (rx - cx) - margin


def test_line_widths_scale_with_frequency(contract_fig):
    chart_ax = max(contract_fig.axes, key=lambda ax: ax.bbox.width * ax.bbox.height)
    widths = sorted(p.get_linewidth() for p in chart_ax.patches if isinstance(p, PathPatch))
    assert len(widths) == contract_graph().number_of_edges()
    assert widths[0] == pytest.approx(0.8) and widths[-1] == pytest.approx(6.0)


def test_rework_loop_is_dashed(contract_fig):
    chart_ax = max(contract_fig.axes, key=lambda ax: ax.bbox.width * ax.bbox.height)
    dashed = [p for p in chart_ax.patches if isinstance(p, PathPatch) and p.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == 1  # 修改合同 → 部门经理审批 only


def test_no_global_state_changed():
    before = dict(matplotlib.rcParams)
    import matplotlib.pyplot as plt

    figures_before = plt.get_fignums()
    draw_flowchart(contract_graph())
    assert dict(matplotlib.rcParams) == before
    assert plt.get_fignums() == figures_before  # not registered with pyplot


def test_graph_without_times_or_terminals():
    g = nx.DiGraph([("甲", "乙"), ("乙", "甲"), ("乙", "丙")])
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        fig = draw_flowchart(g)
        fig.savefig(io.BytesIO(), format="svg")
    assert glyph_warnings(records) == []
    assert "无时长数据" in chart_texts(fig)


def test_bad_arguments():
    with pytest.raises(ValueError, match="lang"):
        draw_flowchart(contract_graph(), lang="fr")
    with pytest.raises(ValueError, match="time_basis"):
        draw_flowchart(contract_graph(), time_basis="business")


def test_box_borders_show_where_time_goes():
    """Boxes are tinted on the same heat scale as the arrows: the slowest step is darkest."""
    from matplotlib.colors import to_rgb
    from matplotlib.patches import FancyBboxPatch

    fig = draw_flowchart(contract_graph())
    borders = {}
    for ax in fig.axes[:1]:
        boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
        texts = {t.get_text(): t.get_position() for t in ax.texts}
        for name in ("总经理审批", "提交合同申请", "撤回申请"):
            x, y = texts[name]
            box = next(b for b in boxes if b.get_window_extent().contains(*ax.transData.transform((x, y))))
            borders[name] = to_rgb(box.get_edgecolor())
    darkness = {name: sum(rgb) for name, rgb in borders.items()}
    assert darkness["总经理审批"] < darkness["提交合同申请"]  # 30 h vs 0.4 h
    assert borders["撤回申请"] != borders["总经理审批"]      # no duration: the neutral border


def test_long_names_keep_the_words_that_tell_them_apart():
    from procmine.chart.flowchart import _Measure, _wrap

    measure = _Measure()
    for name in ("Declaration FINAL_APPROVED by SUPERVISOR", "Declaration FINAL_APPROVED by PRE_APPROVER",
                 "Permit FOR_APPROVAL by PRE_APPROVER/SUPERVISOR"):
        wrapped = _wrap(name, 10, 112, 3, measure)
        assert "…" not in wrapped and " ".join(wrapped.split()).replace("/ ", "/") == name, wrapped
    # hundreds of characters: cut in the middle, the end (where such names differ) kept
    huge = "审批" * 150 + "财务部"
    wrapped = _wrap(huge, 10, 112, 3, measure)
    assert "…" in wrapped and wrapped.endswith("财务部") and len(wrapped.splitlines()) <= 6


def test_a_name_of_ten_thousand_characters_is_cut_for_the_box_only():
    from procmine.chart.flowchart import MAX_NAME_CHARS, _Measure, _wrap

    name = "提交" + "申请" * 5000
    shown = _wrap(name, 10.0, 112.0, 3, _Measure())
    assert "…" in shown and len(shown.replace("\n", "")) <= MAX_NAME_CHARS + 1
    assert shown.replace("\n", "").startswith("提交申请") and shown.endswith("申请")
    geometry = flowchart_geometry(nx.DiGraph([("__start__", name), (name, "__end__")]))
    assert {node["id"] for node in geometry["nodes"]} == {"__start__", name, "__end__"}  # the data keep the name
