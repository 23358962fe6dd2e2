//! Customer identities: the keys by which one customer is recognised on every channel.

use super::Invalid;
use super::fold::fold_key;

/// An email address, trimmed; its key is lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        if s.len() > 254 || !email_address::EmailAddress::is_valid(s) || !s.contains('.') {
            return Err(Invalid::new(
                "invalid_email",
                format!("«{s}» is not a valid email address"),
            ));
        }
        Ok(Email(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number in E.164 form (+33612345678). National French numbers are accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneE164(String);

impl PhoneE164 {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let bad = || {
            Invalid::new(
                "invalid_phone",
                format!("«{}» is not a valid phone number", raw.trim()),
            )
        };
        let number = phonenumber::parse(Some(phonenumber::country::Id::FR), raw.trim())
            .map_err(|_| bad())?;
        if !phonenumber::is_valid(&number) {
            return Err(bad());
        }
        Ok(PhoneE164(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A handle on a social network, e.g. twitter / @laposte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocialHandle {
    pub network: String,
    pub handle: String,
}

impl SocialHandle {
    pub fn parse(network: &str, handle: &str) -> Result<Self, Invalid> {
        let network = fold_key(network);
        let handle = handle.trim().trim_start_matches('@').to_string();
        let ok_net = !network.is_empty()
            && network.len() <= 32
            && network
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !ok_net {
            return Err(Invalid::new(
                "invalid_social",
                "the social network name is invalid",
            ));
        }
        if handle.is_empty() || handle.len() > 100 || handle.chars().any(char::is_whitespace) {
            return Err(Invalid::new(
                "invalid_social",
                "the social handle is invalid",
            ));
        }
        Ok(SocialHandle { network, handle })
    }
}

/// The organisation's own customer number (contract, account, card).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerNumber(String);

impl CustomerNumber {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        if s.is_empty() || s.len() > 64 || s.chars().any(char::is_control) {
            return Err(Invalid::new(
                "invalid_customer_number",
                "the customer number is invalid",
            ));
        }
        Ok(CustomerNumber(s.to_string()))
    }
}

/// One way of recognising a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Number(CustomerNumber),
    Email(Email),
    Phone(PhoneE164),
    Social(SocialHandle),
}

impl Identity {
    /// Stable kind name, as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Identity::Number(_) => "customer_number",
            Identity::Email(_) => "email",
            Identity::Phone(_) => "phone",
            Identity::Social(_) => "social",
        }
    }

    /// The unique lookup key: kind and normalised value.
    pub fn key(&self) -> String {
        match self {
            Identity::Number(n) => format!("customer_number:{}", n.0.to_uppercase()),
            Identity::Email(e) => format!("email:{}", e.0.to_lowercase()),
            Identity::Phone(p) => format!("phone:{}", p.0),
            Identity::Social(s) => format!("social:{}:{}", s.network, s.handle.to_lowercase()),
        }
    }

    /// The value as shown to people.
    pub fn display(&self) -> String {
        match self {
            Identity::Number(n) => n.0.clone(),
            Identity::Email(e) => e.0.clone(),
            Identity::Phone(p) => p.0.clone(),
            Identity::Social(s) => format!("{} @{}", s.network, s.handle),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn french_phone_numbers_become_e164() {
        assert_eq!(
            PhoneE164::parse("06 12 34 56 78").unwrap().as_str(),
            "+33612345678"
        );
        assert_eq!(
            PhoneE164::parse("+33 1 44 55 66 77").unwrap().as_str(),
            "+33144556677"
        );
        assert!(PhoneE164::parse("12").is_err());
        assert!(PhoneE164::parse("not a phone").is_err());
    }

    #[test]
    fn email_keys_ignore_case() {
        let a = Identity::Email(Email::parse(" Marie.Dupont@Exemple.fr ").unwrap());
        let b = Identity::Email(Email::parse("marie.dupont@exemple.fr").unwrap());
        assert_eq!(a.key(), b.key());
        assert!(Email::parse("marie@").is_err());
        assert!(Email::parse("pas une adresse").is_err());
    }

    #[test]
    fn social_handles_drop_the_at_sign() {
        let s = SocialHandle::parse("Twitter", "@LaPoste").unwrap();
        assert_eq!(Identity::Social(s).key(), "social:twitter:laposte");
    }

    proptest! {
        #[test]
        fn parsed_phones_are_e164(n in 100_000_000u64..999_999_999) {
            if let Ok(p) = PhoneE164::parse(&format!("0{n}")) {
                prop_assert!(p.as_str().starts_with("+33"));
                prop_assert_eq!(p.as_str().len(), 12);
                prop_assert_eq!(PhoneE164::parse(p.as_str()).unwrap(), p);
            }
        }
    }
}
