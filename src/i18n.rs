//! French (default) and English wording of the interface.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    /// "en" → English; anything else → French.
    pub fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The wording of `key`; the key itself when it has none (visible, so it gets fixed).
    pub fn t(self, key: &str) -> &str {
        match WORDS.iter().find(|(k, _, _)| *k == key) {
            Some((_, fr, en)) => match self {
                Lang::Fr => fr,
                Lang::En => en,
            },
            None => key,
        }
    }

    /// A date-time shown in Paris time, e.g. "22/11/2026 10:05" or "2026-11-22 10:05".
    pub fn datetime(self, ms: i64) -> String {
        let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
            return String::new();
        };
        let z =
            ts.to_zoned(jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC));
        match self {
            Lang::Fr => z.strftime("%d/%m/%Y %H:%M").to_string(),
            Lang::En => z.strftime("%Y-%m-%d %H:%M").to_string(),
        }
    }
}

/// (key, French, English).
const WORDS: &[(&str, &str, &str)] = &[
    (
        "app.tagline",
        "La relation client tenue, et montrée",
        "Customer care, kept and shown",
    ),
    ("nav.inbox", "Dossiers", "Cases"),
    ("nav.customers", "Clients", "Customers"),
    ("nav.admin", "Administration", "Administration"),
    ("nav.logout", "Se déconnecter", "Sign out"),
    ("nav.language", "English", "Français"),
    ("nav.skip", "Aller au contenu", "Skip to content"),
    ("login.title", "Connexion", "Sign in"),
    ("login.email", "Adresse e-mail", "Email address"),
    ("login.password", "Mot de passe", "Password"),
    ("login.submit", "Se connecter", "Sign in"),
    (
        "login.failed",
        "Adresse e-mail ou mot de passe incorrect.",
        "Wrong email address or password.",
    ),
    ("inbox.title", "Dossiers", "Cases"),
    ("inbox.all", "Tous", "All"),
    ("inbox.filter", "Filtrer", "Filter"),
    ("inbox.any", "Tous", "Any"),
    ("inbox.mine", "Moi", "Me"),
    ("inbox.unassigned", "Non attribués", "Unassigned"),
    ("inbox.next", "Page suivante", "Next page"),
    ("inbox.first", "Première page", "First page"),
    (
        "inbox.empty",
        "Aucun dossier ne correspond à ces filtres.",
        "No case matches these filters.",
    ),
    ("field.status", "Statut", "Status"),
    ("field.site", "Site", "Site"),
    ("field.team", "Équipe", "Team"),
    ("field.assignee", "Attribué à", "Assignee"),
    ("field.kind", "Type", "Kind"),
    ("field.priority", "Priorité", "Priority"),
    ("field.category", "Catégorie", "Category"),
    ("field.subject", "Objet", "Subject"),
    ("field.customer", "Client", "Customer"),
    ("field.channel", "Canal", "Channel"),
    ("field.updated", "Mis à jour", "Updated"),
    ("field.opened", "Ouvert le", "Opened"),
    ("field.number", "N°", "No."),
    ("field.name", "Nom", "Name"),
    ("field.email", "E-mail", "Email"),
    ("field.role", "Rôle", "Role"),
    ("field.code", "Code", "Code"),
    ("field.time_zone", "Fuseau horaire", "Time zone"),
    (
        "field.opening_hours",
        "Horaires d'ouverture",
        "Opening hours",
    ),
    (
        "field.password",
        "Mot de passe (8 caractères au moins)",
        "Password (at least 8 characters)",
    ),
    ("field.first_response", "Première réponse", "First response"),
    (
        "field.once_and_done",
        "Réglé du premier coup",
        "Once & done",
    ),
    ("field.contacts", "Contacts", "Contacts"),
    ("status.open", "Ouvert", "Open"),
    ("status.pending", "En attente client", "Waiting on customer"),
    ("status.solved", "Résolu", "Solved"),
    ("status.closed", "Clos", "Closed"),
    ("kind.request", "Demande", "Request"),
    ("kind.complaint", "Réclamation", "Complaint"),
    ("kind.incident", "Incident", "Incident"),
    ("priority.low", "Basse", "Low"),
    ("priority.normal", "Normale", "Normal"),
    ("priority.high", "Haute", "High"),
    ("priority.urgent", "Urgente", "Urgent"),
    ("channel.email", "E-mail", "Email"),
    ("channel.phone", "Téléphone", "Phone"),
    ("channel.chat", "Chat", "Chat"),
    ("channel.social", "Réseaux sociaux", "Social"),
    ("channel.web_form", "Formulaire web", "Web form"),
    ("channel.letter", "Courrier", "Letter"),
    ("channel.counter", "Guichet", "Counter"),
    ("ood.undetermined", "—", "—"),
    (
        "ood.provisional",
        "Oui (sous réserve 7 jours)",
        "Yes (7-day window running)",
    ),
    ("ood.yes", "Oui", "Yes"),
    ("ood.no", "Non", "No"),
    ("case.timeline", "Échanges", "Timeline"),
    ("case.reply", "Répondre", "Reply"),
    ("case.reply_body", "Votre réponse", "Your reply"),
    (
        "case.note",
        "Note interne (non envoyée au client)",
        "Internal note (not sent to the customer)",
    ),
    (
        "case.then_status",
        "Puis passer le dossier à",
        "Then set the case to",
    ),
    ("case.unchanged", "inchangé", "unchanged"),
    ("case.send", "Enregistrer", "Save"),
    ("case.update", "Modifier le dossier", "Update the case"),
    ("case.events", "Historique", "History"),
    ("case.inbound", "Client", "Customer"),
    ("case.outbound", "Conseiller", "Advisor"),
    ("case.note_label", "Note interne", "Internal note"),
    ("case.wait", "Attente", "Wait"),
    ("case.nobody", "Personne", "Nobody"),
    (
        "case.pending_time",
        "Temps en attente client",
        "Time waiting on customer",
    ),
    ("event.opened", "Ouverture", "Opened"),
    ("event.reopened", "Réouverture", "Reopened"),
    ("event.status", "Statut", "Status"),
    ("event.assigned", "Attribution", "Assigned"),
    ("identity.customer_number", "N° client", "Customer no."),
    ("identity.email", "E-mail", "Email"),
    ("identity.phone", "Téléphone", "Phone"),
    ("identity.social", "Réseau social", "Social network"),
    ("customer.identities", "Identités", "Identities"),
    ("customer.cases", "Dossiers", "Cases"),
    (
        "customer.timeline",
        "Historique des contacts",
        "Contact history",
    ),
    (
        "customer.merge",
        "Fusionner un doublon dans cette fiche",
        "Merge a duplicate into this record",
    ),
    (
        "customer.merge_id",
        "N° du client en doublon",
        "Duplicate customer no.",
    ),
    ("customer.merge_submit", "Fusionner", "Merge"),
    ("customer.merges", "Fusions", "Merges"),
    (
        "customer.merged_into",
        "Cette fiche a été fusionnée dans",
        "This record was merged into",
    ),
    ("customer.undo", "Annuler la fusion", "Undo the merge"),
    ("customer.undone", "annulée", "undone"),
    ("customer.unnamed", "Client sans nom", "Unnamed customer"),
    ("customer.since", "Client depuis", "Customer since"),
    ("customer.last_contact", "Dernier contact", "Last contact"),
    (
        "customers.search",
        "Rechercher un client",
        "Find a customer",
    ),
    (
        "customers.query",
        "Nom, e-mail, téléphone ou n° client",
        "Name, email, phone or customer number",
    ),
    (
        "customers.none",
        "Aucun client trouvé.",
        "No customer found.",
    ),
    ("admin.sites", "Sites", "Sites"),
    ("admin.teams", "Équipes", "Teams"),
    ("admin.users", "Utilisateurs", "Users"),
    ("admin.add", "Ajouter", "Add"),
    ("admin.none", "Aucun", "None"),
    ("admin.saved", "Enregistré.", "Saved."),
    ("role.advisor", "Conseiller", "Advisor"),
    ("role.manager", "Manager", "Manager"),
    ("role.quality", "Qualité", "Quality"),
    ("role.admin", "Administrateur", "Administrator"),
    ("sitekind.agency", "Agence", "Agency"),
    ("sitekind.counter", "Guichet", "Counter"),
    (
        "sitekind.contact_centre",
        "Centre de contact",
        "Contact centre",
    ),
    ("sitekind.online", "En ligne", "Online"),
    ("error.title", "Erreur", "Error"),
    ("error.not_found", "Introuvable.", "Not found."),
    (
        "error.forbidden",
        "Vous n'avez pas accès à cette page.",
        "You do not have access to this page.",
    ),
    (
        "error.invalid",
        "Certaines valeurs sont incorrectes :",
        "Some values are incorrect:",
    ),
    (
        "error.internal",
        "Une erreur interne est survenue ; elle a été journalisée.",
        "An internal error occurred; it was logged.",
    ),
    (
        "error.csrf",
        "Le formulaire a expiré ; rechargez la page et recommencez.",
        "The form expired; reload the page and try again.",
    ),
    (
        "error.too_many",
        "Trop de tentatives de connexion : réessayez dans quelques minutes.",
        "Too many sign-in attempts: try again in a few minutes.",
    ),
    ("error.back", "Retour", "Back"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        for (i, (k, fr, en)) in WORDS.iter().enumerate() {
            assert!(!fr.is_empty() && !en.is_empty(), "{k}");
            assert!(
                WORDS[i + 1..].iter().all(|(k2, _, _)| k2 != k),
                "duplicate {k}"
            );
        }
        assert_eq!(Lang::En.t("nav.inbox"), "Cases");
        assert_eq!(Lang::Fr.t("nav.inbox"), "Dossiers");
    }
}
