#!/usr/bin/env python3
"""Independent conformance client for the reference node's Yellowstone gRPC server.

Uses grpcio (gRPC C-core, no code shared with tonic) with stubs generated at run time by
grpcio-tools from the vendored .proto files. Started by the Rust test `python_conformance.rs`,
which runs a node whose ledger holds slots from --first-slot on and keeps producing slots.

Needs: python3 -m pip install grpcio grpcio-tools
"""

import argparse
import json
import os
import queue
import sys
import tempfile
import time
import traceback


def generate_stubs(proto_dir, out_dir):
    import grpc_tools
    from grpc_tools import protoc

    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    args = [
        "protoc",
        f"-I{proto_dir}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        os.path.join(proto_dir, "geyser.proto"),
        os.path.join(proto_dir, "solana-storage.proto"),
    ]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed to generate the stubs")
    sys.path.insert(0, out_dir)


class Subscription:
    """A Subscribe call fed from a queue, as a long-lived client drives it."""

    def __init__(self, stub, g, first_request, timeout=10.0):
        self.g = g
        self.requests = queue.Queue()
        self.requests.put(first_request)
        self.call = stub.Subscribe(self._iter(), timeout=60)
        self.timeout = timeout

    def _iter(self):
        while True:
            r = self.requests.get()
            if r is None:
                return
            yield r

    def send(self, request):
        self.requests.put(request)

    def next(self, skip_pings=True):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            update = next(self.call)
            if skip_pings and update.WhichOneof("update_oneof") == "ping":
                continue
            return update
        raise TimeoutError("no update in time")

    def until(self, stop):
        out = []
        while True:
            u = self.next()
            out.append(u)
            if stop(u):
                return out

    def barrier(self, ping_id):
        """Sends a ping request and returns the updates that came before its pong."""
        self.send(self.g.SubscribeRequest(ping=self.g.SubscribeRequestPing(id=ping_id)))
        before = self.until(lambda u: u.WhichOneof("update_oneof") == "pong" and u.pong.id == ping_id)
        return before[:-1]

    def close(self):
        self.requests.put(None)
        self.call.cancel()


def kind(u):
    return u.WhichOneof("update_oneof")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--addr", required=True)
    parser.add_argument("--proto-dir", required=True)
    parser.add_argument("--first-slot", type=int, required=True)
    parser.add_argument("--token-program", required=True)
    args = parser.parse_args()

    import grpc

    out_dir = tempfile.mkdtemp(prefix="geyser-stubs-")
    generate_stubs(args.proto_dir, out_dir)
    import geyser_pb2 as g
    import geyser_pb2_grpc as gg

    channel = grpc.insecure_channel(args.addr)
    grpc.channel_ready_future(channel).result(timeout=10)
    stub = gg.GeyserStub(channel)
    results = []

    def check(name):
        def wrap(fn):
            try:
                fn()
                results.append((name, None))
                print(f"ok   {name}", flush=True)
            except Exception as e:  # noqa: BLE001 - report every failure and go on
                results.append((name, e))
                print(f"FAIL {name}: {e!r}", flush=True)
                traceback.print_exc()
            return fn

        return wrap

    first = args.first_slot

    @check("unary calls: version JSON, slot, ping, replay info")
    def _():
        version = json.loads(stub.GetVersion(g.GetVersionRequest()).version)
        assert version["version"]["package"] == "depinscore-node", version
        assert version["version"]["proto"] == "14.0.1", version
        assert "hostname" in version["extra"], version
        assert stub.GetSlot(g.GetSlotRequest(commitment=g.PROCESSED)).slot >= first
        assert stub.Ping(g.PingRequest(count=5)).count == 5
        info = stub.SubscribeReplayInfo(g.SubscribeReplayInfoRequest())
        assert info.HasField("first_available") and info.first_available == first, info

    @check("subscribe with filters from from_slot: replayed banks in order with filter names")
    def _():
        req = g.SubscribeRequest(
            transactions={"tokens": g.SubscribeRequestFilterTransactions(account_include=[args.token_program])},
            blocks_meta={"meta": g.SubscribeRequestFilterBlocksMeta()},
            slots={"slots": g.SubscribeRequestFilterSlots(filter_by_commitment=True)},
            commitment=g.PROCESSED,
            from_slot=first,
        )
        sub = Subscription(stub, g, req)
        try:
            updates = sub.until(lambda u: kind(u) == "block_meta" and u.block_meta.slot == first + 2)
            metas = [u.block_meta.slot for u in updates if kind(u) == "block_meta"]
            assert metas == [first, first + 1, first + 2], metas
            txs = [u for u in updates if kind(u) == "transaction"]
            assert txs, "token transfers are in every replayed slot"
            for u in txs:
                assert list(u.filters) == ["tokens"], u.filters
                info = u.transaction.transaction
                assert len(info.signature) == 64
                assert info.transaction.signatures[0] == info.signature
                assert len(info.meta.log_messages) > 0 and not info.meta.log_messages_none
                keys = info.transaction.message.account_keys
                assert any(k for k in keys if len(k) == 32)
            # Per bank: its transactions come before its block meta, and its status after.
            first_bank = [kind(u) for u in updates if slot_of(u) == first]
            assert first_bank.index("block_meta") > max(i for i, k in enumerate(first_bank) if k == "transaction")
            assert first_bank[-1] == "slot", first_bank
            for u in updates:
                if kind(u) == "block_meta":
                    n = u.block_meta.executed_transaction_count
                    assert n == 4, n
        finally:
            sub.close()

    @check("ping request gets a pong and a new request replaces the filters")
    def _():
        req = g.SubscribeRequest(blocks_meta={"meta": g.SubscribeRequestFilterBlocksMeta()})
        sub = Subscription(stub, g, req)
        try:
            sub.barrier(1)
            u = sub.until(lambda u: kind(u) == "block_meta")[-1]
            assert list(u.filters) == ["meta"]
            # Replace everything: only slot updates from here on.
            sub.send(g.SubscribeRequest(slots={"only-slots": g.SubscribeRequestFilterSlots()}))
            sub.barrier(2)
            seen = [sub.next() for _ in range(3)]
            assert all(kind(u) == "slot" for u in seen), [kind(u) for u in seen]
            assert all(list(u.filters) == ["only-slots"] for u in seen)
            # A ping request alone does not clear the filters.
            sub.barrier(3)
            assert kind(sub.next()) == "slot"
        finally:
            sub.close()

    @check("the server pings the stream and a client ping answer gets a pong")
    def _():
        sub = Subscription(stub, g, g.SubscribeRequest())
        try:
            u = sub.next(skip_pings=False)
            assert kind(u) == "ping", kind(u)
            sub.send(g.SubscribeRequest(ping=g.SubscribeRequestPing(id=77)))
            while True:
                u = sub.next()
                if kind(u) == "pong":
                    assert u.pong.id == 77
                    break
        finally:
            sub.close()

    @check("from_slot older than the window is OUT_OF_RANGE with upstream's message")
    def _():
        sub = Subscription(stub, g, g.SubscribeRequest(slots={"s": g.SubscribeRequestFilterSlots()}, from_slot=1))
        try:
            sub.next()
            raise AssertionError("expected OUT_OF_RANGE")
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.OUT_OF_RANGE, e.code()
            want = f"broadcast from 1 is not available, last available: {first}"
            assert e.details() == want, e.details()
        finally:
            sub.close()

    @check("an invalid filter is INVALID_ARGUMENT")
    def _():
        req = g.SubscribeRequest(accounts={"a": g.SubscribeRequestFilterAccounts(owner=["not a pubkey"])})
        sub = Subscription(stub, g, req)
        try:
            sub.next()
            raise AssertionError("expected INVALID_ARGUMENT")
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.INVALID_ARGUMENT, e.code()
            assert e.details().startswith("failed to create filter: "), e.details()
        finally:
            sub.close()

    @check("deshred is UNIMPLEMENTED")
    def _():
        call = stub.SubscribeDeshred(iter([g.SubscribeDeshredRequest()]))
        try:
            next(call)
            raise AssertionError("expected UNIMPLEMENTED")
        except grpc.RpcError as e:
            assert e.code() == grpc.StatusCode.UNIMPLEMENTED, e.code()

    channel.close()
    failed = sum(1 for _, e in results if e is not None)
    print(f"{len(results) - failed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


def slot_of(u):
    k = kind(u)
    if k == "transaction":
        return u.transaction.slot
    if k == "block_meta":
        return u.block_meta.slot
    if k == "slot":
        return u.slot.slot
    return None


if __name__ == "__main__":
    sys.exit(main())
