"""A cron job signs in as itself (client credentials, RFC 6749 4.4): the secret comes from the environment, never the
command line; each run gets a valid token, renewed when due. Usage: CLIENT_SECRET=... python cron_job.py ISSUER CLIENT_ID"""
import os
import sys

import wasmlogin

issuer, client_id = sys.argv[1:3]
try:
    tok = wasmlogin.token("cron")
except wasmlogin.LoginRequired:  # the first run
    tok = wasmlogin.client_credentials(issuer, client_id, os.environ["CLIENT_SECRET"], profile="cron")
print(f"token for {tok.profile}, expires at {tok.expires_at}")
