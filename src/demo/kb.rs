//! The demo's knowledge base: what customers of Services Hexagone ask most (parcels, bills,
//! contracts, cards, agencies), imported through the same path as a customer's own file.

use crate::service::Result;
use crate::service::kb::{self, Format};
use crate::store::Store;

/// (id, title, short answer, body, keywords, variants).
type Article = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
);

const ARTICLES: &[Article] = &[
    (
        "HX-COLIS-01",
        "Mon colis n'est pas arrivé\u{a0}: que faire\u{a0}?",
        "Suivez votre colis avec son numéro sur notre site. Au-delà de 5 jours ouvrés sans mouvement, nous ouvrons une enquête et vous répondons sous 48 heures.",
        "Le numéro de suivi figure sur le mail de confirmation d'envoi.\n\nSi le suivi n'a pas bougé depuis 5 jours ouvrés, signalez-le\u{a0}: nous interrogeons le centre de tri et vous répondons sous 48 heures. Si le colis est perdu, il est remboursé selon sa valeur déclarée.",
        "colis, livraison, suivi, retard, perdu",
        &[
            "je n'ai toujours pas reçu mon colis",
            "où en est ma livraison",
            "le suivi ne bouge plus depuis une semaine",
        ],
    ),
    (
        "HX-COLIS-02",
        "J'ai reçu un avis de passage alors que j'étais chez moi",
        "Vous pouvez demander une nouvelle livraison gratuite en ligne ou retirer le colis au point indiqué sur l'avis dès le lendemain.",
        "Avec le numéro de l'avis, choisissez une nouvelle date de livraison ou un point de retrait. Le colis y est gardé 15 jours.\n\nSi personne n'a sonné, dites-le-nous\u{a0}: chaque signalement est transmis au responsable de la tournée.",
        "avis de passage, livreur, absent, nouvelle livraison",
        &[
            "le livreur n'a pas sonné",
            "avis de passage sans tentative de livraison",
        ],
    ),
    (
        "HX-COLIS-03",
        "Comment faire suivre mon courrier après un déménagement\u{a0}?",
        "Souscrivez la réexpédition du courrier en ligne ou en agence, au moins 5 jours avant votre départ, pour 6 ou 12 mois.",
        "La réexpédition démarre à la date choisie. Pensez à prévenir vos organismes (banque, assurance, employeur) de votre nouvelle adresse.",
        "réexpédition, déménagement, courrier, nouvelle adresse",
        &["je déménage, comment recevoir mon courrier à la nouvelle adresse"],
    ),
    (
        "HX-FACT-01",
        "Je ne comprends pas un montant sur ma facture",
        "Chaque ligne de la facture est détaillée dans votre espace client. Si un frais vous paraît injustifié, signalez-le\u{a0}: s'il s'agit d'une erreur, il est annulé sur la facture suivante.",
        "Dans votre espace client, rubrique Factures, chaque montant renvoie à son détail (abonnement, options, frais ponctuels).\n\nUne erreur de notre part donne lieu à un avoir sur la facture suivante.",
        "facture, montant, frais, erreur, avoir",
        &[
            "des frais que je ne comprends pas sur ma facture",
            "ma facture est trop élevée ce mois-ci",
        ],
    ),
    (
        "HX-FACT-02",
        "Quand vais-je être remboursé\u{a0}?",
        "Un remboursement accepté apparaît sur votre compte sous 5 jours ouvrés après son déclenchement.",
        "Le délai court à partir du jour où le remboursement est déclenché (vous recevez un mail). Le virement peut apparaître un jour plus tard selon votre banque.",
        "remboursement, délai, virement",
        &[
            "je n'ai pas encore été remboursé de ma commande annulée",
            "combien de temps pour le remboursement",
        ],
    ),
    (
        "HX-FACT-03",
        "Comment payer ma facture par prélèvement\u{a0}?",
        "Activez le prélèvement dans votre espace client avec votre IBAN\u{a0}; il s'applique à la facture suivante.",
        "Le prélèvement a lieu le 5 du mois. Vous pouvez changer de date ou revenir au paiement par carte à tout moment.",
        "prélèvement, IBAN, paiement, mensualisation",
        &["je veux être prélevé automatiquement"],
    ),
    (
        "HX-CONT-01",
        "Comment changer d'adresse sur mon contrat\u{a0}?",
        "Modifiez votre adresse dans votre espace client, rubrique Mes informations\u{a0}; la nouvelle adresse est prise en compte à la date indiquée.",
        "Vous recevez une confirmation par courrier à la nouvelle adresse. En agence, munissez-vous d'un justificatif de domicile.",
        "adresse, contrat, déménagement, coordonnées",
        &["changer mes coordonnées"],
    ),
    (
        "HX-CONT-02",
        "Comment résilier mon contrat\u{a0}?",
        "Vous pouvez résilier à tout moment depuis votre espace client ou par courrier\u{a0}; la résiliation prend effet sous 10 jours.",
        "Le récapitulatif et le solde de tout compte vous sont envoyés par courrier. Aucun frais de résiliation n'est dû après la première année.",
        "résiliation, résilier, fin de contrat",
        &[],
    ),
    (
        "HX-CARTE-01",
        "Ma carte est bloquée\u{a0}: que faire\u{a0}?",
        "Une carte se bloque après trois codes faux\u{a0}: elle se débloque en retirant de l'argent avec le bon code à un distributeur, ou sur appel au service client.",
        "Si la carte a été bloquée pour une opération suspecte, vous recevez un SMS\u{a0}: confirmez l'opération pour la débloquer. En cas de perte ou de vol, faites opposition sans attendre, 24 heures sur 24.",
        "carte bloquée, code, paiement refusé",
        &[
            "je ne peux plus payer avec ma carte",
            "paiement refusé carte",
        ],
    ),
    (
        "HX-CARTE-02",
        "J'ai perdu ma carte ou on me l'a volée",
        "Faites opposition immédiatement depuis l'application ou par téléphone, 24 heures sur 24\u{a0}; une nouvelle carte vous est envoyée sous 5 jours.",
        "L'opposition est définitive. Les opérations frauduleuses faites après l'opposition sont remboursées. En cas de vol, un dépôt de plainte peut être demandé.",
        "opposition, carte perdue, vol, fraude",
        &["on m'a volé ma carte bancaire"],
    ),
    (
        "HX-CPTE-01",
        "Je ne retrouve pas une opération sur mon relevé",
        "Une opération comptabilisée après la date d'arrêté apparaît sur le relevé suivant\u{a0}; elle est visible dès maintenant dans l'historique en ligne.",
        "Les paiements par carte peuvent être débités 2 à 3 jours après l'achat. Si l'opération n'apparaît nulle part après 5 jours, signalez-la.",
        "relevé, opération, débit, historique",
        &["il manque un paiement sur mon relevé"],
    ),
    (
        "HX-CPTE-02",
        "Comment ouvrir un compte\u{a0}?",
        "Ouvrez votre compte en ligne en 10 minutes avec une pièce d'identité et un justificatif de domicile, ou en agence sur rendez-vous.",
        "Le compte est ouvert dès la vérification des pièces (sous 48 heures). La carte arrive sous 7 jours.",
        "ouvrir un compte, ouverture, pièces justificatives",
        &[],
    ),
    (
        "HX-AG-01",
        "Comment prendre rendez-vous en agence\u{a0}?",
        "Prenez rendez-vous en ligne, dans l'application ou par téléphone\u{a0}; un SMS de rappel vous est envoyé la veille.",
        "Un rendez-vous vous évite l'attente au guichet. Précisez l'objet de votre visite pour être reçu par le bon conseiller.",
        "rendez-vous, agence, conseiller, guichet",
        &["je voudrais voir quelqu'un en agence"],
    ),
    (
        "HX-AG-02",
        "Quels sont les horaires des agences\u{a0}?",
        "Nos agences sont ouvertes du lundi au vendredi de 9 h à 18 h, et le samedi matin pour la plupart\u{a0}; les horaires de chaque agence sont sur la page de l'agence.",
        "Les jours fériés, les agences sont fermées. Les horaires exceptionnels (fêtes, travaux) sont annoncés sur la page de l'agence.",
        "horaires, ouverture, agence, samedi",
        &[
            "à quelle heure ouvre l'agence",
            "vous êtes ouverts le samedi",
        ],
    ),
    (
        "HX-APP-01",
        "L'application affiche une erreur à la connexion",
        "Mettez l'application à jour, puis redémarrez votre téléphone\u{a0}; si l'erreur persiste, réinstallez-la (vos données sont conservées).",
        "Une panne générale est annoncée sur la page d'état du service. Vous pouvez toujours accéder à votre espace depuis le site.",
        "application, connexion, erreur, mise à jour, panne",
        &[
            "l'appli ne marche plus",
            "impossible de me connecter à l'application",
        ],
    ),
    (
        "HX-APP-02",
        "J'ai oublié mon mot de passe",
        "Cliquez sur «\u{a0}Mot de passe oublié\u{a0}» sur la page de connexion\u{a0}: un lien valable 30 minutes vous est envoyé par mail.",
        "Si vous n'avez plus accès à votre adresse mail, contactez-nous avec une pièce d'identité pour la changer.",
        "mot de passe, identifiant, connexion",
        &["je n'arrive plus à me connecter, mot de passe perdu"],
    ),
    (
        "HX-RECL-01",
        "Comment faire une réclamation\u{a0}?",
        "Écrivez-nous depuis votre espace client ou par mail\u{a0}: nous accusons réception sous 24 heures et répondons sous 10 jours ouvrés.",
        "Sans réponse satisfaisante, vous pouvez saisir le médiateur, gratuitement, deux mois après votre réclamation.",
        "réclamation, plainte, médiateur, litige",
        &[],
    ),
    (
        "HX-ENG-01",
        "Quels sont vos engagements de service\u{a0}?",
        "Nos engagements (délais de réponse, attente au guichet, résolution) et leurs résultats du mois sont publiés sur notre page Engagements.",
        "Chaque engagement a un seuil au-delà duquel vous êtes dédommagé automatiquement. Les résultats sont calculés sur toutes les demandes, pas sur un échantillon.",
        "engagements, charte, délai de réponse, qualité",
        &["vous répondez en combien de temps"],
    ),
];

/// Imports the base (a JSONL file built here, read by the import every organisation uses).
pub async fn install(store: &Store, org_id: i64) -> Result<()> {
    let mut file = String::new();
    for (id, title, short, body, keywords, variants) in ARTICLES {
        let line = serde_json::json!({
            "external_id": id, "title": title, "short_answer": short, "body": body,
            "keywords": keywords, "variants": variants, "lang": "fr",
        });
        file.push_str(&line.to_string());
        file.push('\n');
    }
    let report = kb::import(
        store,
        org_id,
        file.as_bytes(),
        Format::Jsonl,
        &Default::default(),
    )
    .await?;
    match report.refused.first() {
        None => Ok(()),
        Some((line, why)) => Err(crate::service::Error::Internal(format!(
            "demo article {line} refused: {why}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_article_has_a_short_answer_and_keywords() {
        for (id, title, short, body, keywords, _) in super::ARTICLES {
            assert!(
                !title.is_empty() && !short.is_empty() && !body.is_empty(),
                "{id}"
            );
            assert!(!keywords.is_empty(), "{id}");
        }
    }
}
