//! A TCP proxy between a replica and PostgreSQL whose link can be cut like a dropped
//! network link (T12, T39). While cut, no byte is forwarded in either direction, but every
//! socket stays open: nothing is reset, so each side waits as on a black-holed route, and
//! new connections are accepted but not connected onwards. `resume` lifts a cut and lets
//! the held connections carry on (a blip); `heal` lifts it and drops every connection
//! opened before it, as a long partition leaves them: by then PostgreSQL has ended the
//! sessions that sat in a transaction, so their client would only see a reset anyway.
//! `strand` lifts it for new connections only and leaves the old ones black-holed for
//! good, as a NAT or firewall that lost their state does.
//! The proxy runs on its own runtime thread, so a test blocking its own workers (starting
//! a server synchronously) cannot stall the link.

use crate::backend::Backend;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The state of the link: cut or not, and which generation of connections may live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Link {
    cut: bool,
    epoch: u64,
    /// Connections accepted in a generation below this one stay cut (`strand`).
    stranded_below: u64,
    generation: u64,
}

type Ports = Arc<Mutex<HashSet<u16>>>;

/// A running proxy on `127.0.0.1:<port>`; stopped (every connection dropped) on drop.
#[derive(Debug)]
pub(crate) struct TcpProxy {
    pub(crate) port: u16,
    link: watch::Sender<Link>,
    upstream_ports: Ports,
    runtime: Option<tokio::runtime::Runtime>,
}

impl TcpProxy {
    /// Listens on a port the kernel picks and forwards each connection to `upstream`.
    pub(crate) fn start(upstream: SocketAddr) -> TcpProxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("the proxy binds");
        listener.set_nonblocking(true).expect("a non-blocking listener");
        let port = listener.local_addr().unwrap().port();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("tcp-proxy")
            .enable_all()
            .build()
            .expect("the proxy's runtime");
        let (link, _) = watch::channel(Link {
            cut: false,
            epoch: 0,
            stranded_below: 0,
            generation: 0,
        });
        let upstream_ports = Ports::default();
        runtime.spawn(accept_loop(
            listener,
            upstream,
            link.subscribe(),
            upstream_ports.clone(),
        ));
        TcpProxy {
            port,
            link,
            upstream_ports,
            runtime: Some(runtime),
        }
    }

    /// Stops forwarding in both directions; sockets stay open.
    pub(crate) fn cut(&self) {
        self.link.send_modify(|link| link.cut = true);
    }

    /// Lifts a cut; held connections carry on where they stopped.
    pub(crate) fn resume(&self) {
        self.link.send_modify(|link| link.cut = false);
    }

    /// Lifts a cut and drops every connection opened before now.
    pub(crate) fn heal(&self) {
        self.link.send_modify(|link| {
            link.cut = false;
            link.epoch += 1;
        });
    }

    /// Lifts a cut for connections opened from now on; those opened before stay cut and
    /// open for good.
    pub(crate) fn strand(&self) {
        self.link.send_modify(|link| {
            link.cut = false;
            link.generation += 1;
            link.stranded_below = link.generation;
        });
    }

    pub(crate) fn is_cut(&self) -> bool {
        self.link.borrow().cut
    }

    /// The local ports of the proxy's connections to PostgreSQL: the `client_port` its
    /// sessions have in `pg_stat_activity`.
    pub(crate) fn upstream_ports(&self) -> HashSet<u16> {
        self.upstream_ports.lock().unwrap().clone()
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A proxy in front of `backend`'s PostgreSQL, and the same schema reached through it.
pub(crate) fn in_front_of(backend: &Backend) -> (TcpProxy, Backend) {
    let Backend::Postgres { url, schema, .. } = backend else {
        panic!("a proxy stands in front of PostgreSQL only")
    };
    let proxy = TcpProxy::start(address_of(url));
    let proxied = Backend::postgres_at(&via_proxy(url, &proxy), schema);
    (proxy, proxied)
}

/// `url` with its host and port replaced by the proxy's.
fn via_proxy(url: &str, proxy: &TcpProxy) -> String {
    let mut parsed = reqwest::Url::parse(url).expect("a database URL");
    parsed.set_host(Some("127.0.0.1")).expect("a URL with a host");
    parsed.set_port(Some(proxy.port)).expect("a URL with a port");
    parsed.to_string()
}

/// The address a database URL points at.
fn address_of(url: &str) -> SocketAddr {
    use std::net::ToSocketAddrs;
    let parsed = reqwest::Url::parse(url).expect("a database URL");
    let host = parsed.host_str().unwrap_or("127.0.0.1").to_owned();
    let port = parsed.port().unwrap_or(5432);
    (host.as_str(), port)
        .to_socket_addrs()
        .expect("the database host resolves")
        .next()
        .expect("an address")
}

async fn accept_loop(listener: std::net::TcpListener, upstream: SocketAddr, link: watch::Receiver<Link>, ports: Ports) {
    let listener = TcpListener::from_std(listener).expect("a tokio listener");
    loop {
        if let Ok((client, _)) = listener.accept().await {
            tokio::spawn(serve(client, upstream, link.clone(), ports.clone()));
        }
    }
}

/// One connection: held while the link is cut, then joined to a new upstream connection.
async fn serve(client: TcpStream, upstream: SocketAddr, mut link: watch::Receiver<Link>, ports: Ports) {
    let Link { epoch, generation, .. } = *link.borrow_and_update();
    let born = Born { epoch, generation };
    if !wait_open(&mut link, born).await {
        return;
    }
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let port = server.local_addr().map(|address| address.port()).unwrap_or(0);
    ports.lock().unwrap().insert(port);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    tokio::select! {
        () = pump(client_read, server_write, link.clone(), born) => {}
        () = pump(server_read, client_write, link.clone(), born) => {}
    }
    ports.lock().unwrap().remove(&port);
}

/// Copies one direction, holding what it read while the link is cut; ends with the
/// connection's generation or either side.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut link: watch::Receiver<Link>, born: Born) {
    let mut buffer = vec![0_u8; 16 * 1024];
    loop {
        let mut stale_link = link.clone();
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            () = superseded(&mut stale_link, born.epoch) => return,
        };
        let Ok(count @ 1..) = read else {
            return;
        };
        if !wait_open(&mut link, born).await || to.write_all(&buffer[..count]).await.is_err() {
            return;
        }
    }
}

/// When a connection was accepted.
#[derive(Debug, Clone, Copy)]
struct Born {
    epoch: u64,
    generation: u64,
}

/// Waits while the link is cut for this connection; false once its epoch must go.
async fn wait_open(link: &mut watch::Receiver<Link>, born: Born) -> bool {
    loop {
        let now = *link.borrow_and_update();
        if now.epoch != born.epoch {
            return false;
        }
        if !now.cut && born.generation >= now.stranded_below {
            return true;
        }
        if link.changed().await.is_err() {
            return false;
        }
    }
}

/// Resolves once connections of `epoch` must go.
async fn superseded(link: &mut watch::Receiver<Link>, epoch: u64) {
    while link.borrow_and_update().epoch == epoch {
        if link.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
