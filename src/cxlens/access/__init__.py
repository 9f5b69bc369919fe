"""access/ — who may do what: API keys for programs (and, with the dashboard, users).

Keys are shown once when created and stored only as a SHA-256 hash: they are 256-bit random
secrets, so a slow password hash would add latency to every API call without adding safety.
"""

from .apikeys import SCOPES, ApiKey, create_api_key, list_api_keys, revoke_api_key, verify_api_key

__all__ = ["SCOPES", "ApiKey", "create_api_key", "list_api_keys", "revoke_api_key", "verify_api_key"]
