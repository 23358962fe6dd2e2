//! Who is asking: the client's address, for rate limits and sign-in throttling.
//!
//! `X-Forwarded-For` is believed only from the proxies the operator named (`--trusted-proxies`):
//! anyone can write the header, so trusting it by default let one client rotate addresses past
//! every limit.

use crate::app::AppState;
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The client's address as text ("local" for in-process calls, which have no peer).
pub struct ClientAddr(pub String);

impl axum::extract::FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        Ok(ClientAddr(
            client_of(peer, &forwarded, &st.config.trusted_proxies)
                .map_or_else(|| "local".into(), |ip| ip.to_string()),
        ))
    }
}

/// Walks the forwarded hops from the nearest: each hop a trusted proxy reports replaces it, and
/// the first address that is not a trusted proxy is the client.
fn client_of(peer: Option<IpAddr>, forwarded: &str, trusted: &[IpNet]) -> Option<IpAddr> {
    // On a dual-stack socket an IPv4 peer shows as ::ffff:a.b.c.d.
    let mut client = peer?.to_canonical();
    for hop in forwarded.rsplit(',') {
        if !trusted.iter().any(|n| n.contains(&client)) {
            break;
        }
        match hop_address(hop.trim()) {
            Some(ip) => client = ip.to_canonical(),
            None => break,
        }
    }
    Some(client)
}

/// A hop as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn hop_address(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// `10.0.0.0/8` or a single address.
pub fn parse_proxy(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("«{s}» is neither an address nor a range like 10.0.0.0/8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn forwarded_hops_count_only_behind_trusted_proxies() {
        let none: Vec<IpNet> = Vec::new();
        let proxy = vec![
            parse_proxy("127.0.0.1").unwrap(),
            parse_proxy("10.0.0.0/8").unwrap(),
        ];
        // Nobody trusted: the header is ignored, whatever it says.
        assert_eq!(
            client_of(ip("127.0.0.1"), "203.0.113.7", &none),
            ip("127.0.0.1")
        );
        // Behind the local proxy: the hop it reports.
        assert_eq!(
            client_of(ip("127.0.0.1"), "203.0.113.7", &proxy),
            ip("203.0.113.7")
        );
        // A client writing its own header before the proxy appends the real one gains nothing.
        assert_eq!(
            client_of(ip("127.0.0.1"), "1.2.3.4, 203.0.113.7", &proxy),
            ip("203.0.113.7")
        );
        // Two proxies in a row.
        assert_eq!(
            client_of(ip("127.0.0.1"), "203.0.113.7, 10.1.2.3", &proxy),
            ip("203.0.113.7")
        );
        // A peer that is not a proxy is the client.
        assert_eq!(
            client_of(ip("198.51.100.1"), "1.2.3.4", &proxy),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_of(ip("127.0.0.1"), "garbage", &proxy),
            ip("127.0.0.1")
        );
        assert_eq!(client_of(None, "1.2.3.4", &proxy), None);
        assert!(parse_proxy("nope").is_err());
    }
}
