"""Sign in to any OpenID Connect issuer with the browser (authorization code, PKCE, a loopback redirect), then use
the token. Usage: python pkce_login.py ISSUER CLIENT_ID"""
import sys

import wasmlogin

issuer, client_id = sys.argv[1:3]
session = wasmlogin.login(issuer, client_id, profile="pkce")
print(f"signed in as {session.subject}; token ends in ...{wasmlogin.token('pkce').access_token[-6:]}")
