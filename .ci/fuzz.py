#!/usr/bin/env python3
"""Fuzz the running service against api-spec/openapi.yaml with Schemathesis, as each role.

    python3 .ci/fuzz.py <schemathesis binary> <base url of a `planloket demo` service>

Signs in with the demo accounts, files and submits a plan so `{id}` parameters point at real
resources, then runs every Schemathesis check once per role (.ci/schemathesis.toml). Fails
when any run reports a failure: a 5xx, a response that contradicts the spec, an ignored or
broken authorization. Only loopback addresses are used.
"""
import json
import os
import subprocess
import sys
import urllib.request

st, base = sys.argv[1], sys.argv[2].rstrip("/")
assert base.startswith("http://127.0.0.1") or base.startswith("http://localhost"), "loopback only"
here = os.path.dirname(os.path.abspath(__file__))
spec = os.path.join(here, "..", "api-spec", "openapi.yaml")


def call(method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def login(email):
    return call("POST", "/auth/login", body={"email": email, "password": "demo-wachtwoord"})["access_token"]


roles = {
    "applicant": "bewoner@demo.planloket.nl",
    "programme_team": "team@demo.planloket.nl",
    "board_member": "bestuur@demo.planloket.nl",
    "board_chair": "voorzitter@demo.planloket.nl",
    "admin": "admin@demo.planloket.nl",
    "finance": "financien@demo.planloket.nl",
}
tokens = {role: login(email) for role, email in roles.items()}
# The open round comes first (the demo's adopted 2025-2026 round follows it).
open_round = call("GET", "/rounds")["items"][0]
round_id = open_round["id"]
payee = call("GET", "/organisations")["items"][0]["id"]
plan = call("POST", f"/rounds/{round_id}/plans", tokens["applicant"], {
    "title": "Huiswerkklas", "description": "Begeleiding na schooltijd", "goals": ["B", "J"],
    # B and J are goals of two themes: the plan names the one that pays.
    "budget_line": "JJO",
    "requested_eur": 5000, "start_year": open_round["start_year"], "end_year": open_round["end_year"],
    "payee_id": payee,
})["id"]
call("POST", f"/plans/{plan}/submit", tokens["applicant"])
user_id = call("GET", "/me", tokens["applicant"])["id"]
# After adoption: a grant of the adopted round, its advance released into a batch (its payee
# given a bank account first, confirmed by finance, its payment conditions met), so the
# grant, payment and batch paths point at real ones.
team, finance = tokens["programme_team"], tokens["finance"]
grant = call("GET", "/grants", team)["items"][0]
payment = grant["payments"][0]["id"]
call("PUT", f"/organisations/{grant['payee_id']}/bank-account", team,
     {"iban": "NL91ABNA0417164300", "holder": "Fuzz"})
call("POST", f"/organisations/{grant['payee_id']}/bank-account/confirm", finance)
for condition in grant["conditions"]:
    call("POST", f"/grants/{grant['id']}/conditions/{condition['id']}/met", team, {"note": "fuzz"})
call("POST", f"/payments/{payment}/release", team)
batch = call("POST", "/payment-batches", finance)["id"]

failed = []
for role, token in tokens.items():
    env = dict(os.environ, PLANLOKET_FUZZ_TOKEN=token, PLANLOKET_FUZZ_PLAN=plan,
               PLANLOKET_FUZZ_ROUND=round_id, PLANLOKET_FUZZ_USER=user_id,
               PLANLOKET_FUZZ_GRANT=grant["id"], PLANLOKET_FUZZ_PAYMENT=payment,
               PLANLOKET_FUZZ_BATCH=batch)
    print(f"\n--- Schemathesis as {role} ---", flush=True)
    code = subprocess.call([st, "--config-file", os.path.join(here, "schemathesis.toml"), "--no-color", "run", spec,
                            "--url", base, "--checks", "all", "--seed", "42", "--generation-deterministic"], env=env)
    if code != 0:
        failed.append(role)
if failed:
    print(f"\nSchemathesis found failures as: {', '.join(failed)}")
    sys.exit(1)
print("\nSchemathesis: no failures for any role")
