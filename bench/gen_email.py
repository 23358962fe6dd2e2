#!/usr/bin/env python3
"""A typical customer email of about 20 KB: French text in quoted-printable, an HTML version,
quoted history, a small PDF attachment. Usage: gen_email.py TO [N DIR]
Without N, prints one message with the placeholders @ID@ and @FROM@ (for wrk); with N, writes N
distinct messages to DIR."""
import base64, os, random, sys

def message(to, msg_id, sender, i):
    random.seed(i)
    words = ("colis facture remboursement abonnement rendez-vous agence conseiller délai "
             "réclamation livraison adresse contrat échéance prélèvement carte courrier").split()
    para = lambda n: " ".join(random.choice(words) for _ in range(n)).capitalize() + "."
    text = "Bonjour,\n\n" + "\n\n".join(para(60) for _ in range(8)) + "\n\nCordialement,\nClient " + str(i)
    quoted = "\n".join("> " + para(12) for _ in range(20))
    text += "\n\nLe 3 nov. 2026 à 10:00, Service client <" + to + "> a écrit :\n" + quoted
    qp = text.encode("utf-8").decode("latin-1")  # keep bytes; send as 8bit utf-8
    html = "<html><body>" + "".join("<p>" + para(60) + "</p>" for _ in range(8)) + "</body></html>"
    pdf = base64.encodebytes(os.urandom(4500)).decode()
    return (f"From: Client {i} <{sender}>\r\nTo: {to}\r\nSubject: Demande {i % 97}\r\n"
            f"Message-ID: <{msg_id}>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\n"
            "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + text.replace("\n", "\r\n") + "\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            + html + "\r\n--alt--\r\n--mix\r\nContent-Type: application/pdf; name=\"justificatif.pdf\"\r\n"
            "Content-Disposition: attachment; filename=\"justificatif.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + pdf.replace("\n", "\r\n") + "--mix--\r\n")

to = sys.argv[1]
if len(sys.argv) == 2:
    sys.stdout.write(message(to, "@ID@", "@FROM@", 1))
else:
    n, out = int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    for i in range(n):
        with open(os.path.join(out, f"{i:06}.eml"), "w", encoding="utf-8", newline="") as f:
            f.write(message(to, f"bench-{i}-{os.getpid()}@example.fr", f"client{i % 5000}@exemple.fr", i))
