//! Channels a customer reaches the organisation by, and the direction of an exchange.

use super::Invalid;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? } $code:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            pub fn parse(s: &str) -> Result<Self, Invalid> {
                match s.trim() {
                    $($s => Ok($name::$variant),)+
                    other => Err(Invalid::new($code, format!(
                        "«{other}» is not one of: {}", [$($s),+].join(", ")))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// Where an interaction happened.
    Channel {
        Email => "email", Phone => "phone", Chat => "chat", Social => "social",
        WebForm => "web_form", Letter => "letter", Counter => "counter",
    } "invalid_channel"
);

string_enum!(
    /// Inbound: from the customer. Outbound: from the organisation.
    Direction { Inbound => "inbound", Outbound => "outbound" } "invalid_direction"
);
