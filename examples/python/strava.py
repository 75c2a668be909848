"""A confidential client (Strava): its secret is asked once, without echo, and kept in the keyring with the sign-in;
later tokens are refreshed with it and nothing is asked again. Usage: python strava.py CLIENT_ID
(STRAVA_AUTH_URL and STRAVA_TOKEN_URL point the preset elsewhere, e.g. at a test fixture.)"""
import os
import sys

import wasmlogin

elsewhere = {"auth_url": os.environ.get("STRAVA_AUTH_URL"), "token_url": os.environ.get("STRAVA_TOKEN_URL")}
wasmlogin.login(provider="strava", client_id=sys.argv[1], profile="strava", prompt_client_secret=True, **elsewhere)
print("expires at", wasmlogin.token("strava", force_refresh=True).expires_at)  # refreshed with the kept secret
