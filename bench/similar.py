#!/usr/bin/env python3
"""Times GET /plans/{id}/similar on a round of N plans (default 2,000).

Run against a service started with `planloket demo` on an empty data dir, built in release:

    PLANLOKET_DATA_DIR=$(mktemp -d) cargo run --release -- demo &
    python3 bench/similar.py --plans 2000 --requests 200

It files and submits N plans through the API (as the demo resident, with generated Dutch
text, goals and partners), then asks for similar plans of random plans, one request at a
time, and prints the latency percentiles. Only loopback addresses are used. Standard library only.
"""
import argparse
import json
import random
import statistics
import time
import urllib.request

WORDS = (
    "huiswerk begeleiding kinderen ouders taal buurt moestuin afval sport speeltuin jongeren "
    "school bibliotheek ontmoeting koken ouderen eenzaamheid schulden geld werk stage cursus "
    "vrijwilligers wijkcentrum muziek dans theater veiligheid straat groen fiets zwemmen "
    "voorlezen rekenen digitaal computer spreekuur budget armoede gezondheid bewegen natuur"
).split()
GOALS = list("ABCDEFGHIJKLMNOPQRST")


def call(base, method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def login(base, email):
    return call(base, "POST", "/auth/login", body={"email": email, "password": "demo-wachtwoord"})["access_token"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="http://127.0.0.1:8080/api/v1")
    ap.add_argument("--plans", type=int, default=2000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    assert "127.0.0.1" in a.base or "localhost" in a.base, "loopback only"
    rnd = random.Random(a.seed)
    resident = login(a.base, "bewoner@demo.planloket.nl")
    team = login(a.base, "team@demo.planloket.nl")
    round_id = call(a.base, "GET", "/rounds")["items"][0]["id"]
    orgs = [o["id"] for o in call(a.base, "GET", "/organisations")["items"]]
    ids = []
    started = time.time()
    for i in range(a.plans):
        body = {
            "title": " ".join(rnd.choices(WORDS, k=4)).capitalize(),
            "description": " ".join(rnd.choices(WORDS, k=60)),
            "goals": rnd.sample(GOALS, k=rnd.randint(1, 3)),
            "partners": [{"organisation_id": o} for o in rnd.sample(orgs, k=rnd.randint(0, 2))],
            "payee_id": rnd.choice(orgs),
            "requested_eur": rnd.randint(1000, 20000),
            "start_year": 2025,
            "end_year": 2026,
        }
        pid = call(a.base, "POST", f"/rounds/{round_id}/plans", resident, body)["id"]
        call(a.base, "POST", f"/plans/{pid}/submit", resident, {})
        ids.append(pid)
    print(f"filed and submitted {a.plans} plans in {time.time() - started:.1f} s")
    lat = []
    for _ in range(a.requests):
        pid = rnd.choice(ids)
        t = time.perf_counter()
        call(a.base, "GET", f"/plans/{pid}/similar", team)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
    print(f"GET /plans/{{id}}/similar over {a.plans} plans, {a.requests} requests: "
          f"mean {statistics.mean(lat):.1f} ms, p50 {q(0.5):.1f} ms, p99 {q(0.99):.1f} ms, max {lat[-1]:.1f} ms")


if __name__ == "__main__":
    main()
