"""printing 打印（PDF）: printable documents drawn by WeasyPrint (api/documents/pdf.py).

GET /documents/feedback/{entry_id}: the 效能监察反馈单 of a supervision deduction (R-SUP-1: "delivered
to the target and to 人教科 as a numbered feedback form"). It is read by whoever may read the entry
(the same rule as GET /entries/{entry_id}). An entry that is not a supervision deduction has no
form: 404 FEEDBACK_FORM_NOT_FOUND (a read answers no 409). A server without pango or a Chinese
font answers 503 PDF_UNAVAILABLE, never a 500.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Response

from api.routing import routes
from api.deps import ServiceDep, ViewDep
from api.documents import download as dl
from api.documents.pdf import feedback_form, render_feedback
from api.policy import Entry, reads
from api.schemas.openapi import problem_response

router = routes(["printing 打印（PDF）"])


PDF_ERRORS: dict[int | str, dict[str, Any]] = {
    503: problem_response("The server cannot typeset a PDF: WeasyPrint, pango or a Chinese font is missing (PDF_UNAVAILABLE)"),
}
FEEDBACK_RESPONSES: dict[int | str, dict[str, Any]] = {
    **dl.responses("pdf"),
    404: {"description": "No such entry (ENTRY_NOT_FOUND), or the entry is not an efficiency-supervision deduction and has no feedback form (FEEDBACK_FORM_NOT_FOUND)"},
    **PDF_ERRORS,
}


@router.get(
    "/documents/feedback/{entry_id}",
    summary="效能监察反馈单（PDF）",
    response_class=Response,
    responses=FEEDBACK_RESPONSES,
    dependencies=[Depends(reads(Entry("entry_id")))],
)
def feedback(entry_id: str, view: ViewDep, service: ServiceDep) -> Response:
    form = feedback_form(view, entry_id, service.settings.bureau_name, service.clock.today())
    return dl.download(render_feedback(form), form.filename, "pdf", as_of=view.as_of)
