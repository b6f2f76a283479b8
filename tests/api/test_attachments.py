"""Attachments (附件): the file behind a deduction's basis, uploaded, named by the command, and read
back by exactly those who may read the entry (R-Q-1); sealed, audited, size-limited."""

from __future__ import annotations

import hashlib

from tests.api.conftest import Api
from tests.conftest import tamper

PDF = b"%PDF-1.4\n% a scanned feedback form\n" + bytes(range(256)) * 40


def upload(api: Api, role: str | None, content: bytes = PDF, name: str = "效能监察反馈单JC-7.pdf") -> object:
    headers = api.headers(role)
    return api.client.post("/attachments", files={"file": (name, content, "application/pdf")}, headers=headers)


def test_a_deductions_attachment_is_read_by_whoever_may_read_the_entry__R_Q_1(api: Api) -> None:
    r = upload(api, "supervision")
    assert r.status_code == 201, r.text
    stored = r.json()
    assert stored["sha256"] == hashlib.sha256(PDF).hexdigest() and stored["ref"] == f"{stored['sha256']}:效能监察反馈单JC-7.pdf"
    api.ok("supervision", "/deductions", {"person": "P02", "points": "1", "basis": "脱岗", "occurred_on": "2026-01-20", "form_no": "JC-7", "attachments": [stored["ref"]]})
    assert api.read("staff", "/ledgers/P02", year=2026)["entries"][0]["attachments"] == [stored["ref"]]
    for role in ("staff", "unit_head", "office"):  # P02 themselves, the head of B01, the office
        got = api.client.get(f"/attachments/{stored['sha256']}", headers=api.headers(role))
        assert got.status_code == 200 and got.content == PDF, (role, got.status_code)
        assert "attachment; filename*=UTF-8''" in got.headers["content-disposition"]
    for role in ("head_b02", "security_auditor", "system_admin"):  # another unit's head; the 三员 see no business files
        api.problem(api.client.get(f"/attachments/{stored['sha256']}", headers=api.headers(role)), 403, "FORBIDDEN")
    assert api.client.get(f"/attachments/{stored['sha256']}").status_code == 401
    reads = api.read("security_auditor", "/audit", action="read:/attachments", limit=10)
    assert {r["user_id"] for r in reads} >= {"u-staff-p02", "u-office"}


def test_a_file_nothing_rests_on_is_read_only_by_the_roles_that_read_everything(api: Api) -> None:
    sha = upload(api, "unit_head").json()["sha256"]
    api.problem(api.client.get(f"/attachments/{sha}", headers=api.headers("unit_head")), 403, "FORBIDDEN")
    assert api.client.get(f"/attachments/{sha}", headers=api.headers("office")).status_code == 200
    api.problem(api.client.get(f"/attachments/{'0' * 64}", headers=api.headers("office")), 404, "ATTACHMENT_NOT_FOUND")
    api.problem(api.client.get("/attachments/not-a-hash", headers=api.headers("unit_head")), 404, "ATTACHMENT_NOT_FOUND")


def test_uploads_are_audited_sized_and_refused_to_the_three_officers_and_strangers(api: Api) -> None:
    upload(api, "staff")
    assert [r["action"] for r in api.read("security_auditor", "/audit", action="upload:", limit=5)] == ["upload:Attachment"]
    api.problem(upload(api, "security_auditor"), 403, "FORBIDDEN")
    api.problem(upload(api, "system_admin"), 403, "FORBIDDEN")
    assert upload(api, None).status_code == 401
    api.problem(upload(api, "staff", content=b""), 422, "INVALID_INPUT")
    limit = api.service.settings.attachment_max_bytes
    api.problem(upload(api, "staff", content=b"x" * (limit + 1)), 422, "INVALID_INPUT")


def test_a_file_replaced_in_the_database_is_not_served_and_fails_verify(api: Api) -> None:
    sha = upload(api, "unit_head").json()["sha256"]
    with tamper(api.service) as db:
        assert db.execute("UPDATE attachments SET content = ? WHERE sha256 = ?", (b"forged", sha)).rowcount == 1
    api.problem(api.client.get(f"/attachments/{sha}", headers=api.headers("office")), 404, "ATTACHMENT_NOT_FOUND")
    assert [p.kind for p in api.service.verify().problems] == ["attachment_modified"]
