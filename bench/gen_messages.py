#!/usr/bin/env python3
"""Writes N inbound/outbound messages as JSONL (the import format) with real French text: sentences
of the Service-Public.fr questions and answers (../shared/data, Licence Ouverte 2.0) when present, else
a built-in vocabulary. N/4 customers with French names, conversations of 1-4 messages. Also writes
the queries of the search bench to QUERIES (environment): words rare and common, two words, names,
a typo. Deterministic (seed 11)."""
import json, os, random, re, sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
rng = random.Random(11)
here = os.path.dirname(os.path.abspath(__file__))
corpus = os.path.join(here, "..", "..", "shared", "data", "service-public-faq-fr",
                      "service_public_questions_reponses.jsonl")
sentences = []
if os.path.exists(corpus):
    for line in open(corpus, encoding="utf-8"):
        row = json.loads(line)
        text = " ".join([row.get("question") or "", row.get("short_answer") or "", row.get("answer") or ""])
        sentences += [s.strip() for s in re.split(r"(?<=[.?!])\s+", text) if 20 < len(s.strip()) < 400]
if not sentences:
    words = ("colis facture adresse carte contrat rendez-vous agence relevé remboursement retard livraison "
             "abonnement résiliation prélèvement compte courrier réclamation dossier conseiller délai "
             "paiement échéance virement chèque compteur logement loyer charges travaux").split()
    sentences = [" ".join(rng.choice(words) for _ in range(rng.randint(6, 20))) + "." for _ in range(5000)]
first = ["Camille", "Léa", "Manon", "Chloé", "Inès", "Zoé", "Élodie", "Hugo", "Lucas", "Louis", "Gabriel",
         "Jules", "Arthur", "Raphaël", "Noé", "Anaïs", "Océane", "Théo", "Maël", "Sacha"]
last = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
        "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez"]
customers = max(1, n // 4)
names = [f"{rng.choice(first)} {rng.choice(last)}" for _ in range(customers)]
channels = ["email", "chat", "web_form", "phone", "social"]
i = 0
out = sys.stdout
while i < n:
    c = rng.randrange(customers)
    ch = rng.choice(channels)
    subject = rng.choice(sentences)[:80]
    t = 1_735_689_600 + rng.randrange(365 * 86400)
    ident = {"email": f"c{c}@exemple.fr", "name": names[c]}
    for k in range(min(rng.choice([1, 2, 3, 4]), n - i)):
        body = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4)))
        out.write(json.dumps({"channel": ch, "direction": "inbound" if k % 2 == 0 else "outbound",
                              "occurred_at": f"2025-{(t // 2_629_800) % 12 + 1:02d}-{(t // 86400) % 28 + 1:02d}T{(t // 3600) % 24:02d}:00:00Z",
                              "customer": ident, "subject": subject if k == 0 else f"RE: {subject}",
                              "body": body, "external_id": f"m-{i}"}, ensure_ascii=False) + "\n")
        i += 1

# Queries: words seen in the text (rare to common), pairs, surnames, one typo, an email.
vocab = {}
for s in sentences[:20000]:
    for w in re.findall(r"[a-zàâçéèêëîïôûùüÿœ]{5,}", s.lower()):
        vocab[w] = vocab.get(w, 0) + 1
ranked = sorted(vocab, key=vocab.get, reverse=True)
picks = ranked[:40] + ranked[200:240] + ranked[2000:2040]
queries = picks + [f"{rng.choice(picks)} {rng.choice(picks)}" for _ in range(40)] + last
queries += [w[:2] + w[3:] for w in ranked[100:120]]  # one letter dropped
queries += [f"c{rng.randrange(customers)}@exemple.fr" for _ in range(10)]
with open(os.environ.get("QUERIES", "/dev/null"), "w", encoding="utf-8") as f:
    for q in queries:
        f.write(q + "\n")
