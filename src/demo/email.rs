//! The demo's email channel: the contact mailbox (fed by pipe or API here: the demo has no mail
//! server), canned replies, and a few conversations received through the real path, so the
//! timeline shows threading, attachments, folded quotes and an out-of-office reply.

use crate::service::Result;
use crate::service::email::mailbox::{self, MailboxInput};
use crate::service::email::{self, Route};
use crate::store::Store;

pub const ADDRESS: &str = "contact@services-hexagone.fr";

const CANNED: [(&str, &str); 4] = [
    (
        "Réclamation enregistrée",
        "Bonjour {{ customer_name }},\n\nVotre réclamation est enregistrée sous la référence {{ case_token }}. Je m'en occupe personnellement et reviens vers vous dès que j'ai la réponse du service concerné.\n\nBien cordialement,\n{{ advisor_name }}",
    ),
    (
        "Pièce justificative",
        "Bonjour {{ customer_name }},\n\nPour traiter votre demande, pourriez-vous nous adresser une copie de votre justificatif (facture ou avis de passage) en répondant simplement à ce message ?\n\nMerci d'avance,\n{{ advisor_name }}",
    ),
    (
        "Remboursement accordé",
        "Bonjour {{ customer_name }},\n\nNous vous confirmons le remboursement, visible sur votre compte sous 5 jours ouvrés. Votre demande {{ case_token }} est résolue ; si ce n'est pas le cas, répondez à ce message et elle sera rouverte.\n\n{{ advisor_name }}",
    ),
    (
        "Délai de livraison",
        "Bonjour {{ customer_name }},\n\nVotre envoi est en cours d'acheminement : il sera distribué sous 48 heures. Vous pouvez suivre son avancement avec le numéro indiqué sur votre reçu.\n\n{{ advisor_name }}",
    ),
];

pub async fn install(store: &Store, org_id: i64, team_id: i64) -> Result<()> {
    let input = MailboxInput {
        address: ADDRESS.into(),
        display_name: Some("Service client Services Hexagone".into()),
        team_id: Some(team_id),
        ..Default::default()
    };
    mailbox::create_unchecked(store, org_id, &input).await?;
    for (title, body) in CANNED {
        email::texts::add_canned_unchecked(store, org_id, None, title, body).await?;
    }
    for raw in conversations() {
        email::receive(store, Route::Org(org_id), raw.as_bytes()).await?;
    }
    Ok(())
}

fn conversations() -> Vec<String> {
    let first = format!(
        "From: =?UTF-8?Q?Am=C3=A9lie_Roux?= <amelie.roux@exemple.fr>\r\nTo: {ADDRESS}\r\n\
Subject: =?UTF-8?Q?Colis_endommag=C3=A9_=E2=80=94_demande_de_remboursement?=\r\n\
Message-ID: <demo-1@exemple.fr>\r\nDate: Mon, 16 Nov 2026 09:12:00 +0100\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n--sep\r\n\
Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Bonjour,\r\n\r\nMon colis est arriv=E9 ouvert et le vase qu'il contenait est cass=E9. Je joins la photo\r\n\
et le re=E7u. Je souhaite =EAtre rembours=E9e (45 =80).\r\n\r\n-- \r\nAm=E9lie Roux\r\n06 12 34 56 78\r\n\
--sep\r\nContent-Type: application/pdf; name=\"recu-depot.pdf\"\r\nContent-Disposition: attachment; filename=\"recu-depot.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJhaWxlcgo8PC9Sb290IDEgMCBSPj4KJSVFT0YK\r\n\
--sep--\r\n"
    );
    let answer = format!(
        "From: =?UTF-8?Q?Am=C3=A9lie_Roux?= <amelie.roux@exemple.fr>\r\nTo: {ADDRESS}\r\n\
Subject: Re: =?UTF-8?Q?Colis_endommag=C3=A9?=\r\nMessage-ID: <demo-2@exemple.fr>\r\n\
In-Reply-To: <demo-1@exemple.fr>\r\nReferences: <demo-1@exemple.fr>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\n\
J'ajoute que l'emballage portait bien la mention « fragile ».\r\n\r\n\
Le lun. 16 nov. 2026 à 09:12, Amélie Roux <amelie.roux@exemple.fr> a écrit :\r\n\
> Bonjour,\r\n> Mon colis est arrivé ouvert et le vase qu'il contenait est cassé.\r\n"
    );
    let away = format!(
        "From: Bruno Lefort <bruno.lefort@exemple.fr>\r\nTo: {ADDRESS}\r\nSubject: Changement d'adresse\r\n\
Message-ID: <demo-3@exemple.fr>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
Bonjour, je déménage le 1er décembre : pouvez-vous faire suivre mon courrier au 12 rue des Lilas, 44000 Nantes ?\r\n\
Merci.\r\nBruno Lefort\r\n"
    );
    let ooo = format!(
        "From: Bruno Lefort <bruno.lefort@exemple.fr>\r\nTo: {ADDRESS}\r\n\
Subject: =?UTF-8?Q?R=C3=A9ponse_automatique_:_absent?=\r\nAuto-Submitted: auto-replied\r\n\
Message-ID: <demo-4@exemple.fr>\r\nIn-Reply-To: <demo-3@exemple.fr>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
Je suis absent jusqu'au 30 novembre, sans accès à mes courriels.\r\n"
    );
    vec![first, answer, away, ooo]
}
