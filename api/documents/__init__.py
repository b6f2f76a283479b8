"""Official documents (公文与报表): what the bureau prints and files, made from the projections.

    model      a document as data: title, lines, tables, signature line (`Document`)
    forms      the office's forms built from a `View` (as of a moment or live): 评分登记表,
               月绩效考核备案表, 通报, 年度考核结果汇总表, 目标考评奖发放表, 审计日志
    xlsx       a `Document` as an Excel workbook (openpyxl)
    pdf        a `Document`, a 效能监察反馈单 or a 公示 page as a printable PDF (WeasyPrint)
    bulletin   the 工作绩效管理简报 as a Word document (docxtpl)
    download   the HTTP answer: content type and the Chinese file name (RFC 6266)
"""
