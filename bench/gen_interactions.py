#!/usr/bin/env python3
"""Writes N interactions as JSONL (the import format), deterministically: N/10 customers recognised by
customer number plus their email or phone, conversations of 1-3 messages on the same subject; calls
and counter visits carry their wait (queued_at → answered_at). Over the year from T0 (epoch
seconds, environment; 2025-01-01 by default)."""
import datetime, json, os, random, sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = random.Random(7)
channels = ["email", "phone", "chat", "web_form", "counter", "social", "letter"]
subjects = ["Colis non reçu", "Erreur sur ma facture", "Changement d'adresse", "Carte bloquée",
            "Résiliation de contrat", "Rendez-vous en agence", "Question sur mon relevé"]
customers = max(1, n // 10)
t0 = int(os.environ.get("T0", 1_735_689_600))  # 2025-01-01
iso = lambda ts: datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
out, i = sys.stdout, 0
while i < n:
    c = rng.randrange(customers)
    ch = rng.choice(channels)
    subj = rng.choice(subjects)
    t = t0 + rng.randrange(365 * 86400)
    ident = {"customer_number": f"B{c:07d}", "name": f"Client {c}"}
    if ch in ("email", "web_form", "chat"):
        ident["email"] = f"client{c}@exemple.fr"
    elif ch in ("phone", "counter"):
        ident["phone"] = f"+336{c % 100_000_000:08d}"
    for k in range(min(rng.choice([1, 2, 2, 3]), n - i)):
        inbound = k % 2 == 0
        line = {"channel": ch, "direction": "inbound" if inbound else "outbound",
                "occurred_at": iso(t + k * 3600),
                "customer": ident, "subject": subj if k == 0 else f"RE: {subj}",
                "body": f"Message {i} au sujet de « {subj} » : merci de traiter ma demande rapidement.",
                "external_id": f"gen-{i}"}
        if not inbound and k == 1:
            line["status"] = "solved"
        if inbound and k == 0 and ch in ("phone", "counter"):
            line["queued_at"] = iso(t - rng.randrange(15, 1200))
            line["answered_at"] = iso(t)
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
        i += 1
