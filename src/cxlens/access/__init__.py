"""access/ — who may do what: API keys for programs, users and sessions for the dashboard.

API keys are shown once when created and stored only as a SHA-256 hash: they are 256-bit
random secrets, so a slow password hash would add latency to every API call without adding
safety. Users' passwords are the opposite case (chosen by people, guessable), hence argon2.
"""

from .apikeys import SCOPES, ApiKey, create_api_key, list_api_keys, revoke_api_key, verify_api_key
from .sessions import (
    LoginNote,
    NewSession,
    Session,
    check_login_allowed,
    create_session,
    csrf_matches,
    end_session,
    record_login_attempt,
    resolve_session,
    unlock_login,
)
from .users import (
    ROLES,
    User,
    authenticate,
    create_user,
    end_sessions_of,
    get_user,
    last_seen,
    list_users,
    set_disabled,
    set_password,
    set_role,
)

__all__ = [
    "ROLES",
    "SCOPES",
    "ApiKey",
    "LoginNote",
    "NewSession",
    "Session",
    "User",
    "authenticate",
    "check_login_allowed",
    "create_api_key",
    "create_session",
    "create_user",
    "csrf_matches",
    "end_session",
    "end_sessions_of",
    "get_user",
    "last_seen",
    "list_api_keys",
    "list_users",
    "record_login_attempt",
    "resolve_session",
    "revoke_api_key",
    "set_disabled",
    "set_password",
    "set_role",
    "unlock_login",
    "verify_api_key",
]
