import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The Ethereum layer against the real local devnet (py-evm) over real HTTP, in order.
@Suite(.serialized, .tags(.devnet)) final class DevnetTests {
    let devnet: ChildServer
    let dir: URL
    var cli: CLI
    let payer = try! PrivateKey(hex: devKeyHex)

    init() throws {
        devnet = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0"])
        dir = try makeTempDir()
        cli = CLI(dir: dir)
        try cli.write("dev.key", devKeyHex + "\n")
        cli.environment["ETH_RPC_URL"] = devnet.url
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func client() throws -> EthClient { EthClient(endpoint: try Endpoint(devnet.url)) }

    /// Signs a batch with `publisher` and sends it from `payer` (relaying: they differ).
    func attest(
        _ files: [FileCommitment], publisher: PrivateKey, root: [UInt8]? = nil, signature: RecoverableSignature? = nil
    ) throws -> (EthClient.Receipt, SignedTransaction) {
        let message = AttestationMessage(files: files, registry: RegistryAddress.canonical)
        let sig = try signature ?? publisher.sign(digest: try message.signingDigest())
        let sender = try TransactionSender(client: try client(), key: payer, expectedChainId: 31337)
        let prepared = try sender.prepare(
            to: RegistryAddress.canonical,
            data: try RegistryContract.attestCalldata(
                files: files, merkleRoot: root ?? message.merkleRoot, signature: sig))
        return (try sender.sendAndWait(prepared), prepared.signed)
    }

    func randomFiles(_ n: Int) throws -> [FileCommitment] {
        try (0..<n).map { _ in
            FileCommitment(
                contentID: SHA256Hasher.hash(try SecureRandom.bytes(64)),
                detailsHash: Keccak256.hash(try SecureRandom.bytes(64)))
        }
    }

    @Test func deployAttestAndReadBack() throws {
        // Deploy through the real binary: CREATE2 at the canonical address, then idempotent.
        let first = try cli.run(["registry", "deploy", "--private-key-file", "dev.key", "--json"])
        #expect(first.status == 0, "\(first.err)")
        let deployed = try JSON.parse(first.out)
        #expect(deployed["address"]?.stringValue == RegistryAddress.canonical.checksummed)
        #expect(deployed["create2"] == .bool(true) && deployed["alreadyDeployed"] == .bool(false))
        #expect(first.err.contains("sending registry deployment 0x"))  // the hash is printed as it is sent
        let again = try JSON.parse(try cli.run(["registry", "deploy", "--private-key-file", "dev.key", "--json"]).out)
        #expect(again["alreadyDeployed"] == .bool(true) && again["txHash"] == .null)
        let chain = try JSON.parse(try cli.run(["chain", "--json"]).out)
        #expect(chain["registryStatus"]?.stringValue == "deployed" && chain["chainId"] == .number("31337"))

        // One file, then 256, signed by a publisher key that holds no ether (a relayer pays).
        let publisher = try PrivateKey.generate()
        #expect(try client().balance(publisher.address) == 0)
        let single = try randomFiles(1)
        let (r1, tx1) = try attest(single, publisher: publisher)
        #expect(r1.status == 1)
        // Goals of the v2 registry (issue 10): one file, the signer's first batch with its index slot,
        // ≤ 55,000 gas; 256 files ≤ 3,000 gas per file.
        #expect(r1.gasUsed <= 55_000, "single attestation used \(r1.gasUsed) gas")
        let batch = try randomFiles(256)
        let (r256, tx256) = try attest(batch, publisher: publisher)
        #expect(r256.gasUsed <= 3_000 * 256, "256-file attestation used \(r256.gasUsed / 256) gas per file")
        #expect(r256.logs.count == 256)

        // A verifier with only a digest finds the event with one eth_getLogs; the signer is a topic.
        let rpc = RPCClient(endpoint: try Endpoint(devnet.url))
        func logs(_ topics: [JSON]) throws -> [JSON] {
            try rpc.call(
                "eth_getLogs",
                [
                    .object([
                        ("address", .string(RegistryAddress.canonical.checksummed)), ("fromBlock", .string("0x0")),
                        ("toBlock", .string("latest")), ("topics", .array(topics)),
                    ])
                ]
            ).arrayValue.unwrap()
        }
        // The per-file event is anonymous: topic 0 is the content ID, topic 1 the signer.
        let found = try logs([.string(Hex.encode(batch[77].contentID, prefix: true))])
        #expect(found.count == 1)
        #expect(
            found.first?["topics"]?.arrayValue?[1].stringValue
                == Hex.encode(RegistryContract.topic(publisher.address), prefix: true))
        #expect(
            try logs([
                .string(Hex.encode(batch[77].contentID, prefix: true)),
                .string(Hex.encode(RegistryContract.topic(payer.address), prefix: true)),
            ]).isEmpty)

        // Independent check: plain JSON-RPC + eth-account, none of this project's code.
        for (tx, n) in [(tx1, 1), (tx256, 256)] {
            let check = try JSON.parse(try ethAccount(["check-attest-tx", devnet.url, tx.hashHex]))
            #expect(check["ok"] == .bool(true), "\(check.compact)")
            #expect(check["signer"]?.stringValue == publisher.address.checksummed)
            #expect(check["sender"]?.stringValue == payer.address.checksummed)
            #expect(check["files"]?.intValue == n)
            #expect(try ethAccount(["recover-tx", Hex.encode(tx.raw, prefix: true)]) == payer.address.checksummed)
        }
    }

    @Test func badAttestationsAreRefusedBeforeSending() throws {
        _ = try cli.run(["registry", "deploy", "--private-key-file", "dev.key"])
        let publisher = try PrivateKey.generate()
        let files = try randomFiles(3)
        func refusal(_ body: () throws -> Void) -> String {
            do {
                try body()
                return ""
            } catch let e as ProvenanceError {
                #expect(e.exitCode == .chain)
                return e.message
            } catch { return "\(error)" }
        }
        // A root that is not the files' root: the signature is valid for it, the contract refuses.
        var wrongRoot = AttestationMessage(files: files, registry: RegistryAddress.canonical).merkleRoot
        wrongRoot[0] ^= 1
        let wrongMessage = AttestationMessage(merkleRoot: wrongRoot, fileCount: 3, registry: RegistryAddress.canonical)
        let m1 = refusal {
            _ = try attest(
                files, publisher: publisher, root: wrongRoot,
                signature: try publisher.sign(digest: try wrongMessage.signingDigest()))
        }
        #expect(m1.contains("files do not match merkleRoot"), "\(m1)")
        // High s (n − s): ecrecover would accept it. The client refuses to encode it (EIP-2098's top bit
        // is yParity), and the contract itself rejects any s above n/2 that reaches it.
        let message = AttestationMessage(files: files, registry: RegistryAddress.canonical)
        let good = try publisher.sign(digest: try message.signingDigest())
        let n = hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
        let high = RecoverableSignature(r: good.r, s: subtract(n, good.s), recoveryID: good.recoveryID ^ 1)
        #expect(throws: SignatureError.highS) {
            _ = try RegistryContract.attestCalldata(files: files, merkleRoot: message.merkleRoot, signature: high)
        }
        var calldata = try RegistryContract.attestCalldata(
            files: files, merkleRoot: message.merkleRoot, signature: good)
        calldata.replaceSubrange(
            100..<132, with: hex("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1"))  // vs = n/2 + 1
        let m2 = refusal {
            _ = try TransactionSender(client: try client(), key: payer).prepare(
                to: RegistryAddress.canonical, data: calldata)
        }
        #expect(m2.contains("high s"), "\(m2)")
        // Too many digests for the contract: refused by the client before encoding.
        #expect(RegistryContract.maxBatch == 16384)
    }

    @Test func unfundedKeyAndWrongChain() throws {
        let poor = try PrivateKey.generate()
        let sender = try TransactionSender(client: try client(), key: poor)
        do {
            _ = try sender.prepare(to: payer.address, data: [], value: 1)
            Issue.record("an unfunded key prepared a transaction")
        } catch let e as ProvenanceError {
            #expect(e.exitCode == .usage && e.message.contains("insufficient funds") && e.message.contains("missing"))
        }
        #expect(throws: RPCError.self) {
            _ = try TransactionSender(client: try client(), key: poor, expectedChainId: 1)
        }
        let r = try cli.run(["chain", "--chain-id", "1"])
        #expect(r.status == 3 && r.err.contains("expected chain 1"))
    }

    @Test func plainCreateWhereNoProxy() throws {
        let bare = try ChildServer(script: "devnet/server.py", arguments: ["--port", "0", "--no-create2-proxy"])
        let r = try cli.run([
            "registry", "deploy", "--private-key-file", "dev.key", "--json", "--legacy", "--rpc", bare.url,
        ])
        #expect(r.status == 0, "\(r.err)")
        let out = try JSON.parse(r.out)
        #expect(out["create2"] == .bool(false))
        let address = try Address(try out["address"].unwrap().stringValue.unwrap())
        #expect(address == RegistryAddress.create(sender: payer.address, nonce: 0))
        #expect(
            try RegistryDeployer.status(of: address, client: EthClient(endpoint: try Endpoint(bare.url))) == .deployed)
    }

    /// The node's usual answers to a broadcast: "already known" is success; "nonce too low" means
    /// another transaction took the nonce, so the sender re-signs with the next one; fee bumps for
    /// a replacement raise both fields by at least 12.5 %.
    @Test func broadcastAnswers() throws {
        let c = try client()
        let a = try TransactionSender(client: c, key: payer)
        let b = try TransactionSender(client: c, key: payer)
        let other = try PrivateKey.generate().address
        // Same transaction twice: the second broadcast meets "already known" and still returns the receipt.
        let once = try a.prepare(to: other, data: [], value: 1)
        let r1 = try a.sendAndWait(once)
        let r2 = try TransactionSender(client: c, key: payer).sendAndWait(once)
        #expect(r1.transactionHash == r2.transactionHash)
        // Two senders prepare the same nonce; b wins; a's node says "nonce too low" and a re-signs.
        let pa = try a.prepare(to: other, data: [], value: 2)
        let pb = try b.prepare(to: other, data: [], value: 3)
        #expect(pa.transaction.nonce == pb.transaction.nonce)
        _ = try b.sendAndWait(pb)
        var sent: [SignedTransaction] = []
        let ra = try a.sendAndWait(pa) { sent.append($0) }
        #expect(ra.status == 1)
        #expect(sent.count == 2 && sent[0] == pa.signed)  // both hashes reported, the first before it was sent
        #expect(try DecodedTransaction.decode(sent[1].raw).nonce == pa.transaction.nonce + 1)
        // Fee bump for a stuck transaction.
        let bumped = try a.bumped(pa)
        let e0 = pa.transaction as! EIP1559Transaction
        let e1 = bumped.transaction as! EIP1559Transaction
        #expect(
            e1.maxFeePerGas * 8 >= e0.maxFeePerGas * 9 && e1.maxPriorityFeePerGas * 8 >= e0.maxPriorityFeePerGas * 9)
        #expect(e1.nonce == e0.nonce && e1.data == e0.data && e1.to == e0.to)
    }

    /// HTTPS always verifies certificates: a self-signed endpoint is refused, not trusted.
    @Test func selfSignedCertificateIsRefused() throws {
        let cert = dir.appendingPathComponent("cert.pem").path
        let key = dir.appendingPathComponent("key.pem").path
        let made = try runTool(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        #expect(made.status == 0, "\(made.err)")
        let tls = try ChildServer(script: "devnet/tls_server.py", arguments: [cert, key])
        let https = tls.url.replacingOccurrences(of: "http://", with: "https://")
        let r = try cli.run(["chain", "--rpc", https + "/key/abc"])
        #expect(r.status == 3, "\(r.err)")
        #expect(r.err.lowercased().contains("certificate") && !r.err.contains("/key/abc"))
    }

    @Test func rpcRetriesBatchesAndKeepAlive() throws {
        let proxy = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        let rpc = RPCClient(endpoint: try Endpoint(proxy.url + "/v3/SECRETKEY"))
        rpc.baseDelay = 0.05
        // Transient HTTP statuses (with and without Retry-After) and a dropped connection are retried.
        try proxy.plan(#"[{"status": 503, "retryAfter": 1}, {"status": 429}, {"drop": true}, {"status": 502}]"#)
        let start = Date()
        #expect(try rpc.call("eth_chainId") == .string("0x7a69"))
        #expect(try proxy.stats()["requests"]?.intValue == 5)  // 4 faults, then forwarded
        #expect(rpc.requestCount >= 4)  // libcurl itself retries a request whose reused connection was dropped
        #expect(Date().timeIntervalSince(start) >= 1)  // Retry-After honoured
        // Too many failures: a typed error naming only scheme and host.
        try proxy.plan(#"[{"status": 503}, {"status": 503}, {"status": 503}, {"status": 503}, {"status": 503}]"#)
        do {
            _ = try rpc.call("eth_chainId")
            Issue.record("expected a failure")
        } catch let e as RPCError {
            #expect(
                e.description.contains("HTTP 503") && !e.description.contains("SECRETKEY")
                    && e.description.contains(proxy.url))
        }
        // A non-JSON body is not retried.
        try proxy.plan(#"[{"body": "<html>oops</html>"}]"#)
        #expect(throws: RPCError.self) { _ = try rpc.call("eth_chainId") }
        // Keep-alive: many calls, one connection. Batches: one HTTP request per 100 calls, order kept.
        try proxy.plan("[]")
        let connectionsBefore = rpc.connectionsOpened
        for _ in 0..<10 { _ = try rpc.call("eth_blockNumber") }
        let results = try rpc.batch(
            (0..<250).map { _ in RPCClient.Call("eth_chainId") } + [RPCClient.Call("no_such_method")])
        #expect(try proxy.stats()["requests"]?.intValue == 13)  // 10 calls + 251 batched calls in 3 requests
        #expect(results.prefix(250).allSatisfy { (try? $0.get()) == .string("0x7a69") })
        if case .failure(.rpc(let code, _, _)) = results[250] {
            #expect(code == -32601)
        } else {
            Issue.record("batch item error lost")
        }
        #expect(rpc.connectionsOpened - connectionsBefore <= 1)  // libcurl's own count: the connection is reused
        // The CLI redacts the URL path in its errors and exits 3.
        try proxy.plan(#"[{"body": "{\"jsonrpc\":"}, {"body": "{\"jsonrpc\":"}]"#)
        let r = try cli.run(["chain", "--rpc", proxy.url + "/v3/SECRETKEY"])
        #expect(r.status == 3 && !r.err.contains("SECRETKEY") && r.err.split(separator: "\n").count == 1)
    }
}
