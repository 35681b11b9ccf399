"""Mints a Chatter access token on an app's backend with PyJWT (https://pyjwt.readthedocs.io).

    pip install PyJWT          # or Debian/Ubuntu: apt-get install python3-jwt
    CHATTER_JWT_SECRET=... python3 mint_token.py <user id> "<display name>"

The server accepts HS256 tokens signed with its CHATTER_JWT_SECRET that carry `sub` (the user
id, 1-128 characters), `name` (1-40 characters) and `exp`, living at most CHATTER_MAX_TOKEN_TTL
(30 days by default).
"""

import os
import sys
import time

import jwt


def mint_token(secret: str, user_id: str, name: str, ttl_seconds: int = 3600) -> str:
    """A token for one user of your app, valid for ttl_seconds."""
    now = int(time.time())
    claims = {"sub": user_id, "name": name, "iat": now, "exp": now + ttl_seconds}
    return jwt.encode(claims, secret, algorithm="HS256")


if __name__ == "__main__":
    secret = os.environ.get("CHATTER_JWT_SECRET")
    if not secret or len(sys.argv) != 3:
        sys.exit('usage: CHATTER_JWT_SECRET=... python3 mint_token.py <user id> "<display name>"')
    print(mint_token(secret, sys.argv[1], sys.argv[2]))
