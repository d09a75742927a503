"""Published annual reports drawn without gkxl: figures, documents, series of years and returned workbooks.

Everything here is written from /work/shared/FORMAT.md and from how offices publish their reports (the
real one in samples/卫滨区司法局_2024年报.txt); nothing is made by gkxl's renderer or writer, and nothing
here imports gkxl. The only things taken from gkxl are the canonical cell keys of templates/gk2021.json
(t3.new.natural, t4.review.total, t2.rules.issued, …), spelled out below.

Builders (all deterministic from a seed):

- balanced_figures(rng, …) -> {key: value}: Tables 2-4 of the 2021 format; T3-a/b/c and T4-a hold.
- draw_report(seed, …) -> Drawn: the report as an office publishes it (title, preamble, sections 一 to 六,
  tables, narratives in one of several styles, optionally one narrative figure off on purpose).
- to_text(d) / to_html(d) / to_docx(d, path) / to_pdf([docx…], out_dir): the four published shapes.
- draw_series(seed, years, …) -> [Drawn]: consecutive years of one body, carry-over and documents in force
  continuous, or broken on purpose in one place (recorded in Drawn.breaks).
- write_return(d, path, …) -> dict: the body's statistics workbook for the year (openpyxl, official layout
  in one of the drawings FORMAT.md lists), equal to the report or differing in exactly one cell.

Drawn.expected() is what a reader of the document must find: every figure as published (None where the
document shows a blank mark or where a group row hides its sub-rows, t3.otherwise.* for such a group row).
"""
from __future__ import annotations

import html as htmlmod
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

# --- canonical keys (templates/gk2021.json) ---------------------------------------------------------------

APPLICANTS = ["natural", "business", "research", "public_interest", "legal_service", "other"]
COLS = APPLICANTS + ["total"]
WITHHELD = ["withheld_secret", "withheld_law", "withheld_security", "withheld_third_party", "withheld_internal",
            "withheld_process", "withheld_enforcement", "withheld_inquiry"]
UNABLE = ["unable_not_held", "unable_need_create", "unable_unclear"]
UNHANDLED = ["unhandled_petition", "unhandled_repeated", "unhandled_publication", "unhandled_mass", "unhandled_confirm"]
OTHERWISE = ["otherwise_no_correction", "otherwise_no_fee", "otherwise_other"]
LEAVES = ["granted", "partial", *WITHHELD, *UNABLE, *UNHANDLED, *OTHERWISE]          # the 21 rows T3-b sums
T3_ROWS = ["new", "carried", *LEAVES, "total", "carry_next"]
T2_COUNTS = ["t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force", "t2.normative.issued",
             "t2.normative.repealed", "t2.normative.in_force", "t2.license.decisions", "t2.penalty.decisions",
             "t2.coercion.decisions"]
T2_KEYS = T2_COUNTS + ["t2.fees.amount"]
T4_BLOCKS = ["review", "suit_direct", "suit_after_review"]
T4_COLS = ["upheld", "corrected", "other", "pending", "total"]
T3_KEYS = [f"t3.{r}.{c}" for r in T3_ROWS for c in COLS]
T4_KEYS = [f"t4.{b}.{c}" for b in T4_BLOCKS for c in T4_COLS]
FIGURE_KEYS = T2_KEYS + T3_KEYS + T4_KEYS


def t3(row: str, col: str) -> str:
    return f"t3.{row}.{col}"


def t4(block: str, col: str) -> str:
    return f"t4.{block}.{col}"


# --- labels of the official tables (FORMAT.md) ------------------------------------------------------------

NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
GROUP_NUMERAL = {"granted": "一", "partial": "二", "withheld": "三", "unable": "四", "unhandled": "五",
                 "otherwise": "六", "total": "七"}
GROUP_TEXT = {"granted": "予以公开", "partial": "部分公开（区分处理的，只计这一情形，不计其他情形）",
              "withheld": "不予公开", "unable": "无法提供", "unhandled": "不予处理", "otherwise": "其他处理",
              "total": "总计"}
LEAF_TEXT = {
    "withheld_secret": "属于国家秘密", "withheld_law": "其他法律行政法规禁止公开",
    "withheld_security": "危及“三安全一稳定”", "withheld_third_party": "保护第三方合法权益",
    "withheld_internal": "属于三类内部事务信息", "withheld_process": "属于四类过程性信息",
    "withheld_enforcement": "属于行政执法案卷", "withheld_inquiry": "属于行政查询事项",
    "unable_not_held": "本机关不掌握相关政府信息", "unable_need_create": "没有现成信息需要另行制作",
    "unable_unclear": "补正后申请内容仍不明确",
    "unhandled_petition": "信访举报投诉类申请", "unhandled_repeated": "重复申请",
    "unhandled_publication": "要求提供公开出版物", "unhandled_mass": "无正当理由大量反复申请",
    "unhandled_confirm": "要求行政机关确认或重新出具已获取信息",
    "otherwise_no_correction": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "otherwise_no_fee": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "otherwise_other": "其他",
}
GROUPS = {"withheld": WITHHELD, "unable": UNABLE, "unhandled": UNHANDLED, "otherwise": OTHERWISE}
LEVEL1 = {"new": "一、本年新收政府信息公开申请数量", "carried": "二、上年结转政府信息公开申请数量",
          "results": "三、本年度办理结果", "carry_next": "四、结转下年度继续办理"}
T4_LEAF = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]

SECTION_TITLES = {
    "一": ["总体情况"],
    "二": ["主动公开政府信息情况"],
    "三": ["收到和处理政府信息公开申请情况", "收到和处理政府信息公开申请的情况"],
    "四": ["政府信息公开行政复议、行政诉讼情况", "政府信息公开行政复议、行政诉讼情况",
          "因政府信息公开工作被申请行政复议、提起行政诉讼情况", "政府信息公开行政复议和行政诉讼情况"],
    "五": ["存在的主要问题及改进情况", "存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况"],
    "六": ["其他需要报告的事项"],
}


# --- figures ------------------------------------------------------------------------------------------

LEAF_WEIGHTS = {"granted": 30, "partial": 8, "withheld_secret": 1, "withheld_law": 1, "withheld_security": 1,
                "withheld_third_party": 2, "withheld_internal": 2, "withheld_process": 2, "withheld_enforcement": 1,
                "withheld_inquiry": 2, "unable_not_held": 18, "unable_need_create": 3, "unable_unclear": 2,
                "unhandled_petition": 3, "unhandled_repeated": 3, "unhandled_publication": 1, "unhandled_mass": 1,
                "unhandled_confirm": 1, "otherwise_no_correction": 3, "otherwise_no_fee": 1, "otherwise_other": 3}
PROFILES = ("empty", "small", "medium", "large")
NEW_HIGH = {"empty": [0] * 6, "small": [12, 3, 1, 1, 1, 2], "medium": [60, 12, 3, 3, 6, 8],
            "large": [900, 120, 10, 12, 40, 60]}


def balanced_figures(rng: random.Random, *, profile: str | None = None, carried: dict | None = None,
                     last_in_force: dict | None = None, government: bool | None = None,
                     no_carry: bool = False, t4_zero: bool | None = None) -> dict:
    """Figures of Tables 2-4 (2021 format) that satisfy T3-a, T3-b, T3-c and T4-a; whole numbers >= 0;
    行政事业性收费 in 万元 with up to 6 decimals.

    carried: this year's 二、上年结转 per applicant column (last year's 四 for a series); else drawn.
    last_in_force: {"rules": n, "normative": m}, last year's 现行有效件数; this year's then follows
    last + 本年制发 - 本年废止. government: whether the body can issue 规章 (else 0). no_carry: nothing
    carried in and nothing carried forward (for narratives that say every application was answered)."""
    profile = profile or rng.choices(PROFILES, [2, 4, 3, 1.5])[0]
    v: dict = {}
    # Table 3, column by column: 一 + 二 = （七） + 四, （七） = the 21 leaves
    highs = NEW_HIGH[profile]
    for i, col in enumerate(APPLICANTS):
        high = highs[i]
        new = 0 if high == 0 or rng.random() < (0.15 if i == 0 else 0.45) else rng.randint(0, high)
        if carried is not None:
            car = carried.get(col, 0)
        elif no_carry or high == 0:
            car = 0
        else:
            car = 0 if rng.random() < 0.6 else rng.randint(0, max(1, high // 8))
        avail = new + car
        nxt = 0 if no_carry or avail == 0 or rng.random() < 0.5 else rng.randint(0, max(0, min(avail, max(1, avail // 6))))
        handled = avail - nxt
        if no_carry:
            assert car == 0 and nxt == 0
        counts = dict.fromkeys(LEAVES, 0)
        if handled:
            # a few outcomes only, as in real reports: pick 1-6 rows and spread the handled ones over them
            k = min(handled, rng.randint(1, 6))
            pool = list(LEAVES)
            rows = []
            for _ in range(k):
                row = rng.choices(pool, [LEAF_WEIGHTS[p] for p in pool])[0]
                pool.remove(row)
                rows.append(row)
            for row in rows:
                counts[row] += 1
            for _ in range(handled - k):
                counts[rng.choices(rows, [LEAF_WEIGHTS[r] for r in rows])[0]] += 1
        v[t3("new", col)] = new
        v[t3("carried", col)] = car
        for row in LEAVES:
            v[t3(row, col)] = counts[row]
        v[t3("total", col)] = handled
        v[t3("carry_next", col)] = nxt
    for row in T3_ROWS:
        v[t3(row, "total")] = sum(v[t3(row, c)] for c in APPLICANTS)
    # Table 4: 总计 = 维持 + 纠正 + 其他 + 尚未审结, per block
    if t4_zero is None:
        t4_zero = profile == "empty" or rng.random() < 0.45
    for block in T4_BLOCKS:
        parts = [0, 0, 0, 0]
        if not t4_zero:
            scale = {"small": 2, "medium": 4, "large": 12}.get(profile, 1)
            parts = [rng.randint(0, scale) if rng.random() < 0.5 else 0 for _ in range(4)]
        for col, n in zip(T4_COLS[:4], parts):
            v[t4(block, col)] = n
        v[t4(block, "total")] = sum(parts)
    # Table 2: no arithmetic inside; 现行有效 follows last year's when given
    if government is None:
        government = rng.random() < 0.2
    empty = profile == "empty"
    for row, can in (("rules", government), ("normative", True)):
        if not can or (empty and row == "rules"):
            issued = repealed = in_force = 0
            if last_in_force is not None:
                in_force = last_in_force.get(row, 0)
        else:
            issued = 0 if empty else rng.randint(0, 3 if row == "rules" else 12)
            if last_in_force is not None:
                last = last_in_force.get(row, 0)
                repealed = rng.randint(0, min(last + issued, 4))
                in_force = last + issued - repealed
            else:
                repealed = 0 if empty else rng.randint(0, 4)
                in_force = issued + rng.randint(0, 30 if row == "rules" else 90)
        v[f"t2.{row}.issued"], v[f"t2.{row}.repealed"], v[f"t2.{row}.in_force"] = issued, repealed, in_force
    big = {"empty": 0, "small": 50, "medium": 800, "large": 12000}[profile]
    for key in ("t2.license.decisions", "t2.penalty.decisions", "t2.coercion.decisions"):
        v[key] = 0 if big == 0 or rng.random() < 0.3 else rng.randint(0, big // (1 if "license" in key else 3))
    v["t2.fees.amount"] = draw_fee(rng, profile)
    return v


def draw_fee(rng: random.Random, profile: str = "medium") -> float:
    """An amount in 万元 as offices publish it: 0, whole, to the jiao, to the fen (6 decimals)."""
    if profile == "empty" or rng.random() < 0.4:
        return 0.0
    yuan_fen = rng.randint(1, 3_000_000_000 if profile == "large" else 50_000_000)   # in fen
    shape = rng.random()
    if shape < 0.2:
        yuan_fen -= yuan_fen % 1_000_000           # whole 万元
    elif shape < 0.4:
        yuan_fen -= yuan_fen % 10_000              # 万元 to 2 decimals
    return float(Decimal(yuan_fen) / Decimal(1_000_000))


def balance_errors(v: dict) -> list[str]:
    """The rules T3-a, T3-b, T3-c, T4-a and the limits of the values, written out from FORMAT.md: what does
    not hold (empty when the figures balance). Keys absent from v are not checked."""
    bad = []
    for row in T3_ROWS:
        if v[t3(row, "total")] != sum(v[t3(row, c)] for c in APPLICANTS):
            bad.append(f"T3-a {row}")
    for col in COLS:
        if v[t3("total", col)] != sum(v[t3(r, col)] for r in LEAVES):
            bad.append(f"T3-b {col}")
        if v[t3("new", col)] + v[t3("carried", col)] != v[t3("total", col)] + v[t3("carry_next", col)]:
            bad.append(f"T3-c {col}")
    for block in T4_BLOCKS:
        if v[t4(block, "total")] != sum(v[t4(block, c)] for c in T4_COLS[:4]):
            bad.append(f"T4-a {block}")
    for key in FIGURE_KEYS:
        x = v[key]
        if key == "t2.fees.amount":
            if x < 0 or Decimal(str(x)).as_tuple().exponent < -6:
                bad.append(f"value {key}")
        elif not isinstance(x, int) or x < 0:
            bad.append(f"value {key}")
    return bad


def group_sum(v: dict, group: str, col: str = "total") -> int:
    return sum(v[t3(r, col)] for r in GROUPS[group])


# --- bodies, titles and the words around the tables -----------------------------------------------------

COUNTIES = ["卫滨区", "红旗区", "牧野区", "凤泉区", "卫辉市", "辉县市", "新乡县", "获嘉县", "原阳县", "延津县",
            "封丘县", "长垣市", "修武县", "博爱县", "淇县", "浚县", "汤阴县", "内黄县"]
CITIES = ["新乡市", "焦作市", "鹤壁市", "安阳市", "濮阳市"]
BUREAUS = ["司法局", "财政局", "教育局", "民政局", "人力资源和社会保障局", "自然资源局", "住房和城乡建设局",
           "交通运输局", "农业农村局", "水利局", "文化广电和旅游局", "卫生健康委员会", "应急管理局",
           "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "退役军人事务局", "审计局", "商务局"]
DEPARTMENTS = ["民政厅", "教育厅", "财政厅", "司法厅", "自然资源厅", "交通运输厅", "水利厅", "农业农村厅", "商务厅",
               "审计厅", "住房和城乡建设厅"]
TOWNS = ["城关镇", "太公镇", "孙杏村镇", "上乐村镇", "唐庄镇", "后河镇", "平原路街道办事处", "胜利路街道办事处"]


def draw_unit(rng: random.Random, kind: str | None = None) -> tuple[str, bool]:
    """(name, is a government that issues 规章). kind: bureau, department (厅), government, town."""
    kind = kind or rng.choices(["bureau", "department", "government", "town"], [6, 2, 1, 1])[0]
    if kind == "department":
        return "河南省" + rng.choice(DEPARTMENTS), False
    if kind == "government":
        if rng.random() < 0.5:
            return rng.choice(CITIES) + "人民政府", True
        return rng.choice(COUNTIES) + rng.choice(["人民政府", "人民政府办公室"]), False
    if kind == "town":
        return rng.choice(COUNTIES) + rng.choice(TOWNS), False
    place = rng.choice(COUNTIES + CITIES)
    return place + rng.choice(BUREAUS), False


TITLE_FORMS = ("annual", "spaced", "niandu", "letter", "wrapped", "wrapped_tail", "year_first")


def title_lines(unit: str, year: int, form: str) -> list[str]:
    """The title as the office prints it; a list of two when it wraps over two lines."""
    if form == "annual":
        return [f"{unit}{year}年政府信息公开工作年度报告"]
    if form == "spaced":                                          # as in the sample: spaces around the year
        return [f"{unit} {year} 年政府信息公开工作年度报告"]
    if form == "niandu":
        return [f"{unit}{year}年度政府信息公开工作报告"]
    if form == "letter":
        return [f"{unit}关于{year}年度政府信息公开工作的报告"]
    if form == "wrapped":
        return [unit, f"{year}年政府信息公开工作年度报告"]
    if form == "wrapped_tail":
        return [f"{unit}{year}年政府信息公开", "工作年度报告"]
    if form == "year_first":
        return [f"{year}年{unit}政府信息公开工作年度报告"]
    raise ValueError(form)


def preamble(unit: str, year: int, rng: random.Random) -> list[str]:
    """The opening paragraphs: the legal basis, the period, where to ask."""
    basis = rng.choice([
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发"
        "〈中华人民共和国政府信息公开条例〉（2019年修订）的通知》（国办公开办函〔2021〕30号）要求，特发布本年度报告。",
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定，{unit}编制了{year}年政府信息公开工作年度报告，"
        "特发布本年度报告。",
        "本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息与政务公开办公室"
        "关于政府信息公开工作年度报告的有关要求编制，特发布本年度报告。",
    ])
    paras = [basis]
    if rng.random() < 0.5:
        paras.append("本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
                     "存在的主要问题及改进情况、其他需要报告的事项等六部分组成。")
    paras.append(f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。本报告电子版可在"
                 f"“{unit}”网站政府信息公开专栏下载。如对本报告有疑问，请与{unit}办公室联系（地址：新乡市平原路"
                 f"{rng.randint(1, 300)}号；邮编：453000；电话：0373-{rng.randint(2000000, 3999999)}）。")
    return paras


# --- narratives ---------------------------------------------------------------------------------------

@dataclass
class Claim:
    """A figure the narrative states, and the table cells whose sum it means (FORMAT.md's meaning)."""
    what: str
    keys: tuple[str, ...]
    value: int | float
    stated: int | float | None = None
    alternatives: tuple[int, ...] = ()       # other readings a fair reader may take (e.g. 一 + 二 for 收到)

    def shown(self) -> str:
        x = self.value if self.stated is None else self.stated
        return fmt_amount(x) if isinstance(x, float) else str(x)


APPLICATION_STYLES = ("received_handled", "accepted_answered", "outcomes", "with_carried", "spaced",
                      "by_applicant", "terse")
REVIEW_STYLES = ("pair", "applied_against", "cases_qi", "none")
DOCS_STYLES = ("issued", "issued_repealed_in_force", "decisions", "fees", "none")


def ensure_claim(v: dict, claim: str, rng: random.Random) -> dict:
    """Figures adjusted, every rule still holding, so that `claim` has something to state: a nonzero
    group for a list of outcomes, something carried in for 含上年结转, a review or a suit, a fee."""
    v = dict(v)

    def move(target: str):
        col = next((c for c in APPLICANTS if v[t3("total", c)] > 0), None)
        if col is None:                              # nothing handled: one new application, handled so
            col = "natural"
            for r in ("new", "total"):
                v[t3(r, col)] += 1
                v[t3(r, "total")] += 1
            v[t3(target, col)] += 1
            v[t3(target, "total")] += 1
            return
        source = next(r for r in LEAVES if v[t3(r, col)] > 0)
        for c in (col, "total"):
            v[t3(source, c)] -= 1
            v[t3(target, c)] += 1
    group = claim[4:] if claim.startswith("out_") else None
    if group in ("granted", "partial") and v[t3(group, "total")] == 0:
        move(group)
    elif group in GROUPS and group_sum(v, group) == 0:
        move(GROUPS[group][0])
    elif claim in ("received", "received_new", "handled") and v[t3("new", "total")] == 0:
        move("granted")
    elif claim in ("received_with", "carried") and v[t3("carried", "total")] == 0:
        for r in ("carried", "carry_next"):
            v[t3(r, "natural")] += 1
            v[t3(r, "total")] += 1
    elif claim == "carry_next" and v[t3("carry_next", "total")] == 0:
        for r in ("new", "carry_next"):
            v[t3(r, "natural")] += 1
            v[t3(r, "total")] += 1
    elif claim in ("review", "suit") and v[t4("review", "total")] + v[t4("suit_direct", "total")] == 0:
        for b in ("review", "suit_direct"):
            v[t4(b, "upheld")] += 1
            v[t4(b, "total")] += 1
    elif claim == "fees" and not v["t2.fees.amount"]:
        v["t2.fees.amount"] = draw_fee(rng, "large") or 12.5
    elif claim in ("license", "penalty") and v[f"t2.{claim}.decisions"] == 0:
        v[f"t2.{claim}.decisions"] = rng.randint(1, 40)
    return v


def _claims(v: dict, app: str, rev: str, docs: list[str], rng: random.Random,
            wording: dict | None = None) -> dict[str, Claim]:
    """The claims each style states, by name (sentences are written from them)."""
    c: dict[str, Claim] = {}
    new, car = v[t3("new", "total")], v[t3("carried", "total")]
    handled, nxt = v[t3("total", "total")], v[t3("carry_next", "total")]
    if new + car == 0 and app not in ("terse",):
        app = "zero"
    if app in ("received_handled", "spaced", "by_applicant"):
        c["received"] = Claim("收到", (t3("new", "total"),), new, alternatives=(new + car,))
        c["handled"] = Claim("办结", (t3("total", "total"),), handled)
        if app == "spaced" and car:
            c["carried"] = Claim("上年结转", (t3("carried", "total"),), car)
        if nxt:
            c["carry_next"] = Claim("结转下年度", (t3("carry_next", "total"),), nxt)
    elif app == "accepted_answered":
        c["received"] = Claim("受理", (t3("new", "total"),), new, alternatives=(new + car,))
    elif app == "with_carried":
        if car:
            c["received_with"] = Claim("受理（含上年结转）", (t3("new", "total"), t3("carried", "total")), new + car,
                                       alternatives=(new,))
            c["carried"] = Claim("上年结转", (t3("carried", "total"),), car)
        else:
            c["received"] = Claim("收到", (t3("new", "total"),), new, alternatives=(new + car,))
        c["handled"] = Claim("办结", (t3("total", "total"),), handled)
        c["carry_next"] = Claim("结转下年度", (t3("carry_next", "total"),), nxt)
    elif app == "outcomes":
        c["received_new"] = Claim("新收", (t3("new", "total"),), new)
        c["carried"] = Claim("上年结转", (t3("carried", "total"),), car)
        words = {"granted": rng.choice(["予以公开", "同意公开"]), "partial": rng.choice(["部分公开", "区分处理后公开"]),
                 "withheld": "不予公开", "unable": "无法提供", "unhandled": "不予处理", "otherwise": "其他处理"}
        words.update(wording or {})
        for g in ("granted", "partial", "withheld", "unable", "unhandled", "otherwise"):
            keys = (t3(g, "total"),) if g in ("granted", "partial") else tuple(t3(r, "total") for r in GROUPS[g])
            n = sum(v[k] for k in keys)
            if n:
                c["out_" + g] = Claim(words[g], keys, n)
        c["carry_next"] = Claim("结转下年度", (t3("carry_next", "total"),), nxt)
    # Table 4
    review = v[t4("review", "total")]
    suits = v[t4("suit_direct", "total")] + v[t4("suit_after_review", "total")]
    if rev != "none" and (review or suits):
        c["review"] = Claim("行政复议", (t4("review", "total"),), review)
        c["suit"] = Claim("行政诉讼", (t4("suit_direct", "total"), t4("suit_after_review", "total")), suits)
    # Table 2
    if "issued" in docs or "issued_repealed_in_force" in docs:
        c["normative_issued"] = Claim("制发规范性文件", ("t2.normative.issued",), v["t2.normative.issued"])
    if "issued_repealed_in_force" in docs:
        c["normative_repealed"] = Claim("废止规范性文件", ("t2.normative.repealed",), v["t2.normative.repealed"])
        c["normative_in_force"] = Claim("现行有效规范性文件", ("t2.normative.in_force",), v["t2.normative.in_force"])
        if v["t2.rules.issued"]:
            c["rules_issued"] = Claim("制定规章", ("t2.rules.issued",), v["t2.rules.issued"])
    if "decisions" in docs:
        for k, w in (("license", "行政许可"), ("penalty", "行政处罚"), ("coercion", "行政强制")):
            c[k] = Claim(w + "决定", (f"t2.{k}.decisions",), v[f"t2.{k}.decisions"])
    if "fees" in docs and v["t2.fees.amount"]:
        c["fees"] = Claim("行政事业性收费", ("t2.fees.amount",), v["t2.fees.amount"])
    return c


def _application_text(app: str, c: dict[str, Claim], v: dict, unit: str, year: int, rng: random.Random) -> str:
    s = lambda k: c[k].shown()     # noqa: E731
    new, car = v[t3("new", "total")], v[t3("carried", "total")]
    if new + car == 0 and app != "terse":
        return rng.choice([f"{unit}{year}年度未收到依申请公开政府信息事项。",
                           "本年度未收到政府信息公开申请。",
                           f"{year}年，本机关未收到政府信息公开申请，无上年结转申请。"])
    if app == "received_handled":
        t = f"全年共收到政府信息公开申请{s('received')}件"
        if rng.random() < 0.5:
            t += f"，较上年{rng.choice(['增加', '减少'])}{rng.randint(1, 20)}件"
        t += f"，当年办结{s('handled')}件"
        if "carry_next" in c:
            t += f"，结转下年度继续办理{s('carry_next')}件"
        return t + "。申请内容主要涉及征地拆迁、社会保障、行政执法等方面。"
    if app == "accepted_answered":
        return (f"{year}年，本机关受理政府信息公开申请{s('received')}件，均已按时答复，未出现逾期答复情况。"
                "申请人主要通过政府网站在线申请和信函方式提出申请。")
    if app == "spaced":
        t = f"全年共收到政府信息公开申请 {s('received')} 件"
        if "carried" in c:
            t += f"，上年结转 {s('carried')} 件"
        t += f"，办结 {s('handled')} 件"
        if "carry_next" in c:
            t += f"，结转下年度继续办理 {s('carry_next')} 件"
        return t + "。"
    if app == "by_applicant":
        nat = v[t3("new", "natural")]
        legal = new - nat
        t = (f"全年收到政府信息公开申请{s('received')}件，从申请主体看，自然人提出{nat}件，"
             f"法人或其他组织提出{legal}件；从申请方式看，网上申请{new - new // 3}件，信函申请{new // 3}件。"
             f"所有申请均在法定期限内答复，办结{s('handled')}件")
        if "carry_next" in c:
            t += f"，结转下年度继续办理{s('carry_next')}件"
        return t + "。"
    if app == "with_carried":
        if "received_with" in c:
            t = f"全年共受理政府信息公开申请{s('received_with')}件（含上年结转{s('carried')}件）"
        else:
            t = f"全年共收到政府信息公开申请{s('received')}件"
        return t + f"，已办结{s('handled')}件，结转下年度继续办理{s('carry_next')}件。"
    if app == "outcomes":
        t = f"本年度新收政府信息公开申请{s('received_new')}件，上年结转{s('carried')}件。"
        parts = [f"{c[k].what}{s(k)}件" for k in c if k.startswith("out_")]
        if parts:
            t += "从办理结果看，其中" + "、".join(parts)
            t += f"，结转下年度{s('carry_next')}件。" if v[t3("carry_next", "total")] else "。"
        return t
    if app == "terse":
        return "严格按照《条例》规定的程序和时限办理政府信息公开申请，依法依规答复，切实保障申请人的合法权益。"
    raise ValueError(app)


def _review_text(rev: str, c: dict[str, Claim]) -> str:
    if rev == "none":
        return ""
    if "review" not in c:
        return "全年未发生因政府信息公开引起的行政复议、行政诉讼案件。"
    r, u = c["review"].shown(), c["suit"].shown()
    if rev == "pair":
        return f"全年发生政府信息公开行政复议{r}件、行政诉讼{u}件。"
    if rev == "applied_against":
        return f"因政府信息公开工作被申请行政复议{r}件，被提起行政诉讼{u}件。"
    return f"全年涉及政府信息公开的行政复议案件{r}起，行政诉讼案件{u}起。"


def _docs_text(docs: list[str], c: dict[str, Claim]) -> str:
    out = []
    if "issued_repealed_in_force" in docs:
        t = ""
        if "rules_issued" in c:
            t += f"全年制定规章{c['rules_issued'].shown()}件。"
        t += (f"全年制发规范性文件{c['normative_issued'].shown()}件，废止规范性文件{c['normative_repealed'].shown()}件，"
              f"截至年底现行有效规范性文件{c['normative_in_force'].shown()}件，均已在政府网站公开。")
        out.append(t)
    elif "issued" in docs:
        out.append(f"全年制发规范性文件{c['normative_issued'].shown()}件，均按规定进行合法性审查并及时公开。")
    if "decisions" in docs:
        out.append(f"全年作出行政许可决定{c['license'].shown()}件、行政处罚决定{c['penalty'].shown()}件、"
                   f"行政强制决定{c['coercion'].shown()}件，均通过“双公示”平台公开。")
    if "fees" in c:
        out.append(f"全年收取行政事业性收费{c['fees'].shown()}万元，收费项目、依据、标准均已公开。")
    return "".join(out)


PART_FORMS = ("inline_half", "inline_full", "heading_full", "numbered")
PART_NAMES = ["主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障"]


def _part(i: int, form: str, text: str) -> list[str]:
    """One of the five parts of 一、总体情况, headed as offices head them."""
    numeral = "一二三四五"[i]
    name = PART_NAMES[i]
    if form == "inline_half":                                     # as in the sample
        return [f"({numeral}) {name}：{text}"]
    if form == "inline_full":
        return [f"（{numeral}）{name}。{text}"]
    if form == "heading_full":
        return [f"（{numeral}）{name}情况", text]
    return [f"{i + 1}.{name}。{text}"]


# --- the report -----------------------------------------------------------------------------------------

BLANK_MARKS = ("-", "/", "无", "—")


@dataclass
class Drawn:
    """A published report: what it says and how it is drawn (every choice recorded)."""
    seed: int
    unit: str
    year: int
    values: dict                             # the figures it was made from (balanced)
    title_form: str
    title: list[str]
    preamble: list[str]
    headings: dict                           # numeral -> heading text as printed
    overview: list[str]                      # paragraphs of 一 (part headings included)
    problems: list[str]
    other: list[str]
    app_style: str
    review_style: str
    docs_styles: list
    claims: dict                             # name -> Claim (stated figures)
    contradiction: dict | None = None        # {"claim", "keys", "stated", "table"} when one figure is off
    blanks: dict = field(default_factory=dict)   # key -> mark printed instead of its 0
    six_one_row: bool = False                # （六）其他处理 printed as one row
    layout: dict = field(default_factory=dict)
    distractors: list = field(default_factory=list)
    breaks: dict = field(default_factory=dict)    # for series: what does not follow from last year

    @property
    def name(self) -> str:
        return f"{self.year}_{self.seed}"

    def expected(self) -> dict:
        """Every figure a reader of the published document must find, by key."""
        out = {k: self.values[k] for k in FIGURE_KEYS}
        for k in self.blanks:
            out[k] = None
        if self.six_one_row:
            for r in OTHERWISE:
                for col in COLS:
                    out[t3(r, col)] = None
            for col in COLS:
                out[f"t3.otherwise.{col}"] = group_sum(self.values, "otherwise", col)
        return out

    def cell_text(self, key: str) -> str:
        if key in self.blanks:
            return self.blanks[key]
        x = self.values[key]
        return fmt_amount(x, self.layout.get("fee_decimals")) if key == "t2.fees.amount" else str(x)


def fmt_amount(x: float, decimals: int | None = None) -> str:
    """万元 as printed: as many decimals as it has (up to 6), or a fixed number when the office pads."""
    d = Decimal(str(x))
    if decimals is not None and -d.as_tuple().exponent <= decimals:
        return f"{d:.{decimals}f}"
    s = format(d.normalize(), "f")
    return s


def draw_report(seed: int, *, unit: str | None = None, year: int | None = None, figures: dict | None = None,
                profile: str | None = None, title_form: str | None = None, app_style: str | None = None,
                review_style: str | None = None, contradict: bool | str = False, blanks: bool | None = None,
                six_one_row: bool = False, distractor: bool = False, government: bool | None = None,
                docs_styles: list | None = None, wording: dict | None = None,
                layout_over: dict | None = None) -> Drawn:
    """The report of one body for one year as an office publishes it.

    contradict: True (a figure of the narrative chosen by the seed) or a claim name ("received", "handled",
    "out_withheld", "review", …) is stated one or two off its table; recorded in Drawn.contradiction.
    blanks: zeros of Table 2 (and 行政事业性收费) printed as "-", "/", "无" or "—" (None: by the seed).
    six_one_row: （六）其他处理 printed as one row. distractor: a sentence with a count of something else
    (12345 hotline matters) in 监督保障. docs_styles: which Table 2 figures the narrative states (DOCS_STYLES);
    wording: {"granted": "同意公开", "partial": "区分处理后公开"} for the list of outcomes; layout_over: layout
    choices to force (keys of Drawn.layout). When contradict names a claim whose figure is 0 or absent, the
    figures are first adjusted, keeping every rule, so that the claim is stated."""
    rng = random.Random(f"report-{seed}")
    lay = random.Random(f"layout-{seed}")
    if unit is None:
        unit, gov = draw_unit(rng)
        government = gov if government is None else government
    year = year or rng.choice([2021, 2022, 2023, 2024])
    app_style = app_style or rng.choice(APPLICATION_STYLES)
    if figures is None:
        figures = balanced_figures(rng, profile=profile, government=government,
                                   no_carry=app_style == "accepted_answered")
    title_form = title_form or rng.choice(TITLE_FORMS)
    review_style = review_style or rng.choice(REVIEW_STYLES)
    drawn_docs = [s for s in DOCS_STYLES[:-1] if rng.random() < 0.45]
    docs_styles = list(drawn_docs if docs_styles is None else docs_styles)
    if "issued" in docs_styles and "issued_repealed_in_force" in docs_styles:
        docs_styles.remove("issued")
    if isinstance(contradict, str):
        figures = ensure_claim(figures, contradict, rng)
    assert not balance_errors(figures), balance_errors(figures)
    claims = _claims(figures, app_style, review_style, docs_styles, rng, wording or {})
    contradiction = None
    if contradict:
        contradiction = _contradict(claims, rng, contradict if isinstance(contradict, str) else None)
    headings = {n: f"{n}、{rng.choice(SECTION_TITLES[n])}" for n in SECTION_TITLES}
    if rng.random() < 0.2:
        headings = {n: h.replace("、", "、 ", 1) for n, h in headings.items()}
    part_form = rng.choice(PART_FORMS)
    active = (f"全年主动公开政府信息{rng.randint(40, 3000)}条，其中通过政府门户网站公开{rng.randint(10, 40)}条，"
              f"通过政务新媒体发布{rng.randint(10, 400)}条。")
    docs_text = _docs_text(docs_styles, claims)
    application = _application_text(app_style, claims, figures, unit, year, rng)
    management = ("一是强化重点信息公开，聚焦主责主业加大履职信息公开力度。二是严格落实信息发布审核制度，"
                  "坚持“先审后发”。三是做好政策解读，对重要政策文件同步开展解读。")
    platform = "充分发挥政府门户网站第一平台作用，及时更新政府信息公开专栏内容，同时用好政务微信公众号等新媒体。"
    supervision = "一是将政务公开工作纳入年度目标考核。二是组织开展政务公开业务培训2次。三是公开监督举报电话，接受社会监督。"
    review_text = _review_text(review_style, claims)
    distractors = []
    if distractor:
        d = f"依托12345政务服务便民热线，全年受理群众咨询事项{rng.randint(30, 900)}件，办结率100%。"
        supervision += d
        distractors.append(d)
    texts = [active + (docs_text if rng.random() < 0.5 else ""), application, management, platform,
             supervision + review_text]
    if docs_text and docs_text not in texts[0]:
        texts[2] = docs_text + texts[2]
    overview = []
    for i, text in enumerate(texts):
        overview += _part(i, part_form, text)
    problems = ["（一）存在的主要问题：一是政策解读形式较为单一，图解、视频解读较少。二是政务新媒体更新频率不高。",
                "（二）改进情况：一是丰富政策解读形式，提高解读质量。二是加强信息发布人员培训，提升信息质量。"]
    other = [rng.choice([
        f"{year}年度本机关未收取信息处理费。",
        "依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号），本年度未发出收费通知，未收取信息处理费。",
        f"依据《政府信息公开信息处理费管理办法》，本年度发出收费通知{rng.randint(1, 3)}件，收取信息处理费"
        f"{rng.choice([100, 200, 350])}元。",
        "无其他需要报告的事项。"])]
    # blank marks: zeros of Table 2 printed as a mark (never in Tables 3 and 4: their sums would not stand)
    if blanks is None:
        blanks = lay.random() < 0.3
    marks = {}
    if blanks:
        mark = lay.choice(BLANK_MARKS)
        stated = {k for c in claims.values() for k in c.keys}      # a stated figure is never a blank cell
        zeros = [k for k in T2_KEYS if figures[k] == 0 and k not in stated]
        for k in zeros:
            if k.startswith("t2.rules.") or k == "t2.fees.amount" or lay.random() < 0.4:
                marks[k] = mark
    layout = {
        "t3_header": lay.choice(["official", "total_top"]),
        "t4_header": lay.choice(["official", "review_raised"]),
        "brackets": lay.choice(["full", "half", "half_space"]),
        "leaf_number": lay.choice(["1.", "1. ", "1．", "1、"]),
        "quotes": lay.choice(["curly", "straight"]),
        "header_breaks": lay.random() < 0.5,            # "结果\n维持", "商业\n企业"
        "fee_decimals": lay.choice([None, None, 2, 6]),
        "text_mode": lay.choice(["grid", "grid", "compact", "sample"]),
        "html_mode": lay.choice(["plain", "msword"]),
        "html_chrome": lay.random() < 0.5,
        "title_break": lay.choice(["paragraphs", "line_break"]),
        "trailing_tab": lay.random() < 0.5,
        "merge": lay.choices(["merged", "repeated", "first_only"], [6, 2, 2])[0],
        "t3_labels": lay.choices(["three", "leaf_only"], [5, 1])[0],
        "text_chrome": lay.random() < 0.3,           # the site's breadcrumb, date line and buttons copied too
        "nbsp": lay.random() < 0.25,                 # cells copied with no-break spaces around them
        "html_th": lay.random() < 0.3,               # header cells as <th>
    }
    layout.update(layout_over or {})
    return Drawn(seed, unit, year, figures, title_form, title_lines(unit, year, title_form), preamble(unit, year, rng),
                 headings, overview, problems, other, app_style, review_style, docs_styles, claims, contradiction,
                 marks, six_one_row, layout, distractors)


CONTRADICTABLE = ("received", "received_new", "received_with", "handled", "carried", "carry_next", "out_granted",
                  "out_withheld", "out_unable", "out_unhandled", "out_otherwise", "out_partial", "review", "suit",
                  "normative_issued", "license", "penalty", "fees")


def _contradict(claims: dict[str, Claim], rng: random.Random, which: str | None) -> dict | None:
    names = [n for n in CONTRADICTABLE if n in claims]
    if which is not None:
        if which not in claims:
            return None
        names = [which]
    if not names:
        return None
    name = rng.choice(names)
    claim = claims[name]
    if isinstance(claim.value, float):
        stated = float(Decimal(str(claim.value)) + Decimal(rng.choice([1, 10, 100])))
    else:
        taken = {claim.value, *claim.alternatives}
        options = [claim.value + d for d in (1, -1, 2, -2, 3) if claim.value + d >= 0 and claim.value + d not in taken]
        stated = options[0] if rng.random() < 0.6 else rng.choice(options)
    claim.stated = stated
    return {"claim": name, "what": claim.what, "keys": list(claim.keys), "stated": stated, "table": claim.value}


# --- tables as grids (one model for HTML, Word and web text) -------------------------------------------

@dataclass
class GCell:
    r: int
    c: int
    text: str
    rs: int = 1
    cs: int = 1
    key: str | None = None                   # the figure it shows, for value cells


@dataclass
class Grid:
    rows: int
    cols: int
    cells: list
    name: str
    row_keys: list = field(default_factory=list)   # for Table 3: the canonical row of each grid row (or None)

    def at(self, r: int, c: int) -> GCell | None:
        for cell in self.cells:
            if cell.r == r and cell.c == c:
                return cell
        return None

    def covering(self, r: int, c: int) -> GCell | None:
        for cell in self.cells:
            if cell.r <= r < cell.r + cell.rs and cell.c <= c < cell.c + cell.cs:
                return cell
        return None


def _bracket(numeral: str, style: str) -> str:
    return {"full": f"（{numeral}）", "half": f"({numeral})", "half_space": f"({numeral}) "}[style]


def _leaf(n: int, text: str, style: str) -> str:
    return style.replace("1", str(n), 1) + text


def _quotes(text: str, style: str) -> str:
    return text.replace("“", '"').replace("”", '"') if style == "straight" else text


def _br(text: str, d: Drawn) -> str:
    """A header as an office types it: sometimes broken over two lines inside its cell."""
    if not d.layout.get("header_breaks"):
        return text
    return {"结果维持": "结果\n维持", "结果纠正": "结果\n纠正", "其他结果": "其他\n结果", "尚未审结": "尚未\n审结",
            "商业企业": "商业\n企业", "科研机构": "科研\n机构", "社会公益组织": "社会公益\n组织",
            "法律服务机构": "法律服务\n机构"}.get(text, text)


def table2_grid(d: Drawn) -> Grid:
    cells: list[GCell] = []
    r = 0

    def block(title: str, header: list[str], rows: list[tuple[str, list[str]]]):
        nonlocal r
        cells.append(GCell(r, 0, title, cs=4))
        r += 1
        cells.append(GCell(r, 0, "信息内容"))
        if len(header) == 3:
            cells.extend(GCell(r, 1 + i, h) for i, h in enumerate(header))
        else:
            cells.append(GCell(r, 1, header[0], cs=3))
        r += 1
        for label, keys in rows:
            cells.append(GCell(r, 0, label))
            if len(keys) == 3:
                cells.extend(GCell(r, 1 + i, d.cell_text(k), key=k) for i, k in enumerate(keys))
            else:
                cells.append(GCell(r, 1, d.cell_text(keys[0]), cs=3, key=keys[0]))
            r += 1

    block("第二十条第（一）项", ["本年制发件数", "本年废止件数", "现行有效件数"],
          [("规章", ["t2.rules.issued", "t2.rules.repealed", "t2.rules.in_force"]),
           ("行政规范性文件", ["t2.normative.issued", "t2.normative.repealed", "t2.normative.in_force"])])
    block("第二十条第（五）项", ["本年处理决定数量"], [("行政许可", ["t2.license.decisions"])])
    block("第二十条第（六）项", ["本年处理决定数量"], [("行政处罚", ["t2.penalty.decisions"]),
                                                   ("行政强制", ["t2.coercion.decisions"])])
    block("第二十条第（八）项", ["本年收费金额（单位：万元）"], [("行政事业性收费", ["t2.fees.amount"])])
    return Grid(r, 4, cells, "table2")


def t3_rows(d: Drawn) -> list[tuple[str, tuple[str | None, str | None, str | None]]]:
    """(row key, (level 1, level 2, level 3)) as printed, in order; None where a merged cell covers it."""
    b, ln, q = d.layout["brackets"], d.layout["leaf_number"], d.layout["quotes"]
    out = [("new", (LEVEL1["new"], None, None)), ("carried", (LEVEL1["carried"], None, None))]
    out.append(("granted", (LEVEL1["results"], _bracket("一", b) + GROUP_TEXT["granted"], None)))
    out.append(("partial", (None, _bracket("二", b) + GROUP_TEXT["partial"], None)))
    for g in ("withheld", "unable", "unhandled", "otherwise"):
        group = _bracket(GROUP_NUMERAL[g], b) + GROUP_TEXT[g]
        if g == "otherwise" and d.six_one_row:
            out.append(("otherwise", (None, group, None)))
            continue
        for i, row in enumerate(GROUPS[g]):
            out.append((row, (None, group if i == 0 else None, _quotes(_leaf(i + 1, LEAF_TEXT[row], ln), q))))
    out.append(("total", (None, _bracket("七", b) + GROUP_TEXT["total"], None)))
    out.append(("carry_next", (LEVEL1["carry_next"], None, None)))
    return out


def t3_value_text(d: Drawn, row: str, col: str) -> str:
    if row == "otherwise":
        return str(group_sum(d.values, "otherwise", col))
    return d.cell_text(t3(row, col))


def table3_grid(d: Drawn) -> Grid:
    cells = [GCell(0, 0, NOTE if d.layout["brackets"] == "full" else NOTE.replace("（", "(").replace("）", ")"),
                   rs=3, cs=3)]
    if d.layout["t3_header"] == "official":             # 申请人情况 over all 7 columns, 总计 under it
        cells += [GCell(0, 3, "申请人情况", cs=7), GCell(1, 3, "自然人", rs=2), GCell(1, 4, "法人或其他组织", cs=5),
                  GCell(1, 9, "总计", rs=2)]
    else:                                                # 总计 standing from the top, as in the sample
        cells += [GCell(0, 3, "申请人情况", cs=6), GCell(0, 9, "总计", rs=3), GCell(1, 3, "自然人", rs=2),
                  GCell(1, 4, "法人或其他组织", cs=5)]
    cells += [GCell(2, 4 + i, _br(t, d)) for i, t in enumerate(APPLICANT_LABELS[1:])]
    rows = t3_rows(d)
    r0 = 3
    keys = [None, None, None]
    n_results = sum(1 for k, _ in rows if k not in ("new", "carried", "carry_next"))
    for i, (row, (l1, l2, l3)) in enumerate(rows):
        r = r0 + i
        keys.append(row)
        if row in ("new", "carried", "carry_next"):
            cells.append(GCell(r, 0, l1, cs=3))
        else:
            if l1:
                cells.append(GCell(r, 0, l1, rs=n_results))
            if row in ("granted", "partial", "total", "otherwise"):
                cells.append(GCell(r, 1, l2, cs=2))
            else:
                if l2:
                    group = next(g for g, rs in GROUPS.items() if row in rs)
                    cells.append(GCell(r, 1, l2, rs=len(GROUPS[group])))
                cells.append(GCell(r, 2, l3))
        for j, col in enumerate(COLS):
            cells.append(GCell(r, 3 + j, t3_value_text(d, row, col), key=None if row == "otherwise" else t3(row, col)))
    return Grid(r0 + len(rows), 10, cells, "table3", keys)


def table4_grid(d: Drawn) -> Grid:
    cells = []
    if d.layout["t4_header"] == "official":             # 行政复议 over rows 1-2, its leaves on row 3
        cells += [GCell(0, 0, "行政复议", rs=2, cs=5), GCell(0, 5, "行政诉讼", cs=10),
                  GCell(1, 5, "未经复议直接起诉", cs=5), GCell(1, 10, "复议后起诉", cs=5)]
        cells += [GCell(2, i, _br(T4_LEAF[i % 5], d)) for i in range(15)]
    else:                                                # 行政复议's leaves one row higher, over rows 2-3
        cells += [GCell(0, 0, "行政复议", cs=5), GCell(0, 5, "行政诉讼", cs=10)]
        cells += [GCell(1, i, _br(T4_LEAF[i], d), rs=2) for i in range(5)]
        cells += [GCell(1, 5, "未经复议直接起诉", cs=5), GCell(1, 10, "复议后起诉", cs=5)]
        cells += [GCell(2, 5 + i, _br(T4_LEAF[i % 5], d)) for i in range(10)]
    for b, block in enumerate(T4_BLOCKS):
        for j, col in enumerate(T4_COLS):
            cells.append(GCell(3, b * 5 + j, d.cell_text(t4(block, col)), key=t4(block, col)))
    return Grid(4, 15, cells, "table4")


def table3_leaf_grid(d: Drawn) -> Grid:
    """Table 3 with one label column holding only the nearest label (the leaf text), as some offices draw it."""
    full = table3_grid(d)
    cells = [GCell(0, 0, full.at(0, 0).text, rs=3)]
    for cell in full.cells:
        if cell.c >= 3 and (cell.r < 3 or cell.key is not None or cell.c >= 3):
            cells.append(GCell(cell.r, cell.c - 2, cell.text, cell.rs, cell.cs, cell.key))
    for i, (row, (l1, l2, l3)) in enumerate(t3_rows(d)):
        label = l3 or (l2 if row in ("granted", "partial", "total", "otherwise") else None) or l1
        if label is None:                           # a leaf row whose group label stood beside it
            label = l3
        cells.append(GCell(3 + i, 0, label))
    return Grid(full.rows, 8, cells, "table3", full.row_keys)


def flatten(g: Grid, style: str) -> Grid:
    """The same table drawn with no merged cells: a spanning label repeated in every cell it spans
    ("repeated") or written once in its first cell ("first_only"). A figure is always written once."""
    if style == "merged":
        return g
    cells = []
    for cell in g.cells:
        for r in range(cell.r, cell.r + cell.rs):
            for c in range(cell.c, cell.c + cell.cs):
                first = (r, c) == (cell.r, cell.c)
                text = cell.text if first or (style == "repeated" and cell.key is None) else ""
                cells.append(GCell(r, c, text, key=cell.key if first else None))
    return Grid(g.rows, g.cols, cells, g.name, g.row_keys)


def grids(d: Drawn) -> dict[str, Grid]:
    """The three tables as this report draws them."""
    t3g = table3_leaf_grid(d) if d.layout.get("t3_labels") == "leaf_only" else table3_grid(d)
    style = d.layout.get("merge", "merged")
    return {"二": flatten(table2_grid(d), style), "三": flatten(t3g, style), "四": flatten(table4_grid(d), style)}


# --- text as copied from a web page ---------------------------------------------------------------------

def _grid_lines(g: Grid, mode: str, trailing: bool, nbsp: bool = False) -> list[str]:
    """A table as a browser copies it. grid: every row has every field, merged cells leave empty fields;
    compact: only the cells that start in a row, one field each. nbsp: a figure with a no-break space
    after it, an empty cell as one no-break space (&nbsp; in the page)."""
    lines = []
    for r in range(g.rows):
        fields = []
        for c in range(g.cols):
            cell = g.at(r, c)
            if cell is not None:
                text = cell.text.replace("\n", " ")
                if nbsp:
                    text = text + "\u00a0" if cell.key else (text or "\u00a0")
                fields.append(text)
            elif mode == "grid":
                fields.append("\u00a0" if nbsp else "")
        line = "\t".join(fields)
        lines.append(line + ("\t" if trailing and mode == "compact" else ""))
    return lines


def _t3_sample_lines(d: Drawn, g: Grid) -> list[str]:
    """Table 3 as the sample's web page copied it: header of 2+6+1 fields, group labels shifting, the row
    "3. 其他" whose label moved to the first field, a stray tab at the end of short rows."""
    note = g.at(0, 0).text
    la = [_br(t, d).replace("\n", " ") for t in APPLICANT_LABELS[1:]]
    lines = [f"{note}\t\t申请人情况\t\t\t\t\t\t总计\t", "\t\t自然人\t法人或其他组织\t\t\t\t\t\t",
             "\t\t\t" + "\t".join(la) + "\t\t"]
    for row, (l1, l2, l3) in t3_rows(d):
        vals = "\t".join(t3_value_text(d, row, c) for c in COLS)
        if row in ("new", "carried", "carry_next"):
            lines.append(f"{l1}\t\t{vals}\t")
        elif row == "granted":
            lines.append(f"{l1}\t{l2}\t{vals}\t")
        elif row in ("partial", "otherwise"):
            lines.append(f"\t{l2}\t{vals}\t")
        elif row == "total":
            lines.append(f"{l2}\t\t{vals}\t")
        elif row == "otherwise_other":
            lines.append(f"{l3}\t\t{vals}\t")
        else:
            lines.append(f"\t{l2 or ''}\t{l3}\t{vals}")
    return lines


def to_text(d: Drawn, mode: str | None = None) -> str:
    """The report as text copied from its web page (tab-separated tables)."""
    mode = mode or d.layout["text_mode"]
    trailing = d.layout["trailing_tab"]
    out = ["", ""]
    if d.layout.get("text_chrome"):
        out += ["当前位置：首页 > 政务公开 > 政府信息公开年报", ""]
    out += d.title + [""]
    if d.layout.get("text_chrome"):
        out += [f"发布日期：{d.year + 1}-01-{10 + d.seed % 18:02d}　　来源：{d.unit}　　浏览次数：{100 + d.seed * 7}",
                "【字体：大 中 小】　　打印本页", ""]
    for p in d.preamble:
        out += [p, ""]
    g = grids(d)
    for n in "一二三四五六":
        out += [d.headings[n], ""]
        if n == "一":
            for p in d.overview:
                out += [p, ""]
        elif n in g:
            if n == "三" and mode == "sample" and d.layout.get("merge", "merged") == "merged" \
                    and d.layout.get("t3_labels", "three") == "three":
                out += _t3_sample_lines(d, g[n])
            else:
                out += _grid_lines(g[n], "grid" if mode == "sample" else mode, trailing, d.layout.get("nbsp", False))
            out.append("")
        elif n == "五":
            for p in d.problems:
                out += [p, ""]
        else:
            for p in d.other:
                out += [p, ""]
    if d.layout.get("text_chrome"):
        out += [f"{d.unit}", f"{d.year + 1}年1月{10 + d.seed % 18}日", "", "【打印本页】　【关闭窗口】"]
    return "\n".join(out)


# --- HTML ---------------------------------------------------------------------------------------------

def _html_cell(cell: GCell, mode: str, tag: str = "td") -> str:
    attrs = ""
    if cell.rs > 1:
        attrs += f' rowspan="{cell.rs}"'
    if cell.cs > 1:
        attrs += f' colspan="{cell.cs}"'
    text = "<br>".join(htmlmod.escape(t) for t in cell.text.split("\n"))
    if mode == "msword":
        text = (f"<p class=MsoNormal align=center style='text-align:center'><span style='font-size:10.5pt;"
                f"font-family:宋体'>{text or '&nbsp;'}</span></p>")
        return f"<td valign=middle{attrs} style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'>{text}</td>"
    return f"<{tag}{attrs}>{text}</{tag}>"


HEADER_ROWS = {"table2": 0, "table3": 3, "table4": 3}


def grid_html(g: Grid, mode: str = "plain", th: bool = False) -> str:
    rows = []
    for r in range(g.rows):
        cells = sorted((c for c in g.cells if c.r == r), key=lambda c: c.c)
        tag = "th" if th and r < HEADER_ROWS[g.name] else "td"
        rows.append("<tr>" + "".join(_html_cell(c, mode, tag) for c in cells) + "</tr>")
    border = ' class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style="border-collapse:collapse"' \
        if mode == "msword" else ' border="1" cellspacing="0" cellpadding="4"'
    return f"<table{border}><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"


def to_html(d: Drawn) -> str:
    """The report as its saved web page: rowspan/colspan headers, a site's frame around it or not."""
    mode = d.layout["html_mode"]
    esc = htmlmod.escape

    def para(t: str, style: str = "text-indent:2em") -> str:
        if mode == "msword":
            return f"<p class=MsoNormal style='{style};line-height:28pt'><span style='font-family:仿宋_GB2312'>" \
                   f"{esc(t)}</span></p>"
        return f'<p style="{style}">{esc(t)}</p>'

    body = []
    if d.layout["title_break"] == "line_break":
        body.append('<p style="text-align:center"><strong>' + "<br>".join(esc(t) for t in d.title) + "</strong></p>")
    else:
        body += [f'<p style="text-align:center"><strong>{esc(t)}</strong></p>' for t in d.title]
    body += [para(p) for p in d.preamble]
    g = grids(d)
    for n in "一二三四五六":
        body.append(f"<p><strong>{esc(d.headings[n])}</strong></p>")
        if n == "一":
            body += [para(p) for p in d.overview]
        elif n in g:
            body.append(grid_html(g[n], mode, d.layout.get("html_th", False)))
        elif n == "五":
            body += [para(p) for p in d.problems]
        else:
            body += [para(p) for p in d.other]
    title = "".join(d.title)
    article = '<div class="TRS_Editor">\n' + "\n".join(body) + "\n</div>"
    if d.layout["html_chrome"]:
        site = d.unit if d.unit.endswith("人民政府") else "新乡市人民政府"
        page_title = f"{title}_{site}"
        article = (f'<div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
                   f'<a href="/zwgk/ndbg/">政府信息公开年报</a></div>\n<div class="article">'
                   f'<h1>{esc(title)}</h1>\n<div class="info">发布时间：{d.year + 1}-01-{10 + d.seed % 18:02d} '
                   f'来源：{esc(d.unit)} 浏览次数：{100 + d.seed * 7}</div>\n{article}\n</div>\n'
                   f'<div class="footer">主办：{esc(site)} 网站标识码：4107000001 豫ICP备05000000号 '
                   f'©{d.year + 1}</div>')
    else:
        page_title = title
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(page_title)}</title>'
            f"</head>\n<body>\n{article}\n</body></html>\n")


# --- Word ---------------------------------------------------------------------------------------------

def _set_font(run, name: str, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size:
        run.font.size = Pt(size)
    run.bold = bold or None


def _docx_table(doc, g: Grid, widths_cm: list[float]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm
    table = doc.add_table(rows=g.rows, cols=g.cols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell in g.cells:
        target = table.cell(cell.r, cell.c)
        if cell.rs > 1 or cell.cs > 1:
            target = target.merge(table.cell(cell.r + cell.rs - 1, cell.c + cell.cs - 1))
        lines = cell.text.split("\n")
        p = target.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if cell.key or len(cell.text) < 12 else WD_ALIGN_PARAGRAPH.LEFT
        for i, line in enumerate(lines):
            run = p.add_run(line)
            _set_font(run, "宋体", 9)
            if i < len(lines) - 1:
                run.add_break()
    for i, col in enumerate(table.columns):          # the grid LibreOffice lays out by
        col.width = Cm(widths_cm[i])
    for row in table.rows:
        for i, c in enumerate(row.cells):
            c.width = Cm(widths_cm[i])


def to_docx(d: Drawn, path: Path) -> Path:
    """The report as the office's Word document: A4, 公文 fonts, one table per section, merged headers."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin, sec.bottom_margin = Cm(2.5), Cm(2.3)

    def para(text: str, font="仿宋_GB2312", size=16, bold=False, center=False, indent=True):
        p = doc.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        _set_font(p.add_run(text), font, size, bold)
        return p

    if d.layout["title_break"] == "line_break" and len(d.title) > 1:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for i, t in enumerate(d.title):
            run = p.add_run(t)
            _set_font(run, "方正小标宋简体", 22)
            if i < len(d.title) - 1:
                run.add_break()
    else:
        for t in d.title:
            para(t, "方正小标宋简体", 22, center=True)
    doc.add_paragraph()
    for p in d.preamble:
        para(p)
    g = grids(d)
    widths = {"二": [6.0, 3.6, 3.6, 3.6], "三": [1.6, 2.6, 4.3] + [1.2] * 7, "四": [17.0 / 15] * 15}
    if g["三"].cols == 8:                            # one label column holding the leaf text
        widths["三"] = [8.5] + [1.2] * 7
    for n in "一二三四五六":
        para(d.headings[n], "黑体", 16)
        if n == "一":
            for p in d.overview:
                para(p, "楷体_GB2312" if len(p) < 16 else "仿宋_GB2312")
        elif n in g:
            _docx_table(doc, g[n], widths[n])
            doc.add_paragraph()
        elif n == "五":
            for p in d.problems:
                para(p)
        else:
            for p in d.other:
                para(p)
    path = Path(path)
    doc.save(path)
    return path


# --- PDF ----------------------------------------------------------------------------------------------

def find_soffice() -> str | None:
    try:
        from conftest import soffice  # the project's way of finding LibreOffice (tests/conftest.py)
        return soffice()
    except ImportError:
        return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx_files: list[Path], out_dir: Path, exe: str | None = None, timeout: int = 600) -> list[Path]:
    """Print Word documents to PDF with LibreOffice headless, in a private profile (one soffice run)."""
    exe = exe or find_soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "lo_profile"
    profile.mkdir(exist_ok=True)
    subprocess.run([exe, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, docx_files)],
                   check=True, capture_output=True, timeout=timeout)
    outs = [out_dir / (Path(f).stem + ".pdf") for f in docx_files]
    missing = [o for o in outs if not o.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}")
    return outs


# --- series of years ------------------------------------------------------------------------------------

def draw_series(seed: int, years: list[int], *, carry_break: str | None = None, in_force_break: str | None = None,
                **report_kw) -> list[Drawn]:
    """Consecutive years of one body. Each year's 二、上年结转 is last year's 四、结转下年度继续办理, per
    applicant column, and 现行有效件数 is last year's + 本年制发 − 本年废止 — except, in the last year,
    carry_break ("natural", "business", …): that column's 上年结转 is off by one or two (and so the 总计
    column; the year still balances), and in_force_break ("rules" or "normative"): 现行有效 off.
    What was broken is in the last report's .breaks."""
    rng = random.Random(f"series-{seed}")
    unit, gov = draw_unit(rng)
    profile = rng.choice(["small", "medium", "large"])
    out: list[Drawn] = []
    last = None
    for i, year in enumerate(years):
        frng = random.Random(f"series-{seed}-{year}")
        carried = None
        in_force = None
        if last is not None:
            carried = {c: last.values[t3("carry_next", c)] for c in APPLICANTS}
            in_force = {r: last.values[f"t2.{r}.in_force"] for r in ("rules", "normative")}
        final = i == len(years) - 1
        breaks: dict = {}
        if final and carry_break and carried is not None:
            delta = frng.choice([1, 2])
            carried = dict(carried)
            carried[carry_break] += delta
            breaks["carry"] = {"col": carry_break, "last": carried[carry_break] - delta, "this": carried[carry_break]}
        v = balanced_figures(frng, profile=profile, carried=carried, last_in_force=in_force, government=gov,
                             no_carry=False)
        if final and in_force_break and in_force is not None:
            expected = in_force[in_force_break] + v[f"t2.{in_force_break}.issued"] - v[f"t2.{in_force_break}.repealed"]
            v[f"t2.{in_force_break}.in_force"] = expected + frng.choice([3, 5, 7])
            breaks["in_force"] = {"row": in_force_break, "follows": expected,
                                  "this": v[f"t2.{in_force_break}.in_force"]}
        if i < len(years) - 1:                  # a year that carries something forward, so continuity is tested
            col = frng.choice(APPLICANTS[:2])
            if v[t3("carry_next", col)] == 0 and v[t3("total", col)] > 0:
                leaf = next(r for r in LEAVES if v[t3(r, col)] > 0)
                for c in (col, "total"):
                    v[t3(leaf, c)] -= 1
                    v[t3("total", c)] -= 1
                    v[t3("carry_next", c)] += 1
        kw = {"title_form": "annual", **report_kw}
        d = draw_report(seed * 100 + i, unit=unit, year=year, figures=v, government=gov, **kw)
        d.breaks = breaks
        out.append(d)
        last = d
    return out


# --- the returned statistics workbook -------------------------------------------------------------------

RETURN_LAYOUTS = ("one_sheet", "per_sheet", "per_sheet_numbered")


def write_return(d: Drawn, path: Path, *, layout: str | None = None, differ: str | bool | None = None,
                 formulas: bool | None = None, seed: int | None = None) -> dict:
    """The body's statistics workbook for the year, in the official layout, written with openpyxl.

    layout: one_sheet (title, 填报单位/报告年度, the three tables one under another at an offset), per_sheet
    (基本信息 and 表二/表三/表四), per_sheet_numbered (Sheet1 with the identity, 表1/表2/表3, a 序号 column
    and notes rows). formulas: the totals of Tables 3 and 4 as formulas with no stored value (written by a
    program, never opened in a spreadsheet). differ: a key (or True: a Table 2 cell chosen by the seed)
    whose figure differs from the report's; exactly that one cell differs.
    Returns {"path", "layout", "formulas", "values", "differ": {"key", "report", "return"} or None}."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    rng = random.Random(f"return-{d.seed}-{seed}")
    layout = layout or rng.choice(RETURN_LAYOUTS)
    formulas = rng.random() < 0.5 if formulas is None else formulas
    values = dict(d.values)
    diff = None
    if differ:
        key = differ if isinstance(differ, str) else rng.choice(T2_KEYS)
        old = values[key]
        new = float(Decimal(str(old)) + Decimal("1.5")) if key == "t2.fees.amount" else old + rng.choice([1, 2, 3])
        values[key] = new
        diff = {"key": key, "report": old, "return": new}
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wb = Workbook()
    ws0 = wb.active

    def put(ws, r, c, value, rs=1, cs=1):
        cell = ws.cell(row=r, column=c, value=value)
        cell.alignment = center
        for rr in range(r, r + rs):
            for cc in range(c, c + cs):
                ws.cell(row=rr, column=cc).border = border
        if rs > 1 or cs > 1:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + rs - 1, end_column=c + cs - 1)
        return cell

    def table(ws, g: Grid, top: int, left: int, numbered: bool = False) -> dict:
        """Writes a grid's labels and values; returns key -> (row, col) of each value cell."""
        where = {}
        shift = 1 if numbered else 0
        if numbered:
            put(ws, top, left, "序号", rs=3 if g.name == "table3" else 1)
        for cell in g.cells:
            r, c = top + cell.r, left + shift + cell.c
            if cell.key is not None:
                where[cell.key] = (r, c)
                put(ws, r, c, None, cell.rs, cell.cs)
            else:
                put(ws, r, c, cell.text or None, cell.rs, cell.cs)
        if numbered and g.name == "table3":
            for i in range(3, g.rows):
                put(ws, top + i, left, i - 2)
        return where

    plain = Drawn(d.seed, d.unit, d.year, values, d.title_form, d.title, [], d.headings, [], [], [], "", "", [], {},
                  layout={**d.layout, "fee_decimals": None})
    g = grids(plain)
    title = f"{d.unit}{d.year}年政府信息公开工作年度报告统计表"
    places: dict[str, tuple] = {}
    if layout == "one_sheet":
        ws0.title = rng.choice(["Sheet1", "年报统计表", "统计表"])
        left = rng.choice([1, 2])
        put(ws0, 1, left, title, cs=10).font = Font(bold=True, size=14)
        ws0.cell(row=2, column=left, value=f"填报单位：{d.unit}")
        ws0.cell(row=2, column=left + 5, value=f"报告年度：{d.year}")
        r = 4
        for n, name in (("二", "二、主动公开政府信息情况"), ("三", "三、收到和处理政府信息公开申请情况"),
                        ("四", "四、政府信息公开行政复议、行政诉讼情况")):
            ws0.cell(row=r, column=left, value=name).font = Font(bold=True)
            places[n] = (ws0, table(ws0, g[n], r + 1, left))
            r += g[n].rows + 3
    else:
        numbered = layout == "per_sheet_numbered"
        ws0.title = "Sheet1" if numbered else "基本信息"
        ws0["A1"], ws0["B1"] = "单位名称", d.unit
        ws0["A2"], ws0["B2"] = "报告年度", d.year
        ws0["A3"], ws0["B3"] = "填报人", "张三"
        names = ["表1", "表2", "表3"] if numbered else ["表二", "表三", "表四"]
        for n, sheet in zip("二三四", names):
            ws = wb.create_sheet(sheet)
            top = 1
            if numbered:
                ws.cell(row=1, column=1, value=f"{n}、{SECTION_TITLES[n][0]}").font = Font(bold=True)
                top = 3
            places[n] = (ws, table(ws, g[n], top, 1, numbered=numbered and n == "三"))
            if numbered:
                ws.cell(row=top + g[n].rows + 1, column=1, value="注：本表数据统计期限为当年1月1日至12月31日。")
    # values: inputs as numbers; totals of Tables 3 and 4 as numbers or as formulas
    for ws, where in places.values():
        for key, (r, c) in where.items():
            val = values[key]
            formula = None
            if formulas and key.startswith("t3.") and key.endswith(".total"):
                formula = f"=SUM({get_column_letter(c - 6)}{r}:{get_column_letter(c - 1)}{r})"
            elif formulas and key.startswith("t3.total."):
                col_letter = get_column_letter(c)
                leaf_rows = [where[t3(x, key.split(".")[2])][0] for x in LEAVES]
                formula = f"=SUM({col_letter}{min(leaf_rows)}:{col_letter}{max(leaf_rows)})"
            elif formulas and key.startswith("t4.") and key.endswith(".total"):
                formula = f"=SUM({get_column_letter(c - 4)}{r}:{get_column_letter(c - 1)}{r})"
            ws.cell(row=r, column=c, value=formula if formula else val)
    for ws in wb.worksheets:
        for col in range(1, 18):
            ws.column_dimensions[get_column_letter(col)].width = 12
    path = Path(path)
    wb.save(path)
    return {"path": path, "layout": layout, "formulas": formulas, "values": values, "differ": diff}


# --- a corpus on disk ----------------------------------------------------------------------------------

def manifest_entry(d: Drawn, files: dict) -> dict:
    """What a test needs to know of one drawn report, as JSON: its files and everything they must read as."""
    return {"seed": d.seed, "unit": d.unit, "year": d.year, "title": d.title, "title_form": d.title_form,
            "files": {k: str(v) for k, v in files.items()}, "figures": d.values, "expected": d.expected(),
            "contradiction": d.contradiction, "blanks": d.blanks, "six_one_row": d.six_one_row,
            "app_style": d.app_style, "review_style": d.review_style, "docs_styles": d.docs_styles,
            "layout": d.layout, "breaks": d.breaks}


def write_corpus(folder: Path, seeds=range(1, 13), shapes=("docx", "html", "txt"), **report_kw) -> list[dict]:
    """Reports of `seeds` in `shapes` (pdf: printed from the docx by LibreOffice) under folder, with
    manifest.json; returns the manifest."""
    import json
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    entries, docx_for_pdf = [], []
    for seed in seeds:
        d = draw_report(seed, **report_kw)
        base = folder / f"{seed:03d}_{d.year}"
        files = {}
        if "docx" in shapes or "pdf" in shapes:
            files["docx"] = to_docx(d, base.with_suffix(".docx"))
            docx_for_pdf.append(files["docx"])
        if "html" in shapes:
            files["html"] = base.with_suffix(".html")
            files["html"].write_text(to_html(d), encoding="utf-8")
        if "txt" in shapes:
            files["txt"] = base.with_suffix(".txt")
            files["txt"].write_text(to_text(d), encoding="utf-8")
        entries.append((d, files))
    if "pdf" in shapes and docx_for_pdf:
        for (_d, files), pdf in zip(entries, to_pdf(docx_for_pdf, folder)):
            files["pdf"] = pdf
    manifest = [manifest_entry(d, files) for d, files in entries]
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


if __name__ == "__main__":      # python tests/published_drawn.py FOLDER [FIRST LAST] [docx,html,txt,pdf]
    import sys
    first, last = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (1, 12)
    kinds = tuple(sys.argv[4].split(",")) if len(sys.argv) > 4 else ("docx", "html", "txt")
    for entry in write_corpus(Path(sys.argv[1]), range(first, last + 1), kinds):
        print(entry["seed"], entry["unit"], entry["year"], entry["title_form"], entry["contradiction"])
