"""Makes the Word template of the bulletin (工作绩效管理简报): api/documents/templates/bulletin.docx.

    .venv/bin/python scripts/make_bulletin_template.py

The template is an ordinary .docx holding Jinja tags that docxtpl fills (api/documents/bulletin.py).
It is drawn here with python-docx rather than by hand in Word so that a change to the layout is a
reviewable diff; rerun the script after changing it, and commit both. The output is byte-stable
(fixed zip timestamps and document properties), so rerunning without a change changes nothing.

Layout, after the usual red-header bulletin of a government office (GB/T 9704 sizes: 二号 22pt,
三号 16pt, 四号 14pt):

    A4 portrait; margins top 37mm, bottom 35mm, left 28mm, right 26mm
    {{ organ }}工作绩效管理简报          red, bold, 方正小标宋简体, centered
    第{{ issue_no }}期                    centered
    {{ issuer }} ........ {{ issued_on }}   left and right, over a red 1.5pt rule
    {{ title }}                          方正小标宋简体 二号, bold, centered
    body paragraphs                      仿宋 三号, first-line indent 2 characters, 28pt lines
    本期考核情况: intro and a table        {%tr for %} rows
    抄送 / 印发 (版记) between thin rules   仿宋 四号
    the log position and digest, and the `jixiao verify --expect` argument, in small print
    footer: — page —

Every Jinja tag sits whole in one run (docxtpl reads the XML text). Chinese fonts are named in
w:rFonts/@w:eastAsia, so Word and WPS pick them for Chinese text; Latin text and digits use
Times New Roman.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.parfmt import CT_PPr
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

OUT = Path(__file__).resolve().parent.parent / "api" / "documents" / "templates" / "bulletin.docx"

RED = RGBColor(0xFF, 0x00, 0x00)
LATIN = "Times New Roman"
XIAOBIAOSONG = "方正小标宋简体"  # the title font of 公文; Word/WPS substitute where it is not installed
FANGSONG = "仿宋"
HEITI = "黑体"
SONGTI = "宋体"
MONO = "Courier New"

PAGE_W, PAGE_H = Mm(210), Mm(297)
TOP, BOTTOM, LEFT, RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TEXT_W = PAGE_W - LEFT - RIGHT  # 156mm

FIXED_TIME = datetime(2026, 1, 1, 0, 0, 0)


# -- low-level helpers ---------------------------------------------------------------------------


# The children of w:pPr in schema order (ECMA-376 CT_PPrBase), from w:pBdr on.
PPR_ORDER = (
    "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def _insert_ppr(ppr: CT_PPr, element: OxmlElement) -> None:
    """Puts a w:pPr child where the schema wants it (Word refuses children out of order)."""
    tag = element.tag.split("}")[1]
    seq = PPR_ORDER
    ppr.remove_all(f"w:{tag}")
    ppr.insert_element_before(element, *seq[seq.index(f"w:{tag}") + 1 :])


def _fonts(rpr: CT_RPr, east_asia: str, latin: str = LATIN) -> None:
    """The run's fonts: Latin for ASCII and digits, `east_asia` for Chinese (w:rFonts/@w:eastAsia)."""
    fonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def _style(doc: Document, name: str, style_id: str, east_asia: str, size: float, *, bold: bool = False, color: RGBColor | None = None,
           align: WD_ALIGN_PARAGRAPH | None = None, indent_chars: int = 0, line: float | None = None,
           before: float = 0, after: float = 0, latin: str = LATIN) -> BaseStyle:  # fmt: skip
    """A paragraph style on Normal with its fonts, size and paragraph layout."""
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.style_id = style_id  # ASCII, as Word writes them; the Chinese name is what Word shows
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    style.font.size = Pt(size)
    style.font.bold = bold
    if color is not None:
        style.font.color.rgb = color
    _fonts(style.element.get_or_add_rPr(), east_asia, latin)
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if line is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line)
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
        style.element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), str(100 * indent_chars))
    return style


def _rule(ppr: CT_PPr, side: str, color: str, eighths: int, space: int = 1) -> None:
    """A line above or below the paragraph (w:pBdr): `eighths` of a point thick."""
    borders = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{side}")
    for attr, value in (("w:val", "single"), ("w:sz", str(eighths)), ("w:space", str(space)), ("w:color", color)):
        line.set(qn(attr), value)
    borders.append(line)
    _insert_ppr(ppr, borders)


def _right_tab(paragraph_or_style: Paragraph | BaseStyle) -> None:
    paragraph_or_style.paragraph_format.tab_stops.add_tab_stop(TEXT_W, WD_TAB_ALIGNMENT.RIGHT)


def _para(doc: Document, style: str, *runs: str | tuple[str, dict[str, object]]) -> Paragraph:
    """A paragraph of runs; a run is its text, or (text, {"font": latin/east-asian name, "bold": …,
    "color": RGBColor, "size": pt}). A Jinja tag is never split between runs."""
    p = doc.add_paragraph(style=style)
    for item in runs:
        text, opts = (item, {}) if isinstance(item, str) else item
        run = p.add_run(text)
        if "font" in opts:
            _fonts(run._element.get_or_add_rPr(), str(opts["font"]), str(opts["font"]))
        if "bold" in opts:
            run.font.bold = bool(opts["bold"])
        if "color" in opts:
            run.font.color.rgb = opts["color"]  # type: ignore[assignment]
        if "size" in opts:
            run.font.size = Pt(float(opts["size"]))  # type: ignore[arg-type]
    return p


def _cell_text(table: Table, row: int, col: int, text: str, style: str) -> None:
    cell = table.cell(row, col)
    p = cell.paragraphs[0]
    p.style = style
    if text:
        p.add_run(text)


def _page_number(doc: Document) -> None:
    """公文 page numbers: "— 1 —" in 四号 宋体, centered in the footer (a PAGE field)."""
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("— ", None, " —"):
        run = p.add_run("1" if text is None else text)
        run.font.size = Pt(14)
        _fonts(run._element.get_or_add_rPr(), SONGTI)
        if text is None:  # the page number: the run inside <w:fldSimple w:instr=" PAGE ">
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), " PAGE ")
            run._element.addprevious(field)
            field.append(run._element)


# -- the template --------------------------------------------------------------------------------


def build() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.header_distance, section.footer_distance = Mm(15), Mm(25)

    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    normal_rpr = normal.element.get_or_add_rPr()
    _fonts(normal_rpr, FANGSONG)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal_rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)

    _style(doc, "简报版头", "JxOrgan", XIAOBIAOSONG, 30, bold=True, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER, before=0, after=12)
    _style(doc, "简报期号", "JxIssue", FANGSONG, 16, align=WD_ALIGN_PARAGRAPH.CENTER, after=6)
    issuer = _style(doc, "简报发文", "JxIssuer", FANGSONG, 16, after=24)
    _right_tab(issuer)
    _rule(issuer.element.get_or_add_pPr(), "bottom", "FF0000", 12, space=4)  # the red rule, 1.5pt
    _style(doc, "简报标题", "JxTitle", XIAOBIAOSONG, 22, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, line=36, after=18)
    _style(doc, "简报正文", "JxBody", FANGSONG, 16, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars=2, line=28)
    _style(doc, "简报小标题", "JxHeading", HEITI, 16, indent_chars=2, line=28, before=6)
    _style(doc, "简报表头", "JxTableHead", HEITI, 12, align=WD_ALIGN_PARAGRAPH.CENTER, line=18)
    _style(doc, "简报表格", "JxTable", FANGSONG, 12, line=18)
    _style(doc, "简报表格居中", "JxTableCenter", FANGSONG, 12, align=WD_ALIGN_PARAGRAPH.CENTER, line=18)
    cc = _style(doc, "简报抄送", "JxCc", FANGSONG, 14, line=24, before=36)
    _rule(cc.element.get_or_add_pPr(), "top", "000000", 6, space=4)  # a thin rule, 0.75pt
    printed = _style(doc, "简报印发", "JxPrinted", FANGSONG, 14, line=24)
    _right_tab(printed)
    _rule(printed.element.get_or_add_pPr(), "bottom", "000000", 6, space=4)
    _style(doc, "简报核验", "JxVerify", FANGSONG, 9, line=14, before=8)

    body = doc.paragraphs[0] if doc.paragraphs else None
    if body is not None:  # python-docx's default document starts empty; keep it that way
        body._element.getparent().remove(body._element)

    organ = _para(doc, "简报版头", ("{{ organ }}工作绩效管理简报", {"color": RED, "bold": True}))
    organ.paragraph_format.keep_with_next = True
    _para(doc, "简报期号", "第{{ issue_no }}期")
    _para(doc, "简报发文", "{{ issuer }}", "\t", "{{ issued_on }}")
    _para(doc, "简报标题", "{{ title }}")

    _para(doc, "简报正文", "{%p for p in paragraphs %}")
    _para(doc, "简报正文", "{{ p }}")
    _para(doc, "简报正文", "{%p endfor %}")

    _para(doc, "简报正文", "{%p if results %}")
    _para(doc, "简报小标题", "本期考核情况")
    _para(doc, "简报正文", "{{ results.intro }}")
    _para(doc, "简报正文", "{%p if results.rows %}")
    _results_table(doc)
    _para(doc, "简报正文", "{%p endif %}")
    _para(doc, "简报正文", "{%p endif %}")

    _para(doc, "简报抄送", "抄送：", "{{ cc }}")
    _para(doc, "简报印发", "印发：", "{{ printed_by }}", "\t", "{{ printed_on }}", "印发")
    _para(doc, "简报核验", "本期发布时事件日志位置 ", "{{ position }}", "，摘要（SHA-256）", ("{{ digest }}", {"font": MONO}), "。")
    _para(doc, "简报核验", "核验方法：在系统服务器上运行 ", ("jixiao verify --expect {{ expect }}", {"font": MONO}),
          "，显示“校验通过”即表明本期发布时的事件日志此后未被改动。")  # fmt: skip

    _page_number(doc)

    props = doc.core_properties
    props.title, props.subject, props.author, props.last_modified_by = "工作绩效管理简报", "绩效台账简报模板", "绩效台账", "绩效台账"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    return doc


WIDTHS = (Mm(12), Mm(34), Mm(28), Mm(18), Mm(64))  # 序号, 单位/姓名, 类别/单位, 得分, 扣分情况: 156mm


def _results_table(doc: Document) -> None:
    table = doc.add_table(rows=4, cols=5)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(w.twips for w in WIDTHS)))
    for width, grid_col in zip(WIDTHS, table._tbl.tblGrid.findall(qn("w:gridCol"))):
        grid_col.set(qn("w:w"), str(width.twips))
    for row in table.rows:
        for width, cell in zip(WIDTHS, row.cells):
            cell.width = width
    header = ("序号", "{{ results.subject }}", "{{ results.group }}", "得分", "扣分情况")
    for col, text in enumerate(header):
        _cell_text(table, 0, col, text, "简报表头")
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on each page
    tr_pr.append(repeat)
    _cell_text(table, 1, 0, "{%tr for r in results.rows %}", "简报表格")
    data = ("{{ r.no }}", "{{ r.name }}", "{{ r.group }}", "{{ r.score }}", "{{ r.detail }}")
    styles = ("简报表格居中", "简报表格居中", "简报表格居中", "简报表格居中", "简报表格")
    for col, (text, style) in enumerate(zip(data, styles)):
        _cell_text(table, 2, col, text, style)
    _cell_text(table, 3, 0, "{%tr endfor %}", "简报表格")


def _stable_zip(content: bytes) -> bytes:
    """The same bytes on every run: fixed timestamps and order in the zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main() -> None:
    buffer = io.BytesIO()
    build().save(buffer)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(_stable_zip(buffer.getvalue()))
    print(f"wrote {OUT.relative_to(OUT.parents[3])}")


if __name__ == "__main__":
    main()
