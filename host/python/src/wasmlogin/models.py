"""What the public functions return: wit/flow.wit's records, as typed Python values."""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Optional


@dataclasses.dataclass(frozen=True)
class Token:
    """A valid access token (wit record token-result). `expires_at` is in Unix seconds, None when the server did
    not say; `refreshed` says the plugin refreshed it during this call."""
    profile: str
    access_token: str
    token_type: str
    expires_at: Optional[int] = None
    refreshed: bool = False

    @property
    def authorization(self) -> str:
        """The value of an Authorization header (RFC 6750 2.1): "Bearer <token>"."""
        kind = self.token_type if self.token_type and self.token_type.lower() != "bearer" else "Bearer"
        return f"{kind} {self.access_token}"

    def __repr__(self) -> str:  # never the token itself in logs or tracebacks
        return f"Token(profile={self.profile!r}, token_type={self.token_type!r}, expires_at={self.expires_at!r})"

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> "Token":
        return cls(profile=d["profile"], access_token=d["access_token"], token_type=d.get("token_type") or "Bearer",
                   expires_at=d.get("expires_at") or None, refreshed=bool(d.get("refreshed")))


@dataclasses.dataclass(frozen=True)
class Session:
    """Who is signed in (wit record session); no secrets. `claims` are the validated ID token's."""
    profile: str
    client_id: str
    issuer: Optional[str] = None
    subject: Optional[str] = None
    scopes: tuple[str, ...] = ()
    expires_at: Optional[int] = None
    has_refresh_token: bool = False
    claims: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> "Session":
        return cls(profile=d["profile"], client_id=d.get("client_id", ""), issuer=d.get("issuer") or None,
                   subject=d.get("subject") or None, scopes=tuple(d.get("scopes") or ()),
                   expires_at=d.get("expires_at") or None, has_refresh_token=bool(d.get("has_refresh_token")),
                   claims=dict(d.get("claims") or {}))


@dataclasses.dataclass(frozen=True)
class LogoutResult:
    """What logout did (wit record logout-result): `revoked` lists the token kinds the server revoked (RFC 7009)."""
    profile: str
    removed: bool
    revoked: tuple[str, ...] = ()
    revocation_note: Optional[str] = None

    @classmethod
    def from_wire(cls, d: Mapping[str, Any]) -> "LogoutResult":
        return cls(profile=d["profile"], removed=bool(d.get("removed")), revoked=tuple(d.get("revoked") or ()),
                   revocation_note=d.get("revocation_note") or None)


@dataclasses.dataclass(frozen=True)
class DeviceCode:
    """A device sign-in under way (RFC 8628 3.2): enter `user_code` at `verification_uri` on any device."""
    user_code: str
    verification_uri: str
    verification_uri_complete: Optional[str]
    expires_in: int


@dataclasses.dataclass(frozen=True)
class ProfileInfo:
    """One sign-in this machine keeps, from the profile index (no secrets)."""
    name: str
    client_id: str
    issuer: Optional[str]
    token_endpoint: Optional[str]
    store: str
    default: bool
