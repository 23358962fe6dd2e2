//! Where Pacte may connect on an organisation's say-so (alert webhooks, SMTP and IMAP servers):
//! public addresses only, unless the operator allows private networks. An organisation
//! administrator is not the machine's operator: without this, a webhook to
//! `http://169.254.169.254/…` or a mailbox "test" against `localhost:6379` would read the
//! cloud's metadata or the banners of internal services.
//!
//! Names are resolved here and every address checked, and the HTTP client connects only to the
//! addresses it checked (its resolver is this one) and follows no redirect.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The operator's rule for outbound connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Egress {
    /// Loopback, private, link-local and other non-public ranges allowed
    /// (`--allow-private-networks`, e.g. a relay on this machine, or the test suite's servers).
    pub allow_private: bool,
}

impl Egress {
    /// Why `ip` may not be reached, if it may not.
    pub fn refuse(&self, ip: IpAddr) -> Option<String> {
        if self.allow_private {
            return None;
        }
        let kind = non_public(ip)?;
        Some(format!(
            "{ip} is a {kind} address; Pacte connects only to public addresses unless the \
             operator allows private networks (PACTE_ALLOW_PRIVATE_NETWORKS=1)"
        ))
    }

    /// Resolves `host` and checks every address it has (a name with one private address among
    /// public ones is refused: the connection could land on either).
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
        let addrs: Vec<SocketAddr> = tokio::time::timeout(
            Duration::from_secs(10),
            tokio::net::lookup_host((host, port)),
        )
        .await
        .map_err(|_| format!("{host}: no answer from DNS within 10 s"))?
        .map_err(|e| format!("{host}: {e}"))?
        .collect();
        if addrs.is_empty() {
            return Err(format!("{host}: no address"));
        }
        if let Some(why) = addrs.iter().find_map(|a| self.refuse(a.ip())) {
            return Err(format!("{host}: {why}"));
        }
        Ok(addrs)
    }

    /// Connects to one of `host`'s checked addresses.
    pub async fn connect(&self, host: &str, port: u16) -> Result<tokio::net::TcpStream, String> {
        let addrs = self.resolve(host, port).await?;
        tokio::time::timeout(
            Duration::from_secs(20),
            tokio::net::TcpStream::connect(&addrs[..]),
        )
        .await
        .map_err(|_| format!("{host}:{port} did not answer within 20 s"))?
        .map_err(|e| format!("{host}:{port}: {e}"))
    }

    /// An HTTP client that resolves through this rule, refuses literal addresses it forbids
    /// (see [`Egress::check_url`]) and follows no redirect (a redirect could point anywhere).
    pub fn http_client(&self, timeout: Duration) -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(timeout)
            // A proxy from the environment would resolve and reach the host itself.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(*self))
            .build()
            .expect("HTTP client")
    }

    /// Checks a URL before a request: the resolver sees names only, not literal addresses.
    pub fn check_url(&self, url: &str) -> Result<(), String> {
        let u = reqwest::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
        if !matches!(u.scheme(), "http" | "https") {
            return Err(format!("{url}: only http and https are allowed"));
        }
        let ip = match u.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err(format!("{url}: no host")),
        };
        self.refuse(ip).map_or(Ok(()), Err)
    }
}

impl reqwest::dns::Resolve for Egress {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let rule = *self;
        Box::pin(async move {
            let addrs = rule
                .resolve(name.as_str(), 0)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The kind of a non-public address, `None` for a public one.
fn non_public(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => non_public_v4(v4),
            None => non_public_v6(v6),
        },
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("multicast or reserved")
    } else if a == 192 && b == 0 && ip.octets()[2] == 0 {
        Some("IETF protocol")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("benchmarking")
    } else {
        None
    }
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if first & 0xffc0 == 0xfe80 || first & 0xffc0 == 0xfec0 {
        Some("link-local")
    } else if first == 0x2002 {
        // 6to4: the IPv4 host is in the next 32 bits.
        let seg = ip.segments();
        non_public_v4(Ipv4Addr::from(
            (u32::from(seg[1]) << 16) | u32::from(seg[2]),
        ))
    } else if first == 0x2001 && ip.segments()[1] == 0 {
        Some("Teredo")
    } else if ip.is_multicast() {
        Some("multicast or reserved")
    } else if let Some(v4) = ip.to_ipv4() {
        // IPv4-compatible (::a.b.c.d) and NAT64 forms reach the same IPv4 host.
        non_public_v4(v4)
    } else if first == 0x0064 && ip.segments()[1] == 0xff9b {
        non_public_v4(Ipv4Addr::from(
            (u32::from(ip.segments()[6]) << 16) | u32::from(ip.segments()[7]),
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: Egress = Egress {
        allow_private: false,
    };

    #[test]
    fn only_public_addresses_pass_unless_allowed() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "2001:0:4136:e378::1",
            "fec0::1",
            "198.18.0.1",
        ] {
            let ip: IpAddr = bad.parse().unwrap();
            assert!(STRICT.refuse(ip).is_some(), "{bad}");
            assert!(
                Egress {
                    allow_private: true
                }
                .refuse(ip)
                .is_none()
            );
        }
        for good in ["93.184.215.14", "2606:4700::6810:84e5", "8.8.8.8"] {
            assert_eq!(STRICT.refuse(good.parse().unwrap()), None, "{good}");
        }
    }

    #[test]
    fn literal_addresses_in_urls_are_checked() {
        assert!(
            STRICT
                .check_url("http://169.254.169.254/latest/meta-data/")
                .is_err()
        );
        assert!(STRICT.check_url("http://[::1]:8080/").is_err());
        assert!(
            STRICT.check_url("http://2130706433/").is_err(),
            "127.0.0.1 as a number"
        );
        assert!(STRICT.check_url("file:///etc/passwd").is_err());
        assert!(STRICT.check_url("https://hooks.example.org/x").is_ok());
    }

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused() {
        let err = STRICT.resolve("localhost", 25).await.unwrap_err();
        assert!(err.contains("loopback"), "{err}");
        let ok = Egress {
            allow_private: true,
        }
        .resolve("localhost", 25)
        .await
        .unwrap();
        assert!(ok.iter().all(|a| a.ip().is_loopback()));
    }
}
