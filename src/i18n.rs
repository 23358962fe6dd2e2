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
    pub fn datetime(self, ms: impl std::borrow::Borrow<i64>) -> String {
        let Ok(ts) = jiff::Timestamp::from_millisecond(*ms.borrow()) else {
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

impl Lang {
    /// A whole number with thousands grouped: "12 345" (narrow no-break space) or "12,345".
    pub fn int(self, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        let digits = n.unsigned_abs().to_string();
        let sep = match self {
            Lang::Fr => '\u{202F}',
            Lang::En => ',',
        };
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(ch);
        }
        if n < 0 { format!("-{out}") } else { out }
    }

    /// A decimal number: "87,5" (decimal comma, thousands grouped) or "87.5".
    pub fn decimal(self, v: f64, places: usize) -> String {
        let text = format!("{:.*}", places, v.abs());
        let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
        let whole = self.int(whole.parse::<i64>().unwrap_or(0));
        let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
            "-"
        } else {
            ""
        };
        match (frac.is_empty(), self) {
            (true, _) => format!("{sign}{whole}"),
            (false, Lang::Fr) => format!("{sign}{whole},{frac}"),
            (false, Lang::En) => format!("{sign}{whole}.{frac}"),
        }
    }

    /// A percentage: "87,5 %" (narrow no-break space) or "87.5%".
    pub fn percent(self, v: f64, places: usize) -> String {
        match self {
            Lang::Fr => format!("{}\u{202F}%", self.decimal(v, places)),
            Lang::En => format!("{}%", self.decimal(v, places)),
        }
    }

    /// "1 résultat", "0 résultat", "2 résultats" (French counts 0 and 1 as singular): the
    /// wording of `key.one` or `key.other`, with `{n}` replaced.
    pub fn plural(self, key: &str, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        let one = match self {
            Lang::Fr => n.abs() < 2,
            Lang::En => n.abs() == 1,
        };
        let form = format!("{key}.{}", if one { "one" } else { "other" });
        self.t(&form).replace("{n}", &self.int(n))
    }

    /// A day "2026-12-15" the reader's way: "15/12/2026" or as is.
    pub fn day(self, iso: &str) -> String {
        match (self, iso.parse::<jiff::civil::Date>()) {
            (Lang::Fr, Ok(d)) => format!("{:02}/{:02}/{}", d.day(), d.month(), d.year()),
            _ => iso.to_string(),
        }
    }

    /// A month "2026-11" in words: "novembre 2026", "November 2026".
    pub fn month(self, ym: &str) -> String {
        const FR: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let (y, m) = ym.split_once('-').unwrap_or((ym, ""));
        match m.get(..2).and_then(|m| m.parse::<usize>().ok()) {
            Some(m @ 1..=12) => match self {
                Lang::Fr => format!("{} {y}", FR[m - 1]),
                Lang::En => format!("{} {y}", EN[m - 1]),
            },
            _ => ym.to_string(),
        }
    }

    /// A quarter starting in month "2026-07": "3e trimestre 2026", "Q3 2026".
    pub fn quarter(self, ym: &str) -> String {
        let (y, m) = ym.split_once('-').unwrap_or((ym, ""));
        match m.get(..2).and_then(|m| m.parse::<u8>().ok()) {
            Some(m @ 1..=12) => {
                let q = (m - 1) / 3 + 1;
                match self {
                    Lang::Fr if q == 1 => format!("1er trimestre {y}"),
                    Lang::Fr => format!("{q}e trimestre {y}"),
                    Lang::En => format!("Q{q} {y}"),
                }
            }
            _ => ym.to_string(),
        }
    }

    /// A date in Paris time, e.g. "22/11/2026" or "2026-11-22".
    pub fn date(self, ms: impl std::borrow::Borrow<i64>) -> String {
        let dt = self.datetime(ms);
        dt.split(' ').next().unwrap_or("").to_string()
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
    (
        "demo.loading",
        "Démonstration en préparation\u{a0}: {pct}\u{202f}% de l'année d'historique enregistrée. Les dossiers et les chiffres se complètent à mesure.",
        "Demo being prepared: {pct}% of the year of history recorded. Cases and figures fill in as it goes.",
    ),
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
    ("inbox.my_title", "Mes dossiers", "My cases"),
    (
        "counter.customer_is",
        "Client annoncé à la borne :",
        "Customer given at the kiosk:",
    ),
    (
        "inbox.export",
        "Exporter ces dossiers (CSV)",
        "Export these cases (CSV)",
    ),
    (
        "live.changed.one",
        "{n} dossier a changé — actualiser la liste",
        "{n} case changed — refresh the list",
    ),
    (
        "live.changed.other",
        "{n} dossiers ont changé — actualiser la liste",
        "{n} cases changed — refresh the list",
    ),
    ("live.refresh", "Actualiser", "Refresh"),
    (
        "live.typing",
        "{name} est en train de répondre à ce client.",
        "{name} is replying to this customer.",
    ),
    (
        "live.case_changed",
        "Ce dossier a changé pendant que vous écriviez — afficher (votre brouillon est gardé)",
        "This case changed while you were writing — show it (your draft is kept)",
    ),
    (
        "inbox.see_unassigned",
        "Voir les dossiers ouverts que personne n’a pris",
        "See the open cases nobody has taken",
    ),
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
        "case.will_not_send",
        "Cette réponse ne partira pas par e-mail :",
        "This reply will not go out by email:",
    ),
    (
        "case.recorded_only",
        "Cette réponse sera enregistrée dans le dossier ; elle n’est envoyée au client par aucun canal ({channel}).",
        "This reply is recorded on the case; it is not sent to the customer on any channel ({channel}).",
    ),
    ("case.assign_me", "Me l’attribuer", "Assign to me"),
    ("email.not_sent", "Non envoyé", "Not sent"),
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
    (
        "event.email_failed",
        "Courriel non remis",
        "Email not delivered",
    ),
    (
        "event.email_not_sent",
        "Réponse non envoyée par courriel",
        "Reply not sent by email",
    ),
    (
        "email.admin",
        "Courriel : boîtes, modèles, réponses types",
        "Email: mailboxes, templates, canned replies",
    ),
    (
        "email.admin_help",
        "où arrivent les courriels des clients, comment Pacte y répond",
        "where customers' emails arrive, how Pacte answers them",
    ),
    ("email.mailboxes", "Boîtes aux lettres", "Mailboxes"),
    ("email.mailbox", "Boîte aux lettres", "Mailbox"),
    ("email.address", "Adresse", "Address"),
    ("email.display_name", "Nom affiché", "Display name"),
    ("email.last_read", "Dernière lecture", "Last read"),
    ("email.inactive", "inactive", "inactive"),
    ("email.active", "Active", "Active"),
    ("email.pipe_or_api", "par pipe ou API", "by pipe or API"),
    ("email.no_sending", "pas d'envoi", "no sending"),
    ("email.add_mailbox", "Ajouter une boîte", "Add a mailbox"),
    (
        "email.inbound_help",
        "Trois façons de recevoir : un compte IMAP lu par Pacte ; la commande « pacte mail ingest » dans un pipe de votre serveur de messagerie ; POST /api/v1/inbound/email depuis un relais.",
        "Three ways in: an IMAP account Pacte reads; the command “pacte mail ingest” in your mail server's pipe; POST /api/v1/inbound/email from a relay.",
    ),
    ("email.templates", "Accusé de réception", "Acknowledgement"),
    (
        "email.template_help",
        "Envoyé à chaque nouvelle demande reçue par courriel. Valeurs : {{ customer_name }}, {{ case_token }}, {{ subject }}, {{ promise }} (la promesse publiée de la charte), {{ organisation }}.",
        "Sent for each new request received by email. Values: {{ customer_name }}, {{ case_token }}, {{ subject }}, {{ promise }} (the charter's published promise), {{ organisation }}.",
    ),
    ("email.ack", "Accusé de réception", "Acknowledgement"),
    ("email.subject", "Objet", "Subject"),
    ("email.body", "Texte", "Text"),
    ("email.canned", "Réponses types", "Canned replies"),
    ("email.title", "Titre", "Title"),
    ("email.delete", "Supprimer", "Delete"),
    ("email.all_teams", "Toutes les équipes", "Every team"),
    ("email.insert", "Insérer", "Insert"),
    ("email.imap", "Réception (IMAP)", "Receiving (IMAP)"),
    (
        "email.imap_help",
        "Facultatif : sans compte IMAP, le courriel arrive par pipe ou par l'API.",
        "Optional: without an IMAP account, mail arrives by pipe or API.",
    ),
    ("email.smtp", "Envoi (SMTP)", "Sending (SMTP)"),
    ("email.host", "Serveur", "Server"),
    ("email.port", "Port", "Port"),
    ("email.security", "Sécurité", "Security"),
    (
        "email.security_tls",
        "TLS implicite (993 / 465)",
        "Implicit TLS (993 / 465)",
    ),
    (
        "email.security_starttls",
        "STARTTLS (143 / 587)",
        "STARTTLS (143 / 587)",
    ),
    (
        "email.security_none",
        "Aucune (boucle locale seulement)",
        "None (loopback only)",
    ),
    ("email.user", "Identifiant", "User name"),
    ("email.password", "Mot de passe", "Password"),
    (
        "email.password_kept",
        "inchangé si vide",
        "unchanged if empty",
    ),
    ("email.folder", "Dossier lu", "Folder read"),
    (
        "email.done_folder",
        "Déplacer les messages traités vers",
        "Move handled messages to",
    ),
    (
        "email.done_folder_help",
        "vide : marqués comme lus",
        "empty: flagged as read",
    ),
    ("email.test", "Tester la connexion", "Test connection"),
    ("email.test_result", "Résultat du test", "Test result"),
    (
        "email.last_error",
        "Dernière erreur de lecture",
        "Last reading error",
    ),
    ("email.sent", "Envoyé le", "Sent on"),
    ("email.queued", "En cours d'envoi", "Being sent"),
    (
        "email.retry_at",
        "Échec, nouvel essai le",
        "Failed, next attempt on",
    ),
    ("email.failed", "Non remis :", "Not delivered:"),
    (
        "email.kind_ack",
        "Accusé de réception automatique",
        "Automatic acknowledgement",
    ),
    (
        "email.kind_auto_reply",
        "Réponse automatique (ne rouvre pas le dossier)",
        "Automatic reply (does not reopen the case)",
    ),
    ("email.kind_bulk", "Envoi de masse", "Bulk mail"),
    (
        "email.kind_bounce",
        "Avis de non-remise",
        "Delivery failure report",
    ),
    ("email.signature", "Signature", "Signature"),
    ("email.quoted", "Historique cité", "Quoted history"),
    (
        "email.raw",
        "Message d'origine (.eml)",
        "Original message (.eml)",
    ),
    ("email.html", "Version mise en forme", "Formatted version"),
    (
        "email.warning_no_message_id",
        "Sans identifiant de message",
        "No Message-ID",
    ),
    (
        "email.warning_no_sender",
        "Expéditeur illisible",
        "Unreadable sender",
    ),
    (
        "email.warning_invalid_sender",
        "Adresse d'expéditeur invalide",
        "Invalid sender address",
    ),
    (
        "email.warning_unparsable",
        "Message illisible, conservé tel quel",
        "Unreadable message, kept as is",
    ),
    (
        "email.warning_encoding_problem",
        "Partie mal encodée",
        "Badly encoded part",
    ),
    (
        "email.warning_unknown_charset",
        "Jeu de caractères inconnu",
        "Unknown character set",
    ),
    (
        "email.warning_attachment_too_large",
        "Pièce jointe trop grande",
        "Attachment too large",
    ),
    ("email.warning_body_truncated", "Texte tronqué", "Text cut"),
    (
        "email.warning_rate_limited",
        "Trop de messages de cet expéditeur",
        "Too many messages from this sender",
    ),
    (
        "email.warning_own_address",
        "Envoyé depuis une de nos adresses",
        "Sent from one of our addresses",
    ),
    (
        "email.warning_too_large",
        "Message trop grand",
        "Message too large",
    ),
    (
        "email.reason_no_outgoing_mailbox",
        "aucune boîte d’envoi (SMTP) n’est configurée",
        "no sending mailbox (SMTP) is configured",
    ),
    (
        "email.reason_no_customer_address",
        "le client n’a pas d’adresse électronique",
        "the customer has no email address",
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
    ("search.title", "Recherche", "Search"),
    (
        "search.placeholder",
        "Rechercher un client, un dossier…",
        "Find a customer, a case…",
    ),
    ("search.label", "Rechercher", "Search"),
    (
        "search.query",
        "Mots, nom, e-mail, téléphone, n° client ou de dossier",
        "Words, name, email, phone, customer or case number",
    ),
    ("search.kind", "Type", "Type"),
    ("search.all", "Tout", "Everything"),
    ("search.cases", "Dossiers", "Cases"),
    ("search.customers", "Clients", "Customers"),
    ("search.from", "Activité depuis le", "Active since"),
    ("search.to", "Activité jusqu’au", "Active until"),
    ("search.results.one", "{n} résultat", "{n} result"),
    ("search.results.other", "{n} résultats", "{n} results"),
    (
        "search.none",
        "Aucun résultat. Essayez un autre mot, ou moins de filtres.",
        "No result. Try another word, or fewer filters.",
    ),
    (
        "search.all_customers",
        "Voir tous les clients trouvés",
        "See every customer found",
    ),
    (
        "search.pending.one",
        "{n} modification récente n’est pas encore cherchable ; elle le sera dans un instant.",
        "{n} recent change is not searchable yet; it will be in a moment.",
    ),
    (
        "search.pending.other",
        "{n} modifications récentes ne sont pas encore cherchables ; elles le seront dans un instant.",
        "{n} recent changes are not searchable yet; they will be in a moment.",
    ),
    ("search.customer_of", "Client", "Customer"),
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
    (
        "done.saved",
        "Modifications enregistrées.",
        "Changes saved.",
    ),
    (
        "done.reply",
        "Votre réponse est enregistrée dans le dossier.",
        "Your reply is recorded on the case.",
    ),
    ("done.case_updated", "Dossier mis à jour.", "Case updated."),
    (
        "done.merged",
        "Fiches fusionnées (la fusion peut être annulée).",
        "Records merged (the merge can be undone).",
    ),
    ("done.unmerged", "Fusion annulée.", "Merge undone."),
    (
        "done.ticket_ended",
        "Passage enregistré.",
        "Visit recorded.",
    ),
    (
        "done.token_revoked",
        "Jeton révoqué : il ne fonctionne plus.",
        "Token revoked: it no longer works.",
    ),
    ("token.title", "Jetons d’API", "API tokens"),
    (
        "token.help",
        "Un jeton donne accès à l’API au nom de cette personne. Il expire à la date indiquée ; un nouveau jeton du même nom remplace l’ancien.",
        "A token gives access to the API on this person’s behalf. It expires on the date shown; a new token of the same name replaces the old one.",
    ),
    ("token.none", "Aucun jeton.", "No token."),
    ("token.name", "Nom", "Name"),
    ("token.created", "Créé le", "Created"),
    ("token.expires", "Expire le", "Expires"),
    ("token.last_used", "Dernière utilisation", "Last used"),
    ("token.never", "jamais", "never"),
    ("token.no_end", "sans fin", "no end"),
    ("token.live", "Actif", "Live"),
    ("token.revoked", "Révoqué", "Revoked"),
    ("token.expired", "Expiré", "Expired"),
    ("token.revoke", "Révoquer", "Revoke"),
    ("token.days", "Durée (jours)", "Lifetime (days)"),
    ("token.make", "Créer un jeton", "Make a token"),
    (
        "token.made",
        "Jeton à transmettre (affiché une seule fois)",
        "Token to pass on (shown once)",
    ),
    (
        "done.erased",
        "Données personnelles effacées.",
        "Personal data erased.",
    ),
    (
        "done.request_added",
        "Demande enregistrée.",
        "Request recorded.",
    ),
    ("privacy.title", "Données personnelles", "Personal data"),
    (
        "privacy.export",
        "Exporter ses données (JSON)",
        "Export their data (JSON)",
    ),
    (
        "privacy.erase_help",
        "L’effacement anonymise ce client : identités, textes, adresses, pièces jointes et messages bruts disparaissent, ses avis sont retirés ; les chiffres et les gestes commerciaux restent, anonymes. C’est définitif.",
        "Erasure anonymises this customer: identities, texts, addresses, attachments and raw messages go, their reviews are withdrawn; figures and gestures stay, anonymous. It cannot be undone.",
    ),
    (
        "privacy.confirm",
        "Pour confirmer, saisissez le numéro du client",
        "To confirm, type the customer’s number",
    ),
    ("privacy.erase", "Effacer ses données", "Erase their data"),
    ("privacy.erased_on", "Données effacées le", "Data erased on"),
    (
        "privacy.requests",
        "Demandes du client",
        "Customer’s requests",
    ),
    (
        "privacy.kind.access",
        "Accès à ses données",
        "Access to their data",
    ),
    ("privacy.kind.erasure", "Effacement", "Erasure"),
    ("privacy.received", "Reçue le", "Received"),
    ("privacy.due", "à traiter avant le", "due by"),
    ("privacy.late", "en retard", "late"),
    ("privacy.answered", "traitée le", "answered on"),
    (
        "privacy.add_request",
        "Enregistrer une demande",
        "Record a request",
    ),
    ("audit.title", "Journal des consultations", "Read log"),
    (
        "audit.help",
        "Qui a consulté la fiche d’un client, un dossier, une pièce jointe, un message brut ou un export. Chaque entrée est chaînée à la précédente par une empreinte : une entrée modifiée ou retirée se voit.",
        "Who opened a customer’s record, a case, an attachment, a raw message or an export. Each entry is chained to the previous one by a hash: a changed or removed entry shows.",
    ),
    (
        "audit.intact.one",
        "Chaîne intègre : {n} entrée vérifiée.",
        "Chain intact: {n} entry checked.",
    ),
    (
        "audit.intact.other",
        "Chaîne intègre : {n} entrées vérifiées.",
        "Chain intact: {n} entries checked.",
    ),
    (
        "audit.broken",
        "Chaîne rompue à l’entrée n° {id} : le journal a été modifié.",
        "Chain broken at entry {id}: the log was altered.",
    ),
    (
        "audit.verify",
        "Vérifier l’intégrité du journal",
        "Check the log’s integrity",
    ),
    ("audit.user", "Personne", "Person"),
    ("audit.customer", "Client n°", "Customer no."),
    ("audit.from", "Du", "From"),
    ("audit.to", "Au", "To"),
    ("audit.when", "Quand", "When"),
    ("audit.what", "Consultation", "Read"),
    ("audit.csv", "Exporter en CSV", "Export as CSV"),
    ("audit.none", "Aucune consultation.", "No read."),
    ("audit.older", "Plus anciennes", "Older"),
    ("audit.link", "Journal des consultations", "Read log"),
    ("read.customer", "Fiche client", "Customer record"),
    ("read.case", "Dossier", "Case"),
    ("read.attachment", "Pièce jointe", "Attachment"),
    ("read.email", "Message", "Message"),
    ("read.raw_email", "Message brut", "Raw message"),
    ("read.export", "Export des données", "Data export"),
    ("retention.title", "Durées de conservation", "Retention"),
    (
        "retention.help",
        "Combien de mois chaque sorte de données est gardée ; sans durée, elle est gardée. Les règles s’appliquent chaque heure ; la colonne de droite dit ce qui partirait maintenant.",
        "How many months each kind of data is kept; without a duration it is kept. Rules apply every hour; the right-hand column says what would go now.",
    ),
    ("retention.kind", "Données", "Data"),
    ("retention.months", "Mois gardés", "Months kept"),
    ("retention.would_go", "Partirait maintenant", "Would go now"),
    ("retention.no_limit", "sans limite", "no limit"),
    ("retention.last_run", "Dernier passage", "Last run"),
    (
        "retention.never",
        "Aucun passage pour l’instant.",
        "No run yet.",
    ),
    ("retention.run_now", "Appliquer maintenant", "Apply now"),
    (
        "retention.kind.case_text",
        "Textes des dossiers résolus ou clos",
        "Texts of solved or closed cases",
    ),
    (
        "retention.kind.raw_email",
        "Messages bruts et fichiers joints",
        "Raw messages and attached files",
    ),
    (
        "retention.kind.inactive_customer",
        "Clients sans contact (effacés)",
        "Customers without contact (erased)",
    ),
    (
        "retention.kind.read_log",
        "Journal des consultations",
        "Read log",
    ),
    (
        "retention.kind.staff_log",
        "Journal des actions du personnel",
        "Staff action log",
    ),
    ("retention.link", "Durées de conservation", "Retention"),
    (
        "done.retention_saved",
        "Durées enregistrées.",
        "Retention saved.",
    ),
    ("done.retention_run", "Règles appliquées.", "Rules applied."),
    ("refusal.required", "obligatoire", "required"),
    ("refusal.too_long", "trop long", "too long"),
    ("refusal.too_short", "trop court", "too short"),
    (
        "refusal.out_of_range",
        "hors des limites permises",
        "out of the allowed range",
    ),
    (
        "refusal.invalid_date",
        "une date, AAAA-MM-JJ",
        "a date, YYYY-MM-DD",
    ),
    (
        "refusal.invalid_time",
        "une date et une heure valables",
        "a valid date and time",
    ),
    (
        "refusal.invalid_email",
        "une adresse e-mail valable",
        "a valid email address",
    ),
    (
        "refusal.invalid_phone",
        "un numéro de téléphone valable",
        "a valid phone number",
    ),
    ("refusal.invalid_number", "un nombre", "a number"),
    (
        "refusal.invalid_value",
        "valeur non valable",
        "invalid value",
    ),
    (
        "refusal.invalid_kind",
        "valeur non prévue",
        "unexpected value",
    ),
    (
        "refusal.invalid_name",
        "un nom de 1 à 100 caractères",
        "a name of 1 to 100 characters",
    ),
    ("refusal.unknown", "paramètre inconnu", "unknown parameter"),
    (
        "refusal.not_confirmed",
        "recopiez le numéro du client pour confirmer : l’effacement est définitif",
        "repeat the customer’s number to confirm: erasure cannot be undone",
    ),
    (
        "refusal.merged",
        "cette fiche a été fusionnée : effacez celle qui l’a reçue",
        "this record was merged: erase the one it was merged into",
    ),
    (
        "refusal.title_taken",
        "une réponse type porte déjà ce titre",
        "a canned reply already has this title",
    ),
    ("field.confirm", "Confirmation", "Confirmation"),
    ("field.body", "Texte", "Text"),
    ("field.title", "Titre", "Title"),
    ("field.months", "Mois", "Months"),
    ("field.received_at", "Reçue le", "Received"),
    ("field.expires_in_days", "Durée", "Lifetime"),
    (
        "embed.title",
        "Pages publiques dans votre site",
        "Public pages in your site",
    ),
    (
        "embed.help",
        "La charte, les avis et l’écran d’accueil peuvent s’afficher dans un cadre sur les sites que vous nommez ici ; aucune autre page ne peut être encadrée.",
        "The charter, the reviews and the waiting-room display may be shown in a frame on the sites you name here; no other page can be framed.",
    ),
    (
        "embed.origins",
        "Sites autorisés (un par ligne, par exemple https://www.example.fr)",
        "Allowed sites (one per line, e.g. https://www.example.fr)",
    ),
    ("embed.frame_title", "Nos engagements", "Our commitments"),
    (
        "refusal.invalid_origin",
        "une adresse de site, par exemple https://www.example.fr",
        "a site address such as https://www.example.fr",
    ),
    ("field.origins", "Sites autorisés", "Allowed sites"),
    (
        "forgot.link",
        "Mot de passe oublié ?",
        "Forgot your password?",
    ),
    ("forgot.title", "Mot de passe oublié", "Forgotten password"),
    (
        "forgot.help",
        "Indiquez l’adresse de votre compte : un lien pour choisir un nouveau mot de passe vous sera envoyé.",
        "Give your account’s address: a link to choose a new password will be sent to it.",
    ),
    ("forgot.submit", "Recevoir un lien", "Send me a link"),
    (
        "forgot.sent",
        "Si un compte existe pour cette adresse, un lien vient d’y être envoyé ; il fonctionne une fois, pendant 24 heures.",
        "If an account exists for this address, a link was just sent to it; it works once, for 24 hours.",
    ),
    ("forgot.back", "Retour à la connexion", "Back to sign-in"),
    ("user.state", "État", "State"),
    ("user.active", "Actif", "Active"),
    ("user.inactive", "Désactivé", "Deactivated"),
    ("user.edit", "Modifier", "Edit"),
    (
        "user.may_sign_in",
        "Peut se connecter (décocher pour désactiver le compte)",
        "May sign in (untick to deactivate the account)",
    ),
    ("user.save", "Enregistrer", "Save"),
    ("user.password", "Mot de passe", "Password"),
    (
        "user.link_help",
        "Un lien à usage unique permet à la personne de choisir elle-même son mot de passe ; il fonctionne une fois, pendant 24 heures. Transmettez-le-lui par un canal sûr.",
        "A one-time link lets the person choose their own password; it works once, for 24 hours. Pass it on through a safe channel.",
    ),
    (
        "user.make_link",
        "Créer un lien à usage unique",
        "Make a one-time link",
    ),
    (
        "user.link_made",
        "Lien à transmettre (affiché une seule fois)",
        "Link to pass on (shown once)",
    ),
    (
        "user.link_until",
        "Lien créé ; il fonctionne jusqu’au {until}.",
        "Link made; it works until {until}.",
    ),
    (
        "password.title",
        "Choisir un mot de passe",
        "Choose a password",
    ),
    ("password.for", "Pour", "For"),
    (
        "password.new",
        "Nouveau mot de passe (8 caractères au moins)",
        "New password (at least 8 characters)",
    ),
    (
        "password.again",
        "Le même, une seconde fois",
        "The same again",
    ),
    (
        "password.submit",
        "Enregistrer le mot de passe",
        "Save the password",
    ),
    (
        "password.mismatch",
        "Les deux saisies diffèrent.",
        "The two entries differ.",
    ),
    (
        "password.too_short",
        "Le mot de passe doit compter 8 caractères au moins.",
        "The password needs at least 8 characters.",
    ),
    (
        "password.changed",
        "Mot de passe enregistré : connectez-vous avec lui.",
        "Password saved: sign in with it.",
    ),
    (
        "password.link_spent",
        "Ce lien ne fonctionne plus (déjà utilisé, expiré ou inconnu). Demandez-en un nouveau à votre administrateur.",
        "This link no longer works (used, expired or unknown). Ask your administrator for a new one.",
    ),
    (
        "error.bad_request",
        "Cette adresse contient un paramètre que la page ne comprend pas.",
        "This address holds a parameter the page does not understand.",
    ),
    ("nav.charter", "Charte", "Charter"),
    // The quality loop.
    ("field.origin", "Origine", "Origin"),
    ("field.description", "Description", "Description"),
    ("field.severity", "Gravité", "Severity"),
    ("field.case_number", "Dossier", "Case"),
    ("field.owner_id", "Responsable", "Owner"),
    ("field.pilot_id", "Pilote", "Pilot"),
    ("field.actors", "Acteurs", "Actors"),
    ("field.documents", "Documents", "Documents"),
    (
        "field.documents.title",
        "Titre du document",
        "Document title",
    ),
    ("field.documents.url", "Lien du document", "Document link"),
    (
        "field.check",
        "Vérification de l'efficacité",
        "Efficacy check",
    ),
    (
        "field.check.method",
        "Méthode de vérification",
        "Check method",
    ),
    ("field.check.figure", "Chiffre vérifié", "Figure checked"),
    ("field.check.target", "Objectif", "Target"),
    ("field.check.months", "Nombre de mois", "Months"),
    ("field.check.on", "Date de vérification", "Check date"),
    (
        "field.check.how",
        "Modalités de vérification",
        "How it is checked",
    ),
    ("field.check.site", "Site vérifié", "Site checked"),
    ("field.due_on", "Date prévue", "Due date"),
    ("field.pct", "Avancement", "Progress"),
    ("field.note", "Commentaire", "Comment"),
    ("field.verdict", "Résultat", "Result"),
    ("field.reason", "Motif", "Reason"),
    ("field.causes", "Causes", "Causes"),
    ("field.causes.text", "Cause", "Cause"),
    ("field.whys", "Pourquoi", "Whys"),
    ("field.attendees", "Participants", "Attendees"),
    ("field.minutes", "Compte rendu", "Minutes"),
    ("field.lines.decision", "Décision", "Decision"),
    ("field.justification", "Justification", "Justification"),
    ("field.decision", "Décision", "Decision"),
    ("field.period", "Période", "Period"),
    ("field.year", "Année", "Year"),
    ("field.target", "Objectif", "Target"),
    ("field.red_at", "Seuil rouge", "Red threshold"),
    ("field.value", "Valeur", "Value"),
    ("field.month", "Mois", "Month"),
    ("field.figure", "Chiffre", "Figure"),
    ("field.unit", "Unité", "Unit"),
    ("field.process", "Processus", "Process"),
    ("field.name_fr", "Nom en français", "French name"),
    ("field.name_en", "Nom en anglais", "English name"),
    ("field.webhook", "Adresse du webhook", "Webhook address"),
    (
        "field.irritant_growth_pct",
        "Hausse d'un irritant",
        "Irritant rise",
    ),
    (
        "field.irritant_min",
        "Mentions minimales d'un irritant",
        "Irritant minimum mentions",
    ),
    (
        "field.review_max_stars",
        "Étoiles d'un avis négatif",
        "Stars of a negative review",
    ),
    ("field.owner_user_id", "Responsable", "Owner"),
    ("field.owner_team_id", "Équipe responsable", "Owning team"),
    (
        "refusal.check_required",
        "une action corrective dit comment et quand son efficacité sera vérifiée",
        "check required",
    ),
    (
        "refusal.automatic_origin",
        "cette origine est ouverte par Pacte à partir de ses données\u{a0}: choisissez réclamation, enquête, contrôle interne, audit, visite mystère ou remontée terrain",
        "automatic origin",
    ),
    (
        "refusal.unknown_case",
        "aucun dossier n'a ce numéro",
        "unknown case",
    ),
    (
        "refusal.unknown_user",
        "aucun utilisateur actif n'a cet identifiant",
        "unknown user",
    ),
    (
        "refusal.unknown_team",
        "aucune équipe n'a cet identifiant",
        "unknown team",
    ),
    (
        "refusal.unknown_figure",
        "ce chiffre n'existe pas ici",
        "unknown figure",
    ),
    (
        "refusal.wrong_survey_kind",
        "cette enquête n'est pas de ce type",
        "wrong survey kind",
    ),
    (
        "refusal.before_action",
        "la vérification vient après la date de l'action",
        "before action",
    ),
    (
        "refusal.seven_m_off",
        "Mesure et Management sont des familles des 7 M, que l'organisation n'utilise pas",
        "seven m off",
    ),
    (
        "refusal.reason_required",
        "le résultat contredit ce que montre le chiffre\u{a0}: dites pourquoi",
        "reason required",
    ),
    (
        "refusal.decision_required",
        "un objectif manqué attend sa décision\u{a0}: un plan d'actions ou une absence d'action justifiée",
        "decision required",
    ),
    (
        "refusal.computed",
        "cet indicateur est calculé par Pacte à partir de ses données",
        "computed",
    ),
    (
        "refusal.wrong_side",
        "le seuil rouge est au-delà de l'objectif, du mauvais côté",
        "wrong side",
    ),
    (
        "refusal.invalid_month",
        "ce n'est pas un mois (AAAA-MM)",
        "invalid month",
    ),
    (
        "refusal.invalid_decision",
        "plan d'actions ou pas d'action",
        "invalid decision",
    ),
    (
        "refusal.invalid_figure",
        "ce n'est pas un chiffre connu",
        "invalid figure",
    ),
    (
        "refusal.invalid_process",
        "métier, support ou management",
        "invalid process",
    ),
    ("refusal.invalid_unit", "unité inconnue", "invalid unit"),
    (
        "refusal.invalid_url",
        "une adresse http:// ou https://",
        "invalid url",
    ),
    (
        "refusal.invalid_code",
        "de 1 à 40 lettres, chiffres, «\u{a0}-\u{a0}» ou «\u{a0}_\u{a0}»",
        "invalid code",
    ),
    (
        "refusal.control_character",
        "les caractères de contrôle ne sont pas permis",
        "control character",
    ),
    ("refusal.too_many", "trop d'éléments", "too many"),
    (
        "refusal.invalid_severity",
        "mineure, majeure ou critique",
        "invalid severity",
    ),
    ("refusal.invalid_verdict", "C ou NC", "invalid verdict"),
    (
        "refusal.invalid_check_method",
        "chiffre, audit, contrôle terrain ou visite mystère",
        "invalid check method",
    ),
    (
        "refusal.invalid_action_kind",
        "action immédiate ou corrective",
        "invalid action kind",
    ),
    (
        "refusal.invalid_period",
        "ce n'est pas une période (2026-T3 ou 2026-10)",
        "invalid period",
    ),
    ("nav.quality", "Qualité", "Quality"),
    (
        "refusal.window_before_action",
        "les mois mesurés commencent avant l'action\u{a0}: vérifiez plus tard ou sur moins de mois",
        "window before action",
    ),
    (
        "refusal.site_mismatch",
        "le dossier appartient à un autre site",
        "site mismatch",
    ),
    (
        "quality.rag.too_early",
        "trop tôt pour conclure",
        "too early to conclude",
    ),
    (
        "quality.origin.voice_trend",
        "Recul du NPS ou du CES",
        "NPS or CES falling",
    ),
    ("quality.evidence.voice", "Enquêtes", "Surveys"),
    (
        "quality.digest.items.one",
        "{n} action qualité",
        "{n} quality action",
    ),
    (
        "quality.digest.items.other",
        "{n} actions qualité",
        "{n} quality actions",
    ),
    (
        "quality.digest.late.one",
        "en retard de {n} jour",
        "{n} day late",
    ),
    (
        "quality.digest.late.other",
        "en retard de {n} jours",
        "{n} days late",
    ),
    (
        "quality.event.overdue",
        "Action en retard signalée",
        "Action reported late",
    ),
    ("quality.late", "Actions en retard", "Late actions"),
    ("quality.late_since", "prévue le", "due"),
    (
        "done.sent",
        "Message envoyé au client.",
        "Message sent to the customer.",
    ),
    (
        "quality.title",
        "Qualité\u{a0}: non-conformités et plans d'actions",
        "Quality: non-conformities and action plans",
    ),
    (
        "quality.new",
        "Signaler une non-conformité",
        "Report a non-conformity",
    ),
    ("quality.paq_csv", "PAQ (CSV)", "Action plan (CSV)"),
    ("quality.kpis", "Indicateurs", "Indicators"),
    (
        "quality.reviews",
        "Revues d'indicateurs",
        "Indicator reviews",
    ),
    (
        "quality.my_actions",
        "Mes actions en cours",
        "My open actions",
    ),
    ("quality.due", "prévue le", "due"),
    ("quality.check_on", "vérification le", "check on"),
    ("quality.active", "À traiter", "To work on"),
    ("quality.all", "Toutes", "All"),
    ("quality.origin", "Origine", "Origin"),
    ("quality.any", "Toutes", "Any"),
    (
        "quality.none",
        "Aucune non-conformité ici.",
        "No non-conformity here.",
    ),
    ("quality.nc", "Non-conformité", "Non-conformity"),
    ("quality.severity", "Gravité", "Severity"),
    ("quality.occurrences", "Occurrences", "Occurrences"),
    ("quality.last_seen", "dernière le", "last seen"),
    ("quality.last_seen_col", "Dernière occurrence", "Last seen"),
    ("quality.target_col", "Objectif", "Target"),
    ("quality.milestone_col", "Jalon", "Milestone"),
    ("quality.due_label", "Date prévue", "Due date"),
    (
        "quality.check_on_label",
        "Date de vérification",
        "Check date",
    ),
    ("quality.red_below", "rouge sous", "red below"),
    ("quality.late_mark", "en retard", "late"),
    (
        "quality.more_evidence.one",
        "… et {n} autre élément",
        "… and {n} more",
    ),
    (
        "quality.more_evidence.other",
        "… et {n} autres éléments",
        "… and {n} more",
    ),
    ("quality.choose", "Choisir…", "Choose…"),
    (
        "quality.analysed_detail",
        "causes et pourquoi",
        "causes and whys",
    ),
    ("quality.first_seen", "première le", "first seen"),
    ("quality.pilot", "Pilote", "Pilot"),
    ("quality.owner", "Responsable", "Owner"),
    (
        "quality.nc_title",
        "Dysfonctionnement constaté",
        "What went wrong",
    ),
    (
        "quality.case_number",
        "Dossier de réclamation (numéro)",
        "Complaint case (number)",
    ),
    ("quality.description", "Description", "Description"),
    (
        "quality.open",
        "Enregistrer la non-conformité",
        "Record the non-conformity",
    ),
    (
        "quality.dismissed_reason",
        "Motif du classement sans suite",
        "Reason for closing without action",
    ),
    ("quality.evidence", "Éléments constatés", "Evidence"),
    ("quality.what", "Constat", "Finding"),
    ("quality.link", "Lien", "Link"),
    ("quality.evidence.case", "Dossier", "Case"),
    (
        "quality.evidence.see_reviews",
        "Voir les avis",
        "See the reviews",
    ),
    ("quality.evidence.measured", "mesuré\u{a0}:", "measured:"),
    (
        "quality.evidence.crossing",
        "Dépassement du seuil inacceptable",
        "Unacceptable bound crossed",
    ),
    (
        "quality.evidence.period",
        "Période non tenue",
        "Period missed",
    ),
    ("quality.evidence.review", "Avis", "Review"),
    (
        "quality.evidence.theme",
        "Mentions négatives",
        "Negative mentions",
    ),
    ("quality.evidence.kpi", "Indicateur", "Indicator"),
    (
        "quality.analysis",
        "Analyse des causes (arbre des 5 M)",
        "Root-cause analysis (5M fishbone)",
    ),
    ("quality.why", "Pourquoi\u{a0}?", "Why?"),
    ("quality.whys", "5 pourquoi", "5 whys"),
    (
        "quality.edit_analysis",
        "Rédiger l'analyse",
        "Write the analysis",
    ),
    (
        "quality.one_per_line",
        "Une cause par ligne",
        "One cause per line",
    ),
    (
        "quality.save_analysis",
        "Enregistrer l'analyse",
        "Save the analysis",
    ),
    (
        "quality.actions",
        "Actions (quoi, quand, qui)",
        "Actions (what, when, who)",
    ),
    (
        "quality.no_action",
        "Aucune action décidée pour l'instant.",
        "No action decided yet.",
    ),
    ("quality.round", "tour", "round"),
    ("quality.actors", "Acteurs", "Actors"),
    ("quality.progress", "Avancement", "Progress"),
    ("quality.progress_note", "Point d'étape", "Note"),
    ("quality.log_progress", "Noter l'avancement", "Log progress"),
    (
        "quality.check",
        "Vérification de l'efficacité",
        "Efficacy check",
    ),
    ("quality.target", "objectif", "target"),
    ("quality.measured", "Mesuré\u{a0}:", "Measured:"),
    (
        "quality.confirm",
        "Mesure de l'efficacité",
        "Efficacy verdict",
    ),
    (
        "quality.verdict_note",
        "Commentaire (obligatoire si vous contredisez la mesure)",
        "Comment (required to overrule the measure)",
    ),
    (
        "quality.confirm_button",
        "Confirmer le résultat",
        "Confirm the result",
    ),
    ("quality.add_action", "Ajouter une action", "Add an action"),
    ("quality.kind", "Type", "Kind"),
    (
        "quality.action_title",
        "Action à mettre en place",
        "Action to take",
    ),
    (
        "quality.documents",
        "Documents internes liés",
        "Linked internal documents",
    ),
    (
        "quality.documents_hint",
        "Un par ligne\u{a0}: titre | lien",
        "One per line: title | link",
    ),
    ("quality.method", "Méthode de vérification", "Check method"),
    ("quality.figure", "Chiffre mesuré", "Figure measured"),
    (
        "quality.window",
        "Période mesurée (mois complets avant la vérification)",
        "Measured over (complete months before the check)",
    ),
    (
        "quality.how",
        "Modalités (audit, contrôle terrain, visite mystère…)",
        "How (audit, field check, mystery visit…)",
    ),
    (
        "quality.share",
        "Partager le résultat avec le client",
        "Share the outcome with the customer",
    ),
    ("quality.shared_on", "Partagé le", "Shared on"),
    (
        "quality.share_body",
        "Message au client",
        "Message to the customer",
    ),
    (
        "quality.share_send",
        "Envoyer au client",
        "Send to the customer",
    ),
    (
        "quality.share.draft",
        "Bonjour,\n\nÀ la suite de votre réclamation, nous avons analysé ce qui s'était passé ({title}) et mis en place les actions suivantes\u{a0}:\n{actions}\n\nNous avons vérifié leur efficacité\u{a0}: le dysfonctionnement est corrigé. Merci de nous l'avoir signalé.\n\nCordialement,",
        "Hello,\n\nFollowing your complaint, we analysed what happened ({title}) and took the following actions:\n{actions}\n\nWe checked that they worked: the problem is fixed. Thank you for telling us.\n\nKind regards,",
    ),
    (
        "quality.dismiss",
        "Classer sans suite",
        "Close without action",
    ),
    ("quality.history", "Historique", "History"),
    ("quality.kpi", "Indicateur", "Indicator"),
    (
        "quality.no_kpi",
        "Aucun indicateur\u{a0}: installez le catalogue de départ ou ajoutez-en un.",
        "No indicator yet: install the starter catalogue or add one.",
    ),
    (
        "quality.starter",
        "Installer le catalogue de départ (environ 20 indicateurs)",
        "Install the starter catalogue (about 20 indicators)",
    ),
    ("quality.process", "Processus", "Process"),
    ("quality.last_month", "Dernier mois", "Last month"),
    (
        "quality.quarter_to_date",
        "Trimestre en cours",
        "Quarter to date",
    ),
    ("quality.by_hand", "saisi chaque mois", "entered monthly"),
    ("quality.red_at", "rouge au-delà de", "red beyond"),
    ("quality.milestone", "jalon", "milestone"),
    ("quality.set_target", "Fixer l'objectif", "Set the target"),
    ("quality.enter_value", "Saisir une valeur", "Enter a value"),
    ("quality.save", "Enregistrer", "Save"),
    ("quality.month", "Mois", "Month"),
    ("quality.value", "Valeur", "Value"),
    (
        "quality.add_kpi",
        "Ajouter un indicateur",
        "Add an indicator",
    ),
    ("quality.unit", "Unité", "Unit"),
    (
        "quality.lower_is_better",
        "Plus bas, c'est mieux",
        "Lower is better",
    ),
    ("quality.period", "Période", "Period"),
    (
        "quality.period_hint",
        "trimestre\u{a0}: 2026-T3 · mois\u{a0}: 2026-10",
        "quarter: 2026-Q3 · month: 2026-10",
    ),
    ("quality.open_review", "Ouvrir la revue", "Open the review"),
    (
        "quality.no_review",
        "Aucune revue pour l'instant.",
        "No review yet.",
    ),
    ("quality.frozen_on", "le", "on"),
    (
        "quality.print",
        "Imprimer ou enregistrer en PDF",
        "Print or save as PDF",
    ),
    (
        "quality.trend",
        "Tendance (période précédente)",
        "Trend (previous period)",
    ),
    ("quality.decision", "Décision", "Decision"),
    (
        "quality.decision_needed",
        "Décision à prendre",
        "Decision needed",
    ),
    (
        "quality.decision.plan",
        "Axe de progrès\u{a0}: plan d'actions",
        "Axis of progress: action plan",
    ),
    (
        "quality.decision.no_action",
        "Pas d'action (justifiée)",
        "No action (justified)",
    ),
    (
        "quality.justification",
        "Justification ou axe de progrès",
        "Justification or axis of progress",
    ),
    ("quality.decide", "Décider", "Decide"),
    ("quality.minutes", "Compte rendu", "Minutes"),
    ("quality.attendees", "Participants", "Attendees"),
    (
        "quality.refresh",
        "Recalculer les chiffres",
        "Recompute the figures",
    ),
    ("quality.freeze", "Figer la revue", "Freeze the review"),
    (
        "quality.reopened.one",
        "rouverte {n} fois",
        "reopened {n} time",
    ),
    (
        "quality.reopened.other",
        "rouverte {n} fois",
        "reopened {n} times",
    ),
    ("quality.months.one", "{n} mois", "{n} month"),
    ("quality.answers.one", "{n} réponse", "{n} answer"),
    ("quality.answers.other", "{n} réponses", "{n} answers"),
    ("quality.months.other", "{n} mois", "{n} months"),
    (
        "quality.on_n.one",
        "sur {n} contact ou réponse",
        "on {n} contact or answer",
    ),
    (
        "quality.on_n.other",
        "sur {n} contacts ou réponses",
        "on {n} contacts or answers",
    ),
    (
        "quality.undecided.one",
        "{n} objectif manqué attend sa décision.",
        "{n} missed target awaits its decision.",
    ),
    (
        "quality.undecided.other",
        "{n} objectifs manqués attendent leur décision.",
        "{n} missed targets await their decision.",
    ),
    (
        "quality.review.quarterly",
        "Revue trimestrielle d'indicateurs",
        "Quarterly indicator review",
    ),
    (
        "quality.review.monthly",
        "Comité de processus mensuel",
        "Monthly process committee",
    ),
    ("quality.review_state.draft", "En préparation", "Draft"),
    ("quality.review_state.frozen", "Figée", "Frozen"),
    ("quality.quarter.1", "1er trimestre", "Q1"),
    ("quality.quarter.2", "2e trimestre", "Q2"),
    ("quality.quarter.3", "3e trimestre", "Q3"),
    ("quality.quarter.4", "4e trimestre", "Q4"),
    ("quality.milestone.q1", "Jalon T1", "Q1 milestone"),
    ("quality.milestone.q2", "Jalon T2", "Q2 milestone"),
    ("quality.milestone.q3", "Jalon T3", "Q3 milestone"),
    ("quality.milestone.q4", "Jalon T4", "Q4 milestone"),
    (
        "quality.origin.crossing",
        "Seuil inacceptable dépassé",
        "Unacceptable bound crossed",
    ),
    (
        "quality.origin.commitment_period",
        "Engagement non tenu sur la période",
        "Commitment missed over a period",
    ),
    (
        "quality.origin.kpi",
        "Indicateur sous son objectif",
        "Indicator below target",
    ),
    (
        "quality.origin.irritant",
        "Irritant en hausse",
        "Rising irritant",
    ),
    (
        "quality.origin.review",
        "Avis client négatif",
        "Negative customer review",
    ),
    (
        "quality.origin.complaint",
        "Réclamation client",
        "Customer complaint",
    ),
    (
        "quality.origin.survey",
        "Enquête de satisfaction",
        "Satisfaction survey",
    ),
    (
        "quality.origin.internal_check",
        "Contrôle interne",
        "Internal check",
    ),
    ("quality.origin.audit", "Audit", "Audit"),
    (
        "quality.origin.mystery_visit",
        "Visite mystère",
        "Mystery visit",
    ),
    (
        "quality.origin.field_report",
        "Remontée terrain",
        "Field report",
    ),
    ("quality.status.open", "Ouverte", "Open"),
    ("quality.status.planned", "Plan en cours", "Plan under way"),
    (
        "quality.status.checking",
        "Efficacité à confirmer",
        "Efficacy to confirm",
    ),
    (
        "quality.status.closed",
        "Close, conforme",
        "Closed, conforming",
    ),
    ("quality.status.reopened", "Rouverte", "Reopened"),
    (
        "quality.status.dismissed",
        "Classée sans suite",
        "Closed without action",
    ),
    ("quality.severity.minor", "Mineure", "Minor"),
    ("quality.severity.major", "Majeure", "Major"),
    ("quality.severity.critical", "Critique", "Critical"),
    ("quality.family.manpower", "Main-d'œuvre", "Manpower"),
    ("quality.family.methods", "Méthodes", "Methods"),
    ("quality.family.equipment", "Matériel", "Equipment"),
    ("quality.family.environment", "Milieu", "Environment"),
    ("quality.family.materials", "Matière", "Materials"),
    ("quality.family.measurement", "Mesure", "Measurement"),
    ("quality.family.management", "Management", "Management"),
    (
        "quality.kind.containment",
        "Action immédiate (confinement)",
        "Containment",
    ),
    (
        "quality.kind.corrective",
        "Action corrective",
        "Corrective action",
    ),
    (
        "quality.method.figure",
        "Chiffre mesuré par Pacte",
        "Figure measured by Pacte",
    ),
    ("quality.method.audit", "Audit", "Audit"),
    (
        "quality.method.field_check",
        "Contrôle terrain",
        "Field check",
    ),
    (
        "quality.method.mystery_visit",
        "Visite mystère",
        "Mystery visit",
    ),
    ("quality.method.", "—", "—"),
    (
        "quality.proposal.c",
        "la mesure indique\u{a0}: conforme",
        "the measure says: conforming",
    ),
    (
        "quality.proposal.nc",
        "la mesure indique\u{a0}: non conforme",
        "the measure says: non-conforming",
    ),
    (
        "quality.proposal.too_early",
        "trop tôt pour conclure",
        "too early to conclude",
    ),
    (
        "quality.proposal.no_data",
        "aucune donnée sur la période",
        "no data over the period",
    ),
    ("quality.verdict.c", "C — conforme", "C — conforming"),
    (
        "quality.verdict.nc",
        "NC — non conforme",
        "NC — non-conforming",
    ),
    ("quality.event.opened", "Ouverte", "Opened"),
    (
        "quality.event.detected",
        "Détectée dans les données",
        "Detected in the data",
    ),
    (
        "quality.event.seen_again",
        "Nouvelles occurrences",
        "New occurrences",
    ),
    (
        "quality.event.recurred",
        "Cause revenue\u{a0}: rouverte",
        "Cause came back: reopened",
    ),
    (
        "quality.event.analysed",
        "Analyse des causes",
        "Root-cause analysis",
    ),
    (
        "quality.event.action_added",
        "Action ajoutée",
        "Action added",
    ),
    ("quality.event.progress", "Avancement", "Progress"),
    (
        "quality.event.measured",
        "Efficacité mesurée",
        "Efficacy measured",
    ),
    (
        "quality.event.verdict_c",
        "Efficacité confirmée\u{a0}: conforme",
        "Efficacy confirmed: conforming",
    ),
    (
        "quality.event.verdict_nc",
        "Non conforme\u{a0}: plan rouvert",
        "Non-conforming: plan reopened",
    ),
    (
        "quality.event.dismissed",
        "Classée sans suite",
        "Closed without action",
    ),
    (
        "quality.event.shared",
        "Résultat partagé avec le client",
        "Outcome shared with the customer",
    ),
    ("quality.process.business", "Métier", "Business"),
    ("quality.process.support", "Support", "Support"),
    ("quality.process.management", "Management", "Management"),
    ("quality.unit.percent", "Pourcentage", "Percentage"),
    ("quality.unit.points", "Points", "Points"),
    ("quality.unit.count", "Nombre", "Count"),
    ("quality.unit.euros", "Euros", "Euros"),
    ("quality.unit.minutes", "Minutes", "Minutes"),
    ("quality.unit.score", "Note", "Score"),
    (
        "quality.figure.commitment",
        "Engagement tenu",
        "Commitment kept",
    ),
    ("quality.figure.nps", "NPS", "NPS"),
    (
        "quality.figure.csat",
        "Clients satisfaits (CSAT)",
        "Satisfied (CSAT)",
    ),
    (
        "quality.figure.ces",
        "Effort faible (CES)",
        "Low effort (CES)",
    ),
    (
        "quality.figure.solved",
        "Résolu au premier contact",
        "Solved at first contact",
    ),
    (
        "quality.figure.response_rate",
        "Taux de réponse",
        "Response rate",
    ),
    ("quality.figure.kpi", "Indicateur", "Indicator"),
    (
        "quality.figure.compensation",
        "Gestes commerciaux accordés (€)",
        "Compensation granted (€)",
    ),
    (
        "quality.figure.backlog",
        "Dossiers en attente",
        "Cases waiting",
    ),
    ("quality.paq.origin", "Origine", "Origin"),
    ("quality.paq.nc", "NC", "NC"),
    (
        "quality.paq.causes",
        "Analyse des causes",
        "Root-cause analysis",
    ),
    (
        "quality.paq.action",
        "Action à mettre en place et quand\u{a0}?",
        "Action to take, and when?",
    ),
    (
        "quality.paq.documents",
        "Documents internes liés",
        "Linked internal documents",
    ),
    ("quality.paq.pilot", "Pilote de l'action", "Action pilot"),
    ("quality.paq.actors", "Acteurs", "Actors"),
    (
        "quality.paq.check",
        "Vérification de l'efficacité de l'action (comment et quand\u{a0}?)",
        "Efficacy check (how and when?)",
    ),
    (
        "quality.paq.progress",
        "Avancée de l'action (ce qui est fait en %)",
        "Progress (% done)",
    ),
    (
        "quality.paq.efficacy",
        "Mesure de l'efficacité – date et C/NC",
        "Efficacy measure – date and C/NC",
    ),
    (
        "charter.title",
        "Charte d'engagements",
        "Charter of commitments",
    ),
    ("charter.new", "Nouvel engagement", "New commitment"),
    ("charter.ledger", "Gestes commerciaux", "Compensations"),
    ("charter.to_decide", "à décider", "to decide"),
    ("charter.public_page", "Page publique", "Public page"),
    (
        "charter.empty",
        "Aucun engagement publié pour l'instant.",
        "No commitment published yet.",
    ),
    (
        "charter.current",
        "Période en cours\u{a0}:",
        "Current period:",
    ),
    (
        "charter.interval",
        "intervalle à 95\u{a0}%\u{a0}:",
        "95% interval:",
    ),
    ("charter.required", "exigé", "required"),
    (
        "charter.previous",
        "Période précédente\u{a0}:",
        "Previous period:",
    ),
    ("charter.drafts", "Brouillons", "Drafts"),
    ("charter.backtested", "testé sur l'historique", "backtested"),
    (
        "charter.not_backtested",
        "pas encore testé sur l'historique",
        "not backtested yet",
    ),
    (
        "charter.at_risk",
        "Dossiers ouverts proches de l'échéance",
        "Open cases close to their bound",
    ),
    (
        "charter.none_at_risk",
        "Aucun dossier ouvert sous engagement.",
        "No open case under a commitment.",
    ),
    ("charter.commitment", "Engagement", "Commitment"),
    ("charter.remaining", "Temps restant", "Time left"),
    ("charter.overdue", "dépassé de", "overdue by"),
    (
        "charter.breaches",
        "Dépassements du seuil d'inacceptabilité",
        "Unacceptable crossings",
    ),
    ("charter.no_breach", "Aucun dépassement.", "No crossing."),
    ("charter.when", "Date", "When"),
    ("charter.measured", "Mesuré", "Measured"),
    ("charter.no_site", "Sans site", "No site"),
    ("charter.all_sites", "Tous sites", "All sites"),
    ("charter.wording", "Formulation publique", "Public wording"),
    ("charter.title_fr", "Titre (français)", "Title (French)"),
    ("charter.title_en", "Titre (anglais)", "Title (English)"),
    (
        "charter.wording_fr",
        "Promesse (français)",
        "Promise (French)",
    ),
    (
        "charter.wording_en",
        "Promesse (anglais)",
        "Promise (English)",
    ),
    (
        "charter.measure",
        "Mesure et périmètre",
        "Measure and scope",
    ),
    ("charter.metric", "Indicateur", "Metric"),
    (
        "charter.all_if_none",
        "(aucun coché : tous)",
        "(none ticked: all)",
    ),
    ("charter.bounds", "Seuils", "Bounds"),
    (
        "charter.nominal",
        "Service nominal (délai)",
        "Nominal service (delay)",
    ),
    ("charter.unit", "Unité", "Unit"),
    (
        "charter.requirement",
        "Seuil d'exigence (% des clients)",
        "Requirement (% of customers)",
    ),
    (
        "charter.unacceptable",
        "Seuil d'inacceptabilité (délai)",
        "Unacceptable bound (delay)",
    ),
    ("charter.period", "Période", "Period"),
    (
        "charter.business_time",
        "Compter en heures ouvrées (horaires du site, jours fériés exclus)",
        "Count in business hours (site hours, public holidays excluded)",
    ),
    (
        "charter.exclude_pending",
        "Exclure le temps d'attente d'une réponse du client",
        "Leave out time waiting for the customer",
    ),
    (
        "charter.consequences",
        "En cas de dépassement inacceptable",
        "On an unacceptable crossing",
    ),
    ("charter.gesture", "Geste commercial", "Gesture"),
    ("charter.amount", "Montant (€)", "Amount (€)"),
    ("charter.webhook", "Alerte (webhook)", "Alert (webhook)"),
    ("charter.save", "Enregistrer le brouillon", "Save draft"),
    (
        "charter.save_new_version",
        "Enregistrer comme nouvelle version",
        "Save as a new version",
    ),
    ("charter.published_at", "publié le", "published"),
    ("charter.backtest", "Tester sur l'historique", "Backtest"),
    (
        "charter.backtest_help",
        "Évaluez cet engagement sur les mois passés, site par site, pour ne promettre que ce que vous pouvez tenir. La publication l'exige.",
        "Evaluate this commitment on past months, site by site, to promise only what you can keep. Publishing requires it.",
    ),
    ("charter.months", "Mois", "Months"),
    ("charter.run_backtest", "Lancer le test", "Run backtest"),
    ("charter.month", "Mois", "Month"),
    ("charter.contacts", "contacts", "contacts"),
    (
        "charter.beyond",
        "au-delà du seuil d'inacceptabilité",
        "beyond the unacceptable bound",
    ),
    (
        "charter.no_history",
        "Aucun contact dans le périmètre sur cette période.",
        "No contact in scope over this period.",
    ),
    ("charter.publish", "Publier", "Publish"),
    (
        "charter.backtest_first",
        "Testez d'abord sur l'historique.",
        "Backtest first.",
    ),
    ("charter.versions", "Versions", "Versions"),
    ("charter.reason", "Motif", "Reason"),
    ("charter.decided_by", "Décidé par", "Decided by"),
    ("charter.by_rule", "la règle", "the rule"),
    (
        "charter.no_compensation",
        "Aucun geste enregistré.",
        "No gesture recorded.",
    ),
    ("charter.status.met", "Tenu", "Met"),
    (
        "charter.status.too_early",
        "Trop tôt pour conclure",
        "Too early to conclude",
    ),
    ("charter.status.in_progress", "En cours", "In progress"),
    (
        "charter.margin",
        "sur si peu de contacts, la part réelle est entre {lo} et {hi} (intervalle à 95\u{a0}%)",
        "on so few contacts, the true share lies between {lo} and {hi} (95% interval)",
    ),
    (
        "charter.margin_close",
        "trop près de l'objectif pour conclure\u{a0}: la part réelle est entre {lo} et {hi} (intervalle à 95\u{a0}%)",
        "too close to the target to conclude: the true share lies between {lo} and {hi} (95% interval)",
    ),
    ("charter.status.missed", "Non tenu", "Missed"),
    ("charter.status.no_data", "Pas de données", "No data"),
    ("charter.state.draft", "Brouillon", "Draft"),
    ("charter.state.published", "Publié", "Published"),
    ("charter.state.retired", "Remplacé", "Superseded"),
    ("charter.public.title", "Nos engagements", "Our commitments"),
    (
        "charter.public.intro",
        "Ce que nous vous promettons, et ce que nous avons réellement tenu, mesuré sur tous vos contacts.",
        "What we promise you, and what we actually kept, measured on all your contacts.",
    ),
    (
        "charter.public.none",
        "Aucun engagement publié.",
        "No commitment published.",
    ),
    (
        "charter.public.no_result",
        "Pas encore de résultat sur une période complète.",
        "No result over a full period yet.",
    ),
    (
        "charter.public.so_far",
        "Période en cours, à ce jour\u{a0}:",
        "Current period, so far:",
    ),
    ("charter.public.target", "Objectif\u{a0}:", "Target:"),
    (
        "charter.public.never",
        "personne au-delà de",
        "nobody beyond",
    ),
    ("charter.public.method_title", "Méthode", "Method"),
    (
        "charter.method",
        "Chaque contact du périmètre est mesuré automatiquement, sans échantillonnage, à partir des horodatages enregistrés (arrivée, prise en charge, réponse, résolution). Les délais en heures ouvrées suivent les horaires du site et excluent les jours fériés. Un contact compte dans la période où il a commencé ; un contact enregistré en retard corrige la période concernée.",
        "Every contact in scope is measured automatically, without sampling, from recorded times (arrival, call, answer, resolution). Business-hour delays follow the site's opening hours and leave out public holidays. A contact counts in the period it started in; a contact recorded late corrects that period.",
    ),
    (
        "charter.said.first_response",
        "{pct} % d'entre vous ont reçu une première réponse en moins de {within} {period}",
        "{pct} % of you got a first answer within {within} {period}",
    ),
    (
        "charter.said.resolution",
        "{pct} % de vos demandes ont été résolues en moins de {within} {period}",
        "{pct} % of your requests were solved within {within} {period}",
    ),
    (
        "charter.said.counter_wait",
        "{pct} % d'entre vous ont été pris en charge en moins de {within} {period}",
        "{pct} % of you were seen within {within} {period}",
    ),
    (
        "charter.said.phone_answer",
        "{pct} % de vos appels ont été décrochés en moins de {within} {period}",
        "{pct} % of your calls were answered within {within} {period}",
    ),
    (
        "charter.said.once_and_done",
        "{pct} % de vos demandes ont été réglées dès le premier contact {period}",
        "{pct} % of your requests were settled at the first contact {period}",
    ),
    (
        "metric.first_response",
        "Délai de première réponse",
        "First response delay",
    ),
    (
        "metric.resolution",
        "Délai de résolution",
        "Resolution delay",
    ),
    (
        "metric.counter_wait",
        "Attente au guichet",
        "Counter waiting time",
    ),
    (
        "metric.phone_answer",
        "Délai de décroché",
        "Phone answer delay",
    ),
    (
        "metric.once_and_done",
        "Part réglée au premier contact",
        "Once & done share",
    ),
    ("period.week", "Semaine", "Week"),
    ("period.month", "Mois", "Month"),
    ("period.quarter", "Trimestre", "Quarter"),
    ("unit.min", "minutes", "minutes"),
    ("unit.h", "heures", "hours"),
    ("unit.d", "jours", "days"),
    ("compensation.granted", "Accordé", "Granted"),
    ("compensation.proposed", "Proposé", "Proposed"),
    ("compensation.refused", "Refusé", "Refused"),
    ("compensation.grant", "Accorder", "Grant"),
    ("compensation.refuse", "Refuser", "Refuse"),
    ("counter.title", "Guichet", "Counter"),
    ("counter.kiosk", "Borne d'accueil", "Kiosk"),
    ("counter.your_ticket", "Votre numéro", "Your number"),
    (
        "counter.ahead",
        "personne(s) avant vous",
        "person(s) before you",
    ),
    (
        "counter.customer_number",
        "Numéro client (facultatif)",
        "Customer number (optional)",
    ),
    (
        "counter.customer_number_help",
        "Avec votre numéro, votre conseiller retrouve votre dossier sans vous redemander vos informations.",
        "With your number, the advisor finds your record without asking you again.",
    ),
    ("counter.waiting", "en attente", "waiting"),
    ("counter.ticket", "Numéro", "Number"),
    ("counter.desk", "Guichet", "Desk"),
    (
        "counter.nobody_called",
        "Aucun numéro appelé pour l'instant.",
        "No number called yet.",
    ),
    ("counter.default_desk", "Guichet 1", "Desk 1"),
    ("counter.take_desk", "Prendre ce guichet", "Use this desk"),
    ("counter.serving", "En cours :", "Serving:"),
    ("counter.note", "Note", "Note"),
    (
        "counter.unsolved",
        "Demande non réglée au guichet (le dossier reste ouvert)",
        "Not settled at the counter (the case stays open)",
    ),
    ("counter.served", "Terminé", "Done"),
    ("counter.no_show", "Absent", "No show"),
    ("counter.queue", "File d'attente", "Queue"),
    ("counter.service", "Service", "Service"),
    ("counter.next", "Prochain", "Next"),
    ("counter.call", "Appeler", "Call"),
    ("counter.call_next", "Appeler le suivant", "Call next"),
    (
        "counter.error.unknown_customer",
        "Ce numéro client est inconnu : prenez un ticket sans numéro, le conseiller vous aidera.",
        "This customer number is unknown: take a ticket without it, the advisor will help you.",
    ),
    (
        "counter.error.invalid_customer_number",
        "Ce numéro client n'est pas valide.",
        "This customer number is not valid.",
    ),
    (
        "counter.error.unknown_service",
        "Ce service n'existe pas.",
        "No such service.",
    ),
    (
        "admin.counter_services",
        "Services au guichet",
        "Counter services",
    ),
    (
        "metric.chat_answer",
        "Délai de prise en charge du chat",
        "Chat answer delay",
    ),
    (
        "charter.said.chat_answer",
        "{pct} % de vos conversations de chat ont été prises en charge en moins de {within} {period}",
        "{pct} % of your chats were picked up within {within} {period}",
    ),
    (
        "admin.closures",
        "Fermetures exceptionnelles",
        "Extra closures",
    ),
    ("admin.save", "Enregistrer", "Save"),
    (
        "admin.closures_help",
        "Jours fériés français comptés d'office ; ajoutez les fermetures propres au site (AAAA-MM-JJ, séparées par des virgules). Les délais en heures ouvrées les excluent.",
        "French public holidays are counted already; add the site's own closures (YYYY-MM-DD, comma-separated). Business-hour delays leave them out.",
    ),
    (
        "case.due",
        "Échéance de l'engagement",
        "Commitment deadline",
    ),
    ("role.kiosk", "Borne d'accueil", "Kiosk"),
    ("nav.voice", "Voix du client", "Voice of the customer"),
    ("nav.reviews", "Avis", "Reviews"),
    (
        "event.survey_answered",
        "Réponse à l'enquête",
        "Survey answered",
    ),
    (
        "event.callback_task",
        "Rappel demandé",
        "Call-back requested",
    ),
    (
        "invitation.link",
        "Lien à donner au client :",
        "Link to give the customer:",
    ),
    ("invitation.scheduled", "prévue", "scheduled"),
    ("invitation.sent", "envoyée par courriel", "sent by email"),
    (
        "invitation.shown",
        "lien à donner (pas d'adresse ou de boîte d'envoi)",
        "link to give (no address or sending mailbox)",
    ),
    ("invitation.skipped", "non envoyée", "not sent"),
    ("invitation.answered", "répondue", "answered"),
    (
        "invitation.reason.opt_out",
        "le client ne veut plus d'enquêtes",
        "the customer opted out",
    ),
    (
        "invitation.reason.fatigue",
        "déjà sollicité récemment",
        "surveyed recently",
    ),
    (
        "invitation.reason.answered",
        "déjà répondu pour ce dossier",
        "already answered for this case",
    ),
    (
        "invitation.reason.case_reopened",
        "dossier rouvert entre-temps",
        "case reopened meanwhile",
    ),
    ("public.too_many", "Trop d'envois", "Too many submissions"),
    (
        "public.retry_in",
        "Merci de réessayer dans",
        "Please try again in",
    ),
    ("survey.title", "Votre avis", "Your opinion"),
    ("survey.about", "À propos de :", "About:"),
    (
        "survey.solved_q",
        "Votre demande est-elle résolue ?",
        "Has your request been solved?",
    ),
    ("survey.yes", "Oui", "Yes"),
    ("survey.no", "Non", "No"),
    ("survey.solved_yes", "résolu", "solved"),
    ("survey.solved_no", "non résolu", "not solved"),
    ("survey.importance", "Importance", "Importance"),
    ("survey.satisfaction", "Satisfaction", "Satisfaction"),
    ("survey.send", "Envoyer ma réponse", "Send my answer"),
    (
        "survey.privacy",
        "Votre réponse sert uniquement à améliorer nos services.",
        "Your answer is used only to improve our services.",
    ),
    (
        "survey.stop",
        "Ne plus recevoir d'enquêtes",
        "Stop receiving surveys",
    ),
    (
        "survey.stop_confirm",
        "Vous ne recevrez plus aucune enquête de notre part.",
        "You will receive no more surveys from us.",
    ),
    (
        "survey.stopped",
        "C'est noté : vous ne recevrez plus d'enquêtes.",
        "Done: you will receive no more surveys.",
    ),
    (
        "survey.thanks",
        "Merci pour votre réponse",
        "Thank you for your answer",
    ),
    (
        "survey.reopened",
        "Nous avons rouvert votre demande : un conseiller va vous rappeler.",
        "We have reopened your request: an advisor will call you back.",
    ),
    (
        "survey.review_offer",
        "Vous pouvez aussi partager votre expérience publiquement.",
        "You can also share your experience publicly.",
    ),
    (
        "survey.review_link",
        "Écrire un avis vérifié",
        "Write a verified review",
    ),
    (
        "survey.low.nps",
        "0 = pas du tout probable",
        "0 = not at all likely",
    ),
    (
        "survey.high.nps",
        "10 = très probable",
        "10 = extremely likely",
    ),
    (
        "survey.low.ces",
        "1 = pas du tout d'accord",
        "1 = strongly disagree",
    ),
    (
        "survey.high.ces",
        "7 = tout à fait d'accord",
        "7 = strongly agree",
    ),
    (
        "survey.low.csat",
        "1 = très insatisfait",
        "1 = very dissatisfied",
    ),
    (
        "survey.high.csat",
        "5 = très satisfait",
        "5 = very satisfied",
    ),
    ("survey.closed.forged", "Lien invalide", "Invalid link"),
    (
        "survey.closed.forged.text",
        "Ce lien n'est pas reconnu : il a peut-être été mal copié. Rien n'a été enregistré.",
        "This link is not recognised: it may have been copied incompletely. Nothing was recorded.",
    ),
    ("survey.closed.expired", "Lien expiré", "Link expired"),
    (
        "survey.closed.expired.text",
        "Ce lien n'est plus valable. Merci de votre intérêt.",
        "This link is no longer valid. Thank you for your interest.",
    ),
    (
        "survey.closed.answered",
        "Réponse déjà enregistrée",
        "Answer already recorded",
    ),
    (
        "survey.closed.answered.text",
        "Une réponse a déjà été donnée avec ce lien : elle ne peut être donnée qu'une fois.",
        "An answer was already given with this link: it can be given only once.",
    ),
    (
        "task.to_do",
        "rappel(s) à faire : des clients disent que leur demande n'est pas résolue",
        "call-back(s) to make: customers say their request is not solved",
    ),
    (
        "task.callback",
        "Rappeler le client",
        "Call the customer back",
    ),
    ("task.due", "À faire avant le", "Due by"),
    ("task.done", "Rappel fait", "Call-back done"),
    ("task.done_at", "Fait le", "Done on"),
    ("review.write", "Votre avis", "Your review"),
    ("review.about", "Votre expérience :", "Your experience:"),
    (
        "review.how_published",
        "Votre avis sera publié tel quel, sans filtre ni retouche, avec votre prénom, l'initiale de votre nom et la date de votre expérience, du plus récent au plus ancien ; l'organisation pourra y répondre publiquement. Vous pourrez le retirer avec ce même lien. Il n'est écarté que pour une raison légale (propos injurieux, données personnelles, hors sujet, contenu illicite, publicité), qui vous sera indiquée. Publication :",
        "Your review will be published as written, unfiltered and unedited, with your first name, your surname's initial and the date of your experience, newest first; the organisation may reply publicly. You can withdraw it with this same link. It is only set aside for a legal reason (insults, personal data, off-topic, unlawful content, advertising), which you will be told. Published at:",
    ),
    (
        "review.valid_until",
        "Lien valable jusqu'au",
        "Link valid until",
    ),
    ("review.stars", "Votre note", "Your rating"),
    (
        "review.comment",
        "Votre avis (500 caractères au plus)",
        "Your review (at most 500 characters)",
    ),
    ("review.publish", "Publier mon avis", "Publish my review"),
    (
        "review.thanks",
        "Merci, votre avis est publié",
        "Thank you, your review is published",
    ),
    ("review.yours", "Votre avis", "Your review"),
    ("review.withdraw", "Retirer mon avis", "Withdraw my review"),
    ("review.forged", "Lien invalide", "Invalid link"),
    ("review.expired", "Invitation expirée", "Invitation expired"),
    (
        "review.expired.text",
        "Une invitation à donner son avis vaut 50 jours après l'expérience.",
        "An invitation to review is valid 50 days after the experience.",
    ),
    (
        "review.reply",
        "Réponse de l'organisation :",
        "The organisation's reply:",
    ),
    ("review.status.published", "Publié", "Published"),
    ("review.status.rejected", "Non publié", "Not published"),
    (
        "review.status.withdrawn",
        "Retiré par son auteur",
        "Withdrawn by its author",
    ),
    (
        "review.reason.insulting",
        "propos injurieux, menaçants ou diffamatoires",
        "insulting, threatening or defamatory",
    ),
    (
        "review.reason.personal_data",
        "données personnelles d'un tiers",
        "someone's personal data",
    ),
    (
        "review.reason.unrelated",
        "sans rapport avec l'expérience",
        "unrelated to the experience",
    ),
    (
        "review.reason.unlawful",
        "contenu illicite ou discriminatoire",
        "unlawful or discriminatory content",
    ),
    (
        "review.reason.commercial",
        "publicité ou conflit d'intérêts",
        "advertising or conflict of interest",
    ),
    ("review.flag", "Signaler", "Report"),
    ("review.flag_reason", "Motif", "Reason"),
    ("review.flag.insulting", "Injurieux", "Insulting"),
    (
        "review.flag.personal_data",
        "Données personnelles",
        "Personal data",
    ),
    ("review.flag.unrelated", "Hors sujet", "Off-topic"),
    ("review.flag.fake", "Faux avis", "Fake review"),
    (
        "review.flag_thanks",
        "Merci, votre signalement sera examiné.",
        "Thank you, your report will be looked at.",
    ),
    ("review.flags", "signalement(s)", "report(s)"),
    (
        "review.of_case",
        "Avis sur ce dossier :",
        "Review of this case:",
    ),
    ("review.one", "Avis :", "Review:"),
    ("review.see", "voir", "see"),
    ("review.public_reply", "Réponse publique", "Public reply"),
    (
        "review.send_reply",
        "Publier la réponse",
        "Publish the reply",
    ),
    ("review.reject", "Ne pas publier", "Do not publish"),
    ("review.reject_for", "Motif légal", "Legal reason"),
    ("review.public.title", "Avis clients", "Customer reviews"),
    (
        "review.public.method",
        "Avis vérifiés : seuls des clients invités après une expérience réelle (dossier traité, visite en agence, achat) peuvent écrire, une fois, dans les 50 jours. Tous les avis sont publiés, du plus récent au plus ancien, sans filtre ; un avis n'est écarté que pour une raison légale indiquée à son auteur (NF ISO 20488).",
        "Verified reviews: only customers invited after a real experience (a handled case, an agency visit, a purchase) can write, once, within 50 days. Every review is published, newest first, unfiltered; a review is only set aside for a legal reason given to its author (ISO 20488).",
    ),
    (
        "review.public.none",
        "Aucun avis publié pour l'instant.",
        "No review published yet.",
    ),
    ("review.public.count", "avis", "reviews"),
    (
        "review.public.distribution",
        "Répartition des notes",
        "Distribution of ratings",
    ),
    ("review.public.experience", "expérience du", "experience of"),
    ("review.public.published", "publié le", "published"),
    ("review.public.reply", "Réponse de", "Reply from"),
    ("review.public.older", "Avis plus anciens", "Older reviews"),
    ("alert.seen", "Vu", "Seen"),
    ("alert.was_seen", "vu", "seen"),
    ("alert.detractor", "Détracteur", "Detractor"),
    (
        "alert.difficult",
        "Expérience difficile",
        "Difficult experience",
    ),
    (
        "alert.dissatisfied",
        "Client insatisfait",
        "Dissatisfied customer",
    ),
    ("alert.negative_review", "Avis négatif", "Negative review"),
    (
        "trigger.case_solved",
        "après un dossier résolu",
        "after a solved case",
    ),
    (
        "trigger.counter_visit",
        "après une visite en agence",
        "after an agency visit",
    ),
    (
        "trigger.periodic",
        "périodique (échantillon)",
        "periodic (sample)",
    ),
    ("trigger.manual", "à la demande", "on demand"),
    ("zone.strength", "Points forts", "Strengths"),
    ("zone.urgent", "Urgent", "Urgent"),
    ("zone.watch", "À surveiller", "Watch"),
    ("zone.medium_term", "Moyen terme", "Medium term"),
    ("voice.title", "Voix du client", "Voice of the customer"),
    ("voice.settings", "Enquêtes et thèmes", "Surveys and themes"),
    ("voice.case_title", "Satisfaction", "Satisfaction"),
    (
        "voice.customer_title",
        "Enquêtes et avis",
        "Surveys and reviews",
    ),
    (
        "voice.opted_out",
        "Ne veut plus recevoir d'enquêtes.",
        "Opted out of surveys.",
    ),
    ("voice.from", "Du mois", "From"),
    ("voice.to", "au mois", "to"),
    ("voice.by", "Par", "By"),
    ("voice.dim.site", "site", "site"),
    ("voice.dim.channel", "canal", "channel"),
    ("voice.dim.team", "équipe", "team"),
    ("voice.dim.category", "catégorie", "category"),
    ("voice.answers", "Réponses", "Answers"),
    (
        "voice.ppd",
        "Promoteurs / passifs / détracteurs",
        "Promoters / passives / detractors",
    ),
    ("voice.easy", "Part « facile » (5–7)", "Share easy (5–7)"),
    (
        "voice.satisfied",
        "Part satisfaits (4–5)",
        "Share satisfied (4–5)",
    ),
    ("voice.solved", "Résolu", "Solved"),
    ("voice.response_rate", "Taux de réponse", "Response rate"),
    ("voice.total", "Ensemble", "All"),
    ("voice.trend", "Évolution mensuelle", "Monthly trend"),
    ("voice.no_survey", "Aucune enquête.", "No survey."),
    ("voice.irritants", "Principaux irritants", "Top irritants"),
    (
        "voice.no_irritant",
        "Aucun verbatim négatif sur la période.",
        "No negative verbatim in the period.",
    ),
    ("voice.negative_of", "négatifs sur", "negative out of"),
    ("voice.alerts", "Alertes", "Alerts"),
    ("voice.no_alert", "Aucune alerte.", "No alert."),
    (
        "voice.mapping",
        "Mapping de satisfaction",
        "Satisfaction mapping",
    ),
    (
        "voice.mapping_method",
        "Importance (verticale) et satisfaction (horizontale) moyennes de chaque critère, de 1 à 5 ; les axes se croisent à la moyenne des critères.",
        "Mean importance (vertical) and satisfaction (horizontal) of each criterion, 1 to 5; the axes cross at the criteria's mean.",
    ),
    (
        "voice.no_answer",
        "Aucune réponse sur la période.",
        "No answer in the period.",
    ),
    ("voice.surveys", "Enquêtes", "Surveys"),
    ("voice.survey", "Enquête", "Survey"),
    ("voice.kind", "Type", "Kind"),
    ("voice.trigger", "Déclenchement", "Trigger"),
    ("voice.inactive", "inactive", "inactive"),
    ("voice.sample", "Échantillon", "Sample"),
    ("voice.send", "Envoyer maintenant", "Send now"),
    ("voice.rules", "Thèmes des verbatims", "Verbatim themes"),
    (
        "voice.rules_help",
        "Mots ou expressions séparés par des virgules ; les formes d'un même mot se rejoignent (attente, attendre, attendu). Enregistrer une règle reclasse toutes les réponses.",
        "Words or phrases separated by commas; forms of one word meet (wait, waiting, waited). Saving a rule re-tags every answer.",
    ),
    ("voice.theme", "Thème", "Theme"),
    ("voice.keywords", "Mots-clés", "Keywords"),
    ("voice.lang", "Langue", "Language"),
    ("voice.delete", "Supprimer", "Delete"),
    ("voice.save_rule", "Enregistrer le thème", "Save the theme"),
    (
        "voice.scheduled",
        "Invitations prévues (envoi dans l'instant) :",
        "Invitations scheduled (sent at once):",
    ),
    (
        "voice.retagged",
        "Réponses reclassées :",
        "Answers re-tagged:",
    ),
    (
        "voice.org_settings",
        "Règles d'envoi et alertes",
        "Sending rules and alerts",
    ),
    (
        "voice.fatigue",
        "Au plus une enquête par client tous les (jours)",
        "At most one survey per customer every (days)",
    ),
    (
        "voice.webhook",
        "Webhook des alertes (facultatif)",
        "Alert webhook (optional)",
    ),
    ("voice.save", "Enregistrer", "Save"),
    ("voice.question", "Question", "Question"),
    ("voice.why", "Question ouverte", "Open question"),
    (
        "voice.channels",
        "Canaux (vide = tous)",
        "Channels (empty = all)",
    ),
    (
        "voice.delay",
        "Délai après l'événement (minutes)",
        "Delay after the event (minutes)",
    ),
    ("voice.every_days", "Tous les (jours)", "Every (days)"),
    ("voice.active", "Active", "Active"),
    ("nav.kb", "Base de connaissances", "Knowledge base"),
    ("kb.title", "Base de connaissances", "Knowledge base"),
    ("kb.count.one", "{n} article", "{n} article"),
    ("kb.count.other", "{n} articles", "{n} articles"),
    ("kb.published_count.one", "{n} publié", "{n} published"),
    ("kb.published_count.other", "{n} publiés", "{n} published"),
    ("kb.new", "Nouvel article", "New article"),
    (
        "kb.rules",
        "Passage à un conseiller",
        "Handoff to an advisor",
    ),
    (
        "kb.rules_help",
        "Le bot passe la main à un conseiller à la première règle active qui s'applique, dans l'ordre du tableau\u{a0}; le code est la raison donnée au conseiller et dans les rapports. Expressions séparées par des virgules (les formes d'un même mot se rejoignent). Seuils\u{a0}: confiance de 0 à 1\u{a0}; écart entre les deux meilleurs articles en part de la confiance du premier\u{a0}; nombre de réponses inutiles\u{a0}; minutes. Videz le code d'une ligne pour la supprimer.",
        "The bot hands over to an advisor at the first enabled rule that applies, in the table's order; the code is the reason the advisor and the reports see. Phrases separated by commas (forms of one word meet). Thresholds: a confidence from 0 to 1; the gap between the two best articles as a share of the first one's confidence; a number of unhelpful answers; minutes. Empty a row's code to remove it.",
    ),
    ("kb.try", "Essayer le bot", "Try the bot"),
    (
        "kb.question",
        "Question d'un client",
        "A customer's question",
    ),
    ("kb.lang", "Langue", "Language"),
    ("kb.ask", "Demander", "Ask"),
    (
        "kb.handoff",
        "Le bot passe la main à un conseiller",
        "The bot hands over to an advisor",
    ),
    ("kb.reason", "raison\u{a0}:", "reason:"),
    ("help.title", "Aide", "Help"),
    ("nav.chat", "Chat", "Chat"),
    ("chat.title", "Chat en direct", "Live chat"),
    ("chat.anonymous", "Visiteur anonyme", "Anonymous visitor"),
    ("chat.who", "Client", "Customer"),
    ("chat.state", "État", "Status"),
    ("chat.reason", "Raison du passage", "Handoff reason"),
    ("chat.colon", "\u{a0}:", ":"),
    ("chat.waiting", "Attend depuis", "Waiting for"),
    (
        "chat.none",
        "Aucune conversation en attente ni en cours.",
        "No conversation waiting or under way.",
    ),
    ("chat.status.bot", "avec le bot", "with the bot"),
    (
        "chat.status.waiting",
        "en attente d'un conseiller",
        "waiting for an advisor",
    ),
    ("chat.status.open", "en cours", "under way"),
    ("chat.status.closed", "terminée", "ended"),
    ("chat.conversation", "Conversation", "Conversation"),
    ("chat.record", "Fiche du client", "Customer record"),
    ("chat.author.visitor", "Client", "Customer"),
    ("chat.author.bot", "Bot", "Bot"),
    ("chat.author.advisor", "Conseiller", "Advisor"),
    ("chat.author.system", "Pacte", "Pacte"),
    (
        "chat.handed_over",
        "Passage à un conseiller\u{a0}:",
        "Handed over:",
    ),
    ("chat.helped", "La réponse a aidé.", "The answer helped."),
    (
        "chat.not_helped",
        "La réponse n'a pas aidé.",
        "The answer did not help.",
    ),
    (
        "chat.accepted",
        "a pris la conversation.",
        "took the conversation.",
    ),
    (
        "chat.closed",
        "Conversation terminée.",
        "Conversation ended.",
    ),
    (
        "chat.accept",
        "Prendre la conversation",
        "Take the conversation",
    ),
    ("chat.reply", "Votre réponse", "Your reply"),
    ("chat.send", "Envoyer", "Send"),
    (
        "chat.end",
        "Terminer la conversation",
        "End the conversation",
    ),
    ("chat.report.title", "Rapport du chat", "Chat report"),
    (
        "chat.presence",
        "Ma présence sur le chat\u{a0}:",
        "My presence on the chat:",
    ),
    ("chat.presence.available", "Disponible", "Available"),
    ("chat.presence.busy", "Occupé", "Busy"),
    ("chat.presence.away", "Absent", "Away"),
    (
        "chat.presence.note",
        "Quand personne n'est disponible ou occupé (console fermée depuis deux minutes, ou hors des horaires du site), le chat propose au client de laisser un message, qui devient un dossier e-mail.",
        "When nobody is available or busy (console closed for two minutes, or outside the site's hours), the chat offers the customer to leave a message, which becomes an email case.",
    ),
    ("chat.report.value", "Nombre", "Count"),
    ("chat.report.share", "Part", "Share"),
    (
        "chat.report.conversations",
        "Conversations",
        "Conversations",
    ),
    (
        "chat.report.contained",
        "Traitées par le bot seul (avec au moins une réponse)",
        "Handled by the bot alone (with at least one answer)",
    ),
    (
        "chat.report.confirmed",
        "… dont la réponse a aidé, selon le client",
        "… of which the customer said the answer helped",
    ),
    (
        "chat.report.verified",
        "… dont résolues par le bot (vérifié)",
        "… of which resolved by the bot (verified)",
    ),
    (
        "chat.report.pending",
        "… dont en cours de vérification (moins de 7\u{a0}jours)",
        "… of which being verified (under 7 days)",
    ),
    (
        "chat.report.unverifiable",
        "… dont invérifiables (visiteur anonyme, sans réponse à «\u{a0}Cela répond-il à votre question\u{a0}?\u{a0}»)",
        "… of which unverifiable (anonymous visitor, no answer to \"Does this answer your question?\")",
    ),
    (
        "chat.report.handoffs",
        "Passages à un conseiller",
        "Handoffs to an advisor",
    ),
    (
        "chat.report.answered",
        "… dont répondus par un conseiller",
        "… of which answered by an advisor",
    ),
    (
        "chat.report.abandoned",
        "… dont terminés sans réponse d'un conseiller",
        "… of which ended without an advisor's answer",
    ),
    (
        "chat.report.wait_p50",
        "Délai médian jusqu'à un conseiller",
        "Median time to an advisor",
    ),
    (
        "chat.report.wait_p90",
        "Délai jusqu'à un conseiller pour 90\u{a0}% des clients",
        "Time to an advisor for 90% of customers",
    ),
    (
        "chat.report.within_60s",
        "Répondus en moins de 60\u{a0}secondes",
        "Answered within 60 seconds",
    ),
    (
        "chat.report.rule",
        "Comment se calcule la résolution par le bot\u{a0}: une conversation jamais passée à un conseiller, où le bot a répondu, compte comme résolue si le client a dit que la réponse l'avait aidé, ou si, connu de nous, il ne nous a recontactés sur aucun canal (e-mail, téléphone, chat, agence…) dans les 7\u{a0}jours qui suivent. Un visiteur anonyme qui n'a rien dit ne peut pas être vérifié et n'est pas compté comme résolu. Les conversations comptent dans le mois où elles ont commencé\u{a0}; les délais vont du passage à un conseiller à sa première réponse.",
        "How the bot's resolution is computed: a conversation never handed over, in which the bot answered, counts as resolved if the customer said the answer helped, or if, known to us, they did not contact us again on any channel (email, phone, chat, counter…) within the next 7 days. An anonymous visitor who said nothing cannot be verified and is not counted as resolved. Conversations count in the month they started; times run from the handoff to the advisor's first answer.",
    ),
    (
        "chat.report.reasons",
        "Passages par raison",
        "Handoffs by reason",
    ),
    (
        "chat.report.advisors",
        "Charge des conseillers",
        "Advisors' load",
    ),
    (
        "chat.report.taken",
        "Conversations prises",
        "Conversations taken",
    ),
    (
        "chat.report.no_handoff",
        "Aucun passage à un conseiller sur la période.",
        "No handoff in the period.",
    ),
    (
        "chat.report.no_advisor",
        "Aucune conversation prise sur la période.",
        "No conversation taken in the period.",
    ),
    (
        "help.intro",
        "Posez votre question dans la fenêtre de discussion, en bas à droite\u{a0}: notre assistant répond tout de suite à partir de nos fiches, et passe la main à un conseiller quand il le faut, ou dès que vous le demandez.",
        "Ask your question in the chat window, bottom right: our assistant answers at once from our articles, and hands over to an advisor when needed, or as soon as you ask.",
    ),
    (
        "help.charter",
        "Nos engagements de service et leurs résultats",
        "Our service commitments and their results",
    ),
    (
        "kb.more",
        "Seuls les 500\u{a0}articles modifiés le plus récemment sont affichés\u{a0}: filtrez par les mots du titre.",
        "Only the 500 articles changed most recently are shown: filter by words of the title.",
    ),
    (
        "kb.weighed",
        "Articles envisagés\u{a0}:",
        "Articles considered:",
    ),
    ("kb.confidence", "confiance", "confidence"),
    ("kb.imported", "Import terminé", "Import done"),
    ("kb.created", "créés\u{a0}:", "created:"),
    ("kb.updated", "mis à jour\u{a0}:", "updated:"),
    ("kb.unchanged", "inchangés\u{a0}:", "unchanged:"),
    ("kb.refused", "refusés\u{a0}:", "refused:"),
    ("kb.line", "Ligne", "Line"),
    ("kb.why", "Raison", "Reason"),
    ("kb.articles_title", "Articles", "Articles"),
    ("kb.filter_title", "Mots du titre", "Words of the title"),
    ("kb.status", "État", "Status"),
    ("kb.all", "Tous", "All"),
    ("kb.state.published", "Publié", "Published"),
    ("kb.state.draft", "Brouillon", "Draft"),
    ("kb.filter", "Filtrer", "Filter"),
    (
        "kb.article_title",
        "Titre (la question)",
        "Title (the question)",
    ),
    ("kb.updated_at", "Modifié le", "Changed"),
    ("kb.none", "Aucun article.", "No article."),
    ("kb.import", "Importer un fichier", "Import a file"),
    (
        "kb.import_help",
        "JSONL (un objet par ligne) ou CSV avec une ligne d'en-tête. Champs\u{a0}: external_id, title, short_answer, body, keywords, variants, lang, published. Un article déjà importé (même external_id) est mis à jour, jamais dupliqué\u{a0}; les lignes refusées sont listées avec leur raison.",
        "JSONL (one object per line) or CSV with a header line. Fields: external_id, title, short_answer, body, keywords, variants, lang, published. An article imported before (same external_id) is updated, never duplicated; refused lines are listed with their reason.",
    ),
    (
        "kb.file",
        "Fichier (.jsonl ou .csv)",
        "File (.jsonl or .csv)",
    ),
    (
        "kb.columns",
        "Correspondance des colonnes (CHAMP=CLÉ, séparées par des virgules)",
        "Column mapping (FIELD=KEY, separated by commas)",
    ),
    ("kb.import_button", "Importer", "Import"),
    (
        "kb.short_answer",
        "Réponse courte (ce que montre le bot)",
        "Short answer (what the bot shows)",
    ),
    ("kb.body", "Texte complet", "Full text"),
    (
        "kb.keywords",
        "Mots-clés (séparés par des virgules)",
        "Keywords (separated by commas)",
    ),
    ("kb.external_id", "Identifiant externe", "External id"),
    (
        "kb.publish",
        "Publié (le bot peut répondre avec)",
        "Published (the bot may answer with it)",
    ),
    ("kb.save", "Enregistrer", "Save"),
    (
        "kb.variants",
        "Autres façons de poser la question",
        "Other ways of asking",
    ),
    (
        "kb.variants_help",
        "Ajoutez la question telle qu'un client l'a posée\u{a0}: le bot la reconnaîtra.",
        "Add the question as a customer asked it: the bot will recognise it.",
    ),
    ("kb.source.import", "importée", "imported"),
    (
        "kb.source.advisor",
        "ajoutée par un conseiller",
        "added by an advisor",
    ),
    ("kb.remove", "retirer", "remove"),
    ("kb.no_variants", "Aucune pour l'instant.", "None yet."),
    (
        "kb.variant",
        "Question telle qu'un client l'a posée",
        "The question as a customer asked it",
    ),
    ("kb.add_variant", "Ajouter", "Add"),
    (
        "kb.delete_confirm",
        "Supprimer définitivement cet article",
        "Delete this article for good",
    ),
    ("kb.delete", "Supprimer", "Delete"),
    ("kb.rule_on", "Active", "On"),
    ("kb.rule_code", "Code (raison)", "Code (reason)"),
    ("kb.rule_kind", "Type", "Kind"),
    ("kb.rule_words", "Expressions", "Phrases"),
    ("kb.rule_value", "Seuil", "Threshold"),
    ("kb.rule_new", "nouvelle règle", "new rule"),
    (
        "bot.kind.request",
        "Demande explicite d'un conseiller",
        "Explicit request for an advisor",
    ),
    ("bot.kind.anger", "Colère, irritation", "Anger, irritation"),
    ("bot.kind.topic", "Sujet sensible", "Sensitive topic"),
    (
        "bot.kind.open_complaint",
        "Réclamation en cours au dossier",
        "Open complaint on record",
    ),
    (
        "bot.kind.unhelpful",
        "Réponses inutiles à la suite",
        "Unhelpful answers in a row",
    ),
    (
        "bot.kind.too_long",
        "Trop long avec le bot (minutes)",
        "Too long with the bot (minutes)",
    ),
    (
        "bot.kind.low_confidence",
        "Confiance trop faible",
        "Confidence too low",
    ),
    (
        "bot.kind.ambiguous",
        "Deux articles trop proches",
        "Two articles too close",
    ),
    (
        "bot.reason.request",
        "le client demande un conseiller",
        "the customer asks for an advisor",
    ),
    (
        "bot.reason.anger",
        "colère ou irritation",
        "anger or irritation",
    ),
    ("bot.reason.complaint", "réclamation", "complaint"),
    ("bot.reason.cancellation", "résiliation", "cancellation"),
    ("bot.reason.compensation", "indemnisation", "compensation"),
    (
        "bot.reason.open_complaint",
        "réclamation en cours au dossier",
        "open complaint on record",
    ),
    (
        "bot.reason.unhelpful",
        "des réponses n'ont pas aidé",
        "answers did not help",
    ),
    (
        "bot.reason.too_long",
        "trop long avec le bot",
        "too long with the bot",
    ),
    (
        "bot.reason.low_confidence",
        "aucun article assez sûr",
        "no article sure enough",
    ),
    (
        "bot.reason.ambiguous",
        "deux articles trop proches pour choisir",
        "two articles too close to choose",
    ),
    (
        "bot.reason.no_article",
        "aucun article ne s'en approche",
        "no article comes near",
    ),
    ("done.kb_deleted", "Article supprimé.", "Article deleted."),
    (
        "done.kb_variant",
        "Question ajoutée à l'article.",
        "Question added to the article.",
    ),
    (
        "refusal.invalid_question",
        "de 1 à 2\u{a0}000 caractères de texte",
        "1 to 2,000 characters of text",
    ),
    (
        "refusal.duplicate_code",
        "deux règles ont ce code",
        "two rules have this code",
    ),
    (
        "refusal.invalid_format",
        "un fichier .jsonl ou .csv",
        "a .jsonl or .csv file",
    ),
    (
        "refusal.invalid_columns",
        "attendu CHAMP=CLÉ",
        "expected FIELD=KEY",
    ),
    (
        "refusal.invalid_variant",
        "de 1 à 500 caractères de texte",
        "1 to 500 characters of text",
    ),
    (
        "refusal.external_id_taken",
        "un autre article a déjà cet identifiant externe",
        "another article has this external id",
    ),
    (
        "refusal.invalid_text",
        "des caractères de contrôle ne sont pas du texte",
        "control characters are not text",
    ),
    (
        "refusal.missing_column",
        "colonne manquante",
        "missing column",
    ),
    ("refusal.unknown_field", "champ inconnu", "unknown field"),
    (
        "refusal.unreadable_body",
        "envoi illisible",
        "unreadable upload",
    ),
    ("refusal.invalid_lang", "fr ou en", "fr or en"),
    (
        "refusal.invalid_utf8",
        "le fichier n'est pas en UTF-8",
        "the file is not UTF-8",
    ),
    ("refusal.invalid_csv", "CSV illisible", "unreadable CSV"),
    ("field.short_answer", "Réponse courte", "Short answer"),
    ("field.keywords", "Mots-clés", "Keywords"),
    ("field.lang", "Langue", "Language"),
    (
        "field.variants",
        "Autres façons de poser la question",
        "Other ways of asking",
    ),
    ("field.external_id", "Identifiant externe", "External id"),
    ("field.question", "Question", "Question"),
    (
        "field.columns",
        "Correspondance des colonnes",
        "Column mapping",
    ),
    ("field.file", "Fichier", "File"),
    ("field.text", "Texte", "Text"),
    ("field.rules.code", "Code de la règle", "Rule code"),
    ("field.rules.kind", "Type de règle", "Rule kind"),
    ("field.rules.words", "Expressions", "Phrases"),
    ("field.rules.value", "Seuil", "Threshold"),
    ("field.rules", "Règles", "Rules"),
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

    #[test]
    fn every_quality_value_has_its_words() {
        use crate::domain::quality::{
            ActionKind, CauseFamily, CheckMethod, NcStatus, Origin, Proposal, Severity, Verdict,
        };
        let mut keys: Vec<String> = Vec::new();
        keys.extend(Origin::ALL.iter().map(|v| format!("quality.origin.{v}")));
        keys.extend(NcStatus::ALL.iter().map(|v| format!("quality.status.{v}")));
        keys.extend(
            Severity::ALL
                .iter()
                .map(|v| format!("quality.severity.{v}")),
        );
        keys.extend(
            CauseFamily::ALL
                .iter()
                .map(|v| format!("quality.family.{v}")),
        );
        keys.extend(ActionKind::ALL.iter().map(|v| format!("quality.kind.{v}")));
        keys.extend(
            CheckMethod::ALL
                .iter()
                .map(|v| format!("quality.method.{v}")),
        );
        keys.extend(
            Proposal::ALL
                .iter()
                .map(|v| format!("quality.proposal.{v}")),
        );
        keys.extend(Verdict::ALL.iter().map(|v| format!("quality.verdict.{v}")));
        for e in [
            "opened",
            "detected",
            "seen_again",
            "recurred",
            "analysed",
            "action_added",
            "progress",
            "measured",
            "verdict_c",
            "verdict_nc",
            "dismissed",
            "shared",
            "overdue",
        ] {
            keys.push(format!("quality.event.{e}"));
        }
        for e in ["crossing", "period", "review", "theme", "kpi", "voice"] {
            keys.push(format!("quality.evidence.{e}"));
        }
        for k in keys {
            assert!(WORDS.iter().any(|(w, _, _)| *w == k), "no words for {k}");
        }
    }

    #[test]
    fn every_charter_value_has_its_words() {
        use crate::domain::commitment::{Metric, Period, Status};
        let mut keys = Vec::new();
        for m in Metric::ALL {
            keys.push(format!("metric.{m}"));
            keys.push(format!("charter.said.{m}"));
        }
        keys.extend(Period::ALL.iter().map(|p| format!("period.{p}")));
        keys.extend(Status::ALL.iter().map(|s| format!("charter.status.{s}")));
        for k in ["draft", "published", "retired"] {
            keys.push(format!("charter.state.{k}"));
        }
        for k in ["granted", "proposed", "refused"] {
            keys.push(format!("compensation.{k}"));
        }
        for k in keys {
            assert!(WORDS.iter().any(|(w, _, _)| *w == k), "no words for {k}");
        }
    }
}

#[cfg(test)]
mod count_tests {
    use super::Lang;

    #[test]
    fn numbers_group_thousands_and_plurals_follow_each_language() {
        assert_eq!(Lang::Fr.int(1234567), "1\u{202F}234\u{202F}567");
        assert_eq!(Lang::En.int(-1234), "-1,234");
        assert_eq!(Lang::Fr.int(999), "999");
        assert_eq!(Lang::Fr.plural("search.results", 0), "0 résultat");
        assert_eq!(Lang::Fr.plural("search.results", 1), "1 résultat");
        assert_eq!(
            Lang::Fr.plural("search.results", 2345),
            "2\u{202F}345 résultats"
        );
        assert_eq!(Lang::En.plural("search.results", 0), "0 results");
        assert_eq!(Lang::En.plural("search.results", 1), "1 result");
        assert_eq!(Lang::Fr.decimal(87.54, 1), "87,5");
        assert_eq!(Lang::Fr.decimal(-6.5, 1), "-6,5");
        assert_eq!(Lang::Fr.decimal(-0.01, 1), "0,0");
        assert_eq!(Lang::Fr.decimal(12345.0, 0), "12\u{202F}345");
        assert_eq!(Lang::En.decimal(87.54, 1), "87.5");
        assert_eq!(Lang::Fr.percent(87.5, 1), "87,5\u{202F}%");
        assert_eq!(Lang::En.percent(87.5, 1), "87.5%");
    }
}
