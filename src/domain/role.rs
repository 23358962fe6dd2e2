//! Roles of the people who work in Pacte, and what each may do.

use super::Invalid;
use super::channel::string_enum;

string_enum!(
    /// A user's role in their organisation.
    Role { Advisor => "advisor", Manager => "manager", Quality => "quality", Admin => "admin" }
    "invalid_role"
);

impl Role {
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
}
