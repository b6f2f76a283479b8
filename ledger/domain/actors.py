"""Actors (操作人) and their roles, R-ORG-4."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(str, Enum):
    """The roles of R-ORG-4. One user holds one role."""

    LEADING_GROUP = "leading_group"  # 绩效管理领导小组
    OFFICE = "office"  # 考核办公室（人教科）
    SUPERVISION = "supervision"  # 监察室
    ASSESSOR = "assessor"  # 考核部门考核人员
    UNIT_HEAD = "unit_head"  # 单位主要负责人
    STAFF = "staff"  # 工作人员
    PARTY_GROUP = "party_group"  # 局党组
    VIEWER = "viewer"  # 审计/查看
    SECURITY_AUDITOR = "security_auditor"  # 安全审计员: reads the audit log and nothing else (三员分立)
    SYSTEM_ADMIN = "system_admin"  # 系统管理员: manages users and API tokens; no business role, no audit log (三员分立)


ROLE_ZH = {
    Role.LEADING_GROUP: "绩效管理领导小组",
    Role.OFFICE: "考核办公室",
    Role.SUPERVISION: "监察室",
    Role.ASSESSOR: "考核人员",
    Role.UNIT_HEAD: "单位主要负责人",
    Role.STAFF: "工作人员",
    Role.PARTY_GROUP: "局党组",
    Role.VIEWER: "查看人员",
    Role.SECURITY_AUDITOR: "安全审计员",
    Role.SYSTEM_ADMIN: "系统管理员",
}


@dataclass(frozen=True)
class Actor:
    """Who issues a command. `person` links the user to a person on the roster
    (an assessor, a unit head or a member of staff acts as that person)."""

    user_id: str
    role: Role
    person: str | None = None

    def stamp(self) -> dict[str, str | None]:
        """The actor as recorded on every event."""
        return {"user": self.user_id, "role": self.role.value, "person": self.person}


SYSTEM = Actor(user_id="system", role=Role.OFFICE)
