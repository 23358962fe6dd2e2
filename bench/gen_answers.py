#!/usr/bin/env python3
"""N survey answers as CSV for `pacte survey import` (deterministic): 12 months, 6 sites,
4 channels, 8 categories, NPS-like scores, a French comment on about 60 % of them."""
import csv, random, sys, datetime
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rng = random.Random(2026)
good = ["Accueil très aimable, merci.", "Réponse rapide et claire.", "Conseiller compétent, problème résolu.", "Très bon suivi de mon dossier."]
bad = ["Attente beaucoup trop longue au guichet.", "Impossible de joindre quelqu'un au téléphone.", "Personne ne m'a rappelé malgré mes relances.", "Facturation incompréhensible, frais trop chers.", "Conseiller peu aimable."]
mixed = ["Correct dans l'ensemble.", "Bon accueil mais attente un peu longue.", "RAS."]
end = datetime.datetime(2026, 11, 20)
w = csv.writer(sys.stdout)
w.writerow(["external_id", "answered_at", "score", "comment", "site", "channel", "category"])
for i in range(n):
    at = end - datetime.timedelta(seconds=rng.randrange(365 * 86400))
    score = min(10, max(0, int(rng.gauss(7.2, 2.4))))
    r = rng.random()
    comment = "" if r < 0.4 else (rng.choice(good) if score >= 9 else rng.choice(bad) if score <= 6 else rng.choice(mixed))
    w.writerow([f"b{i}", at.strftime("%Y-%m-%d %H:%M"), score, comment, f"s{rng.randrange(1, 7)}",
                rng.choice(["email", "phone", "chat", "counter"]), f"cat{rng.randrange(1, 9)}"])
