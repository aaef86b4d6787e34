//! Free loopback ports.

use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::Mutex;

use crate::{Result, ServerError};

static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A TCP port on 127.0.0.1 that nothing listens on right now and that this process has not
/// handed out before (so servers started in parallel by one test binary never share a port).
/// Another process may still take it before the server binds; servers retry on that.
pub fn free_port() -> Result<u16> {
    let mut guard = HANDED_OUT.lock().unwrap_or_else(|p| p.into_inner());
    let handed_out = guard.get_or_insert_with(HashSet::new);
    for _ in 0..100 {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(ServerError::io("binding 127.0.0.1:0"))?;
        let port = listener.local_addr().map_err(ServerError::io("reading a bound port"))?.port();
        if handed_out.insert(port) {
            return Ok(port);
        }
    }
    Err(ServerError::Unsupported("no free loopback port found in 100 tries".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_ports_are_distinct_and_bindable() {
        let ports: Vec<u16> = (0..20).map(|_| free_port().unwrap()).collect();
        let distinct: HashSet<u16> = ports.iter().copied().collect();
        assert_eq!(distinct.len(), ports.len());
        for port in ports {
            TcpListener::bind(("127.0.0.1", port)).unwrap();
        }
    }
}
