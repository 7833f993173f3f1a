//! Which address a request comes from, for the per-address attempt limit and the audit
//! records (with the request's id: its [`Origin`]). Behind a reverse
//! proxy every connection comes from the proxy, so the proxy's `X-Forwarded-For` is
//! believed, but only when the connection comes from a proxy the operator trusts, and only
//! up to the first hop that is not such a proxy: anything left of that hop was written by
//! the client and may be spoofed.

use crate::WebState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use directory::Origin;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Where the request comes from: its client's address (for the per-address attempt limit;
/// `None` when the server was started without connection info) and its id, for the audit
/// records of what it does.
#[derive(Debug, Clone)]
pub struct RequestOrigin(pub Origin);

impl FromRequestParts<WebState> for RequestOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &WebState) -> Result<Self, Self::Rejection> {
        Ok(RequestOrigin(origin_of(parts, state)))
    }
}

/// The origin [`stamp_origin`] recorded, or (pages served without it) one resolved here.
pub(crate) fn origin_of(parts: &Parts, state: &WebState) -> Origin {
    match parts.extensions.get::<Origin>() {
        Some(origin) => origin.clone(),
        None => {
            let stamp = OriginStamp {
                trusted_proxies: state.config.trusted_proxies.clone(),
                replica: state.directory.replica().map(str::to_owned),
            };
            stamp.resolve(&parts.extensions, &parts.headers, None)
        }
    }
}

/// What [`stamp_origin`] needs: the proxies whose `X-Forwarded-For` is believed, and the
/// name of this process.
#[derive(Debug, Clone, Default)]
pub struct OriginStamp {
    pub trusted_proxies: Vec<IpNet>,
    pub replica: Option<String>,
}

impl OriginStamp {
    /// The origin of a request with these extensions (the connection's peer) and headers.
    fn resolve(&self, extensions: &Extensions, headers: &HeaderMap, request_id: Option<String>) -> Origin {
        let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Origin {
            client_ip: peer.map(|peer| client_ip(peer, headers, &self.trusted_proxies)),
            request_id,
            replica: self.replica.clone(),
        }
    }
}

/// Middleware for the whole application, pages and APIs: records the request's [`Origin`],
/// its client's address as [`client_ip`] resolves it behind trusted proxies, a new request
/// id, which the Graph API answers as `request-id`, and the replica's name; audit records
/// carry all three.
pub async fn stamp_origin(State(stamp): State<Arc<OriginStamp>>, mut request: Request, next: Next) -> Response {
    let request_id = Some(uuid::Uuid::new_v4().to_string());
    let origin = stamp.resolve(request.extensions(), request.headers(), request_id);
    request.extensions_mut().insert(origin);
    next.run(request).await
}

/// A trusted proxy setting: an address (`10.0.0.2`, `::1`) or a range (`10.0.0.0/8`).
pub fn parse_trusted_proxy(text: &str) -> Option<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(IpNet::from))
}

/// The connection's peer, or, when the peer is a trusted proxy, the nearest address in
/// `X-Forwarded-For` (read from the right) that is not a trusted proxy. An entry that is
/// not an address ends the walk at the last hop known good.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    let mut nearest = peer;
    for hop in hops.iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => nearest = ip,
            Ok(ip) => return ip,
            Err(_) => return nearest,
        }
    }
    nearest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(peer: &str, forwarded: &[&str], trusted: &[&str]) -> String {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        let trusted: Vec<IpNet> = trusted.iter().map(|net| net.parse().unwrap()).collect();
        client_ip(peer.parse().unwrap(), &headers, &trusted).to_string()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(resolve("203.0.113.9", &["198.51.100.1"], &[]), "203.0.113.9");
    }

    #[test]
    fn a_client_cannot_claim_another_address_by_sending_the_header_itself() {
        let trusted = ["10.0.0.0/8"];
        assert_eq!(resolve("203.0.113.9", &["10.0.0.5, 1.2.3.4"], &trusted), "203.0.113.9");
    }

    #[test]
    fn behind_a_trusted_proxy_the_address_it_saw_counts() {
        assert_eq!(resolve("10.0.0.2", &["203.0.113.9"], &["10.0.0.0/8"]), "203.0.113.9");
    }

    #[test]
    fn addresses_the_client_prepended_are_not_believed() {
        let trusted = ["10.0.0.0/8"];
        let spoofed = ["1.1.1.1, 2.2.2.2, 203.0.113.9"];
        assert_eq!(resolve("10.0.0.2", &spoofed, &trusted), "203.0.113.9");
    }

    #[test]
    fn chained_trusted_proxies_are_skipped_also_over_several_headers() {
        let trusted = ["10.0.0.0/8", "fd00::/8"];
        let forwarded = ["198.51.100.7, 10.1.1.1", "fd00::1"];
        assert_eq!(resolve("10.0.0.2", &forwarded, &trusted), "198.51.100.7");
    }

    #[test]
    fn proxies_are_set_as_addresses_or_ranges() {
        assert_eq!(parse_trusted_proxy(" 10.0.0.2 ").unwrap().to_string(), "10.0.0.2/32");
        assert_eq!(parse_trusted_proxy("fd00::/8").unwrap().to_string(), "fd00::/8");
        assert!(parse_trusted_proxy("10.0.0.0/33").is_none());
        assert!(parse_trusted_proxy("proxy.local").is_none());
    }

    #[test]
    fn garbage_stops_at_the_last_known_hop() {
        let trusted = ["10.0.0.0/8"];
        assert_eq!(
            resolve("10.0.0.2", &["1.1.1.1, unknown, 10.0.0.3"], &trusted),
            "10.0.0.3"
        );
        assert_eq!(resolve("10.0.0.2", &[], &trusted), "10.0.0.2");
    }
}
