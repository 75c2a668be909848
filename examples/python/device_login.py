"""Sign in on a machine without a browser (over SSH, a container): the device flow (RFC 8628) shows a code to enter
on any device that has one. Usage: python device_login.py ISSUER CLIENT_ID"""
import sys

import wasmlogin

issuer, client_id = sys.argv[1:3]
session = wasmlogin.login(issuer, client_id, profile="device", flow="device", scopes="openid offline_access")
print(f"signed in as {session.subject}")
