//! Roles of the people who work in Pacte, and what each may do.

use super::Invalid;
use super::channel::string_enum;

string_enum!(
    /// A user's role in their organisation.
    Role {
        Advisor => "advisor", Manager => "manager", Quality => "quality", Admin => "admin",
        Kiosk => "kiosk",
    }
    "invalid_role"
);

impl Role {
    /// A counter kiosk (a tablet in an agency's waiting room): it issues tickets and sees
    /// nothing else, whatever the page or endpoint.
    pub fn kiosk_may(self, method: &str, path: &str) -> bool {
        if self != Role::Kiosk {
            return true;
        }
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        matches!(
            (method, segments.as_slice()),
            ("GET" | "POST", ["", "sites", _, "kiosk"])
                | ("POST", ["", "logout"] | ["", "settings", "lang"])
                | ("POST", ["", "api", "v1", "sites", _, "tickets"])
                | (
                    "GET",
                    ["", "api", "v1", "sites", _, "queue"] | ["", "api", "v1", "counter-services"]
                )
        )
    }

    /// Organisation set-up: sites, teams, users.
    pub fn can_administer(self) -> bool {
        self == Role::Admin
    }
    /// Merging and unmerging customers changes history: managers and above.
    pub fn can_merge_customers(self) -> bool {
        matches!(self, Role::Manager | Role::Quality | Role::Admin)
    }
    /// The charter (commitments, their publication) belongs to quality and administration.
    pub fn can_define_charter(self) -> bool {
        matches!(self, Role::Quality | Role::Admin)
    }
    /// Results, breaches and compensations are read by managers and above.
    pub fn can_read_charter(self) -> bool {
        matches!(self, Role::Manager | Role::Quality | Role::Admin)
    }
    /// Survey figures, verbatims, alerts and reviews: managers and above.
    pub fn can_read_voice(self) -> bool {
        matches!(self, Role::Manager | Role::Quality | Role::Admin)
    }
    /// Anyone on staff may report a non-conformity (a complaint, a field report) and follow the
    /// plans; pilots and actors log progress on their own actions.
    pub fn can_report_quality(self) -> bool {
        self != Role::Kiosk
    }
    /// Writing the analysis and the actions, reading indicators and reviews: managers and above.
    pub fn can_pilot_quality(self) -> bool {
        matches!(self, Role::Manager | Role::Quality | Role::Admin)
    }
    /// Confirming an efficacy verdict, dismissing, the indicator catalogue and its targets,
    /// freezing a review: the quality manager (and the administrator).
    pub fn can_decide_quality(self) -> bool {
        matches!(self, Role::Quality | Role::Admin)
    }
    /// Reading the knowledge base, asking the bot, adding the way a customer asked a question
    /// to an article: anyone on staff.
    pub fn can_use_knowledge(self) -> bool {
        self != Role::Kiosk
    }
    /// Writing and publishing articles, importing them, the bot's handoff rules: managers and
    /// above.
    pub fn can_edit_knowledge(self) -> bool {
        matches!(self, Role::Manager | Role::Quality | Role::Admin)
    }
    /// Survey wording, triggers and theme rules; rejecting a review (a legal decision).
    pub fn can_define_surveys(self) -> bool {
        matches!(self, Role::Quality | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn a_kiosk_only_issues_tickets() {
        assert!(Role::Kiosk.kiosk_may("POST", "/sites/lyon/kiosk"));
        assert!(Role::Kiosk.kiosk_may("POST", "/api/v1/sites/lyon/tickets"));
        assert!(!Role::Kiosk.kiosk_may("GET", "/inbox"));
        assert!(!Role::Kiosk.kiosk_may("GET", "/api/v1/cases"));
        assert!(!Role::Kiosk.kiosk_may("POST", "/sites/lyon/counter/call"));
        assert!(Role::Advisor.kiosk_may("GET", "/inbox"));
    }
}
