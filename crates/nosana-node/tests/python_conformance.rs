//! The gRPC server against an independent client: Python grpcio (gRPC C-core) with stubs
//! generated from the vendored protos by `tests/python/conformance.py`.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{GENESIS_SLOT, Node, World, token_program};
use nosana_node::grpc::GrpcConfig;

const INSTALL: &str = "python3 -m pip install grpcio grpcio-tools";

fn python_has_grpc_tools() -> Result<(), String> {
    let out = std::process::Command::new("python3")
        .args(["-c", "import grpc, grpc_tools.protoc"])
        .output()
        .map_err(|e| format!("python3 is not runnable ({e}); install Python 3, then run `{INSTALL}`"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "the Python conformance client needs grpcio and grpcio-tools; run `{INSTALL}` ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_independent_python_grpcio_client_agrees_with_the_server() {
    if let Err(why) = python_has_grpc_tools() {
        panic!("{why}");
    }
    let node = Node::start(GrpcConfig { ping_interval: Duration::from_millis(300), ..Default::default() }).await;
    let mut w = World::new();
    let first = GENESIS_SLOT + 1;
    for s in 1..=10 {
        node.publish(w.produce(GENESIS_SLOT + s, &w.mix()));
    }
    // Keep the chain moving while the client runs.
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let ledger = node.ledger.clone();
    let events = node.events.clone();
    let producer = tokio::spawn(async move {
        let mut slot = GENESIS_SLOT + 11;
        loop {
            tokio::select! {
                _ = &mut stop_rx => return,
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
            let requests = w.mix();
            let (block, statuses) = w.produce(slot, &requests);
            let block = std::sync::Arc::new(block);
            ledger.insert_block(block.clone());
            let _ = events.send(nosana_node::NodeEvent::Block(block));
            for (s, status) in statuses {
                ledger.set_status(s, &status);
                let parent = ledger.slot_state(s).and_then(|st| st.parent);
                let _ = events.send(nosana_node::NodeEvent::Status { slot: s, parent, status });
            }
            slot += 1;
        }
    });

    let dir = env!("CARGO_MANIFEST_DIR");
    let mut child = std::process::Command::new("python3")
        .arg(format!("{dir}/tests/python/conformance.py"))
        .args(["--addr", &node.addr.to_string()])
        .args(["--proto-dir", &format!("{dir}/proto")])
        .args(["--first-slot", &first.to_string()])
        .args(["--token-program", &token_program().to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn python3");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("python3 status").is_none() {
        if tokio::time::Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let out = child.wait_with_output().expect("python3 output");
    let _ = stop_tx.send(());
    producer.await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "Python conformance failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("7 passed, 0 failed"), "{stdout}\n{stderr}");
}
