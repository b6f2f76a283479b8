"""Attachments (附件): upload the file behind a deduction's basis or a claim's evidence, and read it.

`POST /attachments` (multipart, one `file`) keeps the file and answers its reference
`<sha256>:<name>`, which the command then names (`attachments` of POST /deductions, an evidence
`ref` of POST /bonus-claims). `GET /attachments/{sha256}` answers the file to whoever may read
the entry or claim resting on it (api/policy.py `Attachment`); every upload and read is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, File, Path, Request, UploadFile
from fastapi.responses import Response
from urllib.parse import quote
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.routing import routes
from api.auth import client_of
from api.deps import ServiceDep
from api.policy import BUREAU, Attachment, reads
from api.schemas import NOT_FOUND
from api.service import LedgerService
from ledger.adapters.attachments import Stored, fetch, store
from ledger.domain.actors import Actor
from ledger.domain.errors import InvalidInput

router = routes(["attachments 附件"])
Sha = Annotated[str, Path(min_length=1, max_length=64, description="the file's SHA-256 (hex), from its reference")]


class StoredAttachment(BaseModel):
    ref: str
    sha256: str
    name: str
    size: int


@router.post("/attachments", summary="上传附件（扣分依据、证明材料）", status_code=201, response_model=StoredAttachment)
async def upload(request: Request, file: Annotated[UploadFile, File(description="the file")], actor: Annotated[Actor, Depends(reads(BUREAU))], service: ServiceDep) -> dict[str, Any]:
    limit = service.settings.attachment_max_bytes
    content = await file.read(limit + 1)
    if len(content) > limit:
        raise InvalidInput(f"a file is at most {limit} bytes", f"附件不能超过 {limit // 1_048_576} MB", field="file")
    stored = await run_in_threadpool(_keep, service, content, file.filename, file.content_type, actor, client_of(request))
    return {"ref": stored.ref, "sha256": stored.sha256, "name": stored.name, "size": stored.size}


def _keep(service: LedgerService, content: bytes, name: str | None, content_type: str | None, actor: Actor, client: str | None) -> Stored:
    """Store the file and audit the upload, off the event loop: both wait for the store's write
    lock (several server processes write in turn)."""
    with service.ledger.writing():
        stored = store(service.engine, service.key, content, name, content_type, actor.user_id, service.clock.now_iso())
    service.ledger.audit_action(actor, client, "upload:Attachment", stored.ref[:200])
    return stored


@router.get("/attachments/{sha256}", summary="下载附件", response_class=Response, responses={200: {"content": {"application/octet-stream": {}}}, **NOT_FOUND},
            dependencies=[Depends(reads(Attachment("sha256")))])  # fmt: skip
def download(sha256: Sha, service: ServiceDep) -> Response:
    row = fetch(service.engine, service.key, sha256)
    disposition = f"attachment; filename*=UTF-8''{quote(row['name'])}"
    return Response(row["content"], media_type=row["content_type"], headers={"Content-Disposition": disposition})
