import Foundation
import Testing

@testable import ProvenanceChain
@testable import ProvenanceCore

/// The attacks of issue 23, each against a real devnet (and, where an endpoint lies, devnet/faultproxy.py in
/// front of it): none may end in `verified` or in a part of a copy called authentic.
@Suite(.serialized, .tags(.devnet)) final class ProofAttacksTests {
    let devnet: ChildServer
    var cli: CLI
    let key: PrivateKey

    init() throws {
        (devnet, cli) = try deployedDevnet()
        key = try PrivateKey(hex: devKeyHex)
    }

    deinit { try? FileManager.default.removeItem(at: cli.dir) }

    func randomFile(_ name: String, size: Int) throws {
        let bytes = try SecureRandom.bytes(size)
        try Data(bytes).write(to: URL(fileURLWithPath: cli.path(name)))
    }

    /// Attack 1: a leaked, revoked key signs new details (the chunk list of unrelated bytes F) for the content
    /// ID of a recording R1 it attested honestly before the revocation. The record of R1 stands; the details
    /// are not the anchored ones, so not one byte of F may be called the publisher's.
    @Test func detailsNotAnchoredSayNothing() throws {
        try randomFile("R1.bin", size: 40_000)
        try randomFile("F.bin", size: 40_000)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "R1.bin"]).status == 0)
        try #require(try cli.run(["revoke", "--private-key-file", "dev.key", "--yes"]).status == 0)
        let r1 = try FileHasher.hash(path: cli.path("R1.bin"))
        let f = try FileHasher.hash(path: cli.path("F.bin"))
        let claimed = FileDigest(
            size: f.size, sha256: r1.sha256, chunkSize: f.chunkSize, chunks: f.chunks, windows: f.windows)
        let forged = try BatchSigner.sign(
            paths: [cli.path("F.bin")], digests: [claimed], key: key, registry: RegistryAddress.canonical)
        try forged[0].manifest.write(to: forged[0].manifestPath)
        let signer = key.address.checksummed

        let text = try cli.run(["verify", "--signer", signer, "F.bin"])
        #expect(text.status == 1, "\(text.out)\(text.err)")
        #expect(!text.out.contains("intact") && !text.out.contains("publisher's"), "\(text.out)")
        #expect(text.out.contains("not the ones anchored"), "\(text.out)")
        let json = try JSON.parse(try cli.run(["verify", "--signer", signer, "--json", "F.bin"]).out)
        #expect(json["status"]?.stringValue == "modified" && json["authentic"] == nil, "\(json.compact)")
        let codes = json["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(codes.contains("original.detailsDiffer"), "\(codes)")

        // Offline the manifest is all there is: its details are called signed, not anchored.
        let offline = try JSON.parse(try cli.run(["verify", "--offline", "--signer", signer, "--json", "F.bin"]).out)
        let offlineCodes = offline["reasons"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
        #expect(offlineCodes.contains("details.signedOnly"), "\(offline.compact)")
    }

    /// Attack 4: the scan cache is a hint. A record put in it (as a lying endpoint's answer once was) is asked
    /// of the chain again and, not being there, counts for nothing; a cache is never shared between chains.
    @Test func cachedRecordsAreProvenAgain() throws {
        try randomFile("A.bin", size: 5_000)
        try randomFile("U.bin", size: 5_000)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "A.bin"]).status == 0)
        // Beyond the cache's reorganisation margin, so scans are remembered.
        try mineEmptyBlocks(100, on: devnet.url)
        let cacheDir = cli.path("cache")
        cli.environment["PROVENANCE_CACHE_DIR"] = cacheDir
        let attested = try JSON.parse(try cli.run(["verify", "--any-signer", "--json", "A.bin"]).out)
        let real = try #require(attested["attestations"]?.arrayValue?.first, "\(attested.compact)")
        let first = try cli.run(["verify", "--any-signer", "U.bin"])
        #expect(first.status == 1 && first.out.contains("not-attested"), "\(first.out)")
        let files = try FileManager.default.contentsOfDirectory(atPath: cacheDir).filter { $0.hasPrefix("scan-") }
        try #require(files.count == 1, "\(files)")
        #expect(files[0].hasPrefix("scan-31337-"), "the cache names the chain and its genesis: \(files[0])")

        // The record of A, written into the cache as U's.
        let path = cacheDir + "/" + files[0]
        let u = Hex.encode(try FileHasher.hash(path: cli.path("U.bin")).sha256)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let entry = try #require(text.range(of: #""\#(u)":\{[^}]*"records":\[\]"#, options: .regularExpression))
        let forged =
            "[\"\(real["signer"]!.stringValue!)\",\"\(real["txHash"]!.stringValue!)\","
            + "\(real["blockNumber"]!.intValue!),0,\(real["timestamp"]!.intValue!)]"
        text.replaceSubrange(entry, with: String(text[entry]).replacingOccurrences(of: "[]", with: "[\(forged)]"))
        try text.write(toFile: path, atomically: true, encoding: .utf8)

        let again = try cli.run(["verify", "--any-signer", "U.bin"])
        #expect(
            again.status == 1 && again.out.contains("not-attested") && !again.out.contains("verified"), "\(again.out)")
        let honest = try cli.run(["verify", "--any-signer", "A.bin"])
        #expect(honest.status == 0 && honest.out.contains("verified"), "\(honest.out)")

        // A liar claiming a head 100 blocks ahead has its scan remembered as reaching that far; once the real
        // chain is past it, a record made meanwhile must still be found: the cache counts a scan only where
        // the endpoint asked now has the very block (by hash) it was scanned to.
        try randomFile("Z.bin", size: 5_000)
        let liar = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        let ahead = try EthClient(endpoint: try Endpoint(devnet.url)).blockNumber() + 100
        try liar.plan(
            "["
                + Array(repeating: #"{"rewrite": {"eth_blockNumber": "0x\#(String(ahead, radix: 16))"}}"#, count: 40)
                .joined(separator: ",") + "]")
        let poisoned = try cli.run(["verify", "--rpc", liar.url, "--any-signer", "Z.bin"])
        #expect(poisoned.status == 1 && poisoned.out.contains("not-attested"), "\(poisoned.out)\(poisoned.err)")
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "Z.bin"]).status == 0)
        try mineEmptyBlocks(150, on: devnet.url)
        let found = try cli.run(["verify", "--any-signer", "--signer", key.address.checksummed, "Z.bin"])
        #expect(found.status == 0 && found.out.contains("verified"), "\(found.out)\(found.err)")
    }

    /// Finality: a record in the head block is proven but not final (the devnet finalizes head − 2); with
    /// --require-finalized it is not-yet-final (exit 1) until blocks are mined on top.
    @Test func finalityIsToldAndCanBeRequired() throws {
        try randomFile("R.bin", size: 3_000)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "R.bin"]).status == 0)
        let signer = key.address.checksummed
        let fresh = try cli.run(["verify", "--signer", signer, "R.bin"])
        #expect(fresh.status == 0 && fresh.out.contains("not yet finalized"), "\(fresh.out)")
        let required = try cli.run(["verify", "--signer", signer, "--require-finalized", "--json", "R.bin"])
        #expect(required.status == 1, "\(required.out)\(required.err)")
        let json = try JSON.parse(required.out)
        #expect(json["status"]?.stringValue == "not-yet-final", "\(required.out)")
        #expect(json["attestations"]?.arrayValue?.first?["finalized"] == .bool(false), "\(required.out)")
        try mineEmptyBlocks(3, on: devnet.url)
        let later = try cli.run(["verify", "--signer", signer, "--require-finalized", "R.bin"])
        #expect(later.status == 0 && later.out.contains("; finalized)"), "\(later.out)")
    }

    // MARK: a lying endpoint (devnet/faultproxy.py) beside an honest one

    static let relayerKey = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

    /// What a liar reports for its own transaction, never sent: the transaction's fields (decoded from its
    /// signed bytes, so its hash checks out) and a made-up receipt holding the registry's log, in block `n`.
    func invented(_ raw: [UInt8], from: Address, log topics: [[UInt8]], block n: UInt64, hash blockHash: String)
        throws -> String
    {
        let f = try #require(try RLP.decode(Array(raw.dropFirst())).listValue?.map { $0.bytesValue ?? [] })
        func q(_ b: [UInt8]) -> JSON { .string(b.isEmpty ? "0x0" : "0x" + String(Hex.encode(b).drop { $0 == "0" })) }
        let hash = Hex.encode(Keccak256.hash(raw), prefix: true)
        let place: [(String, JSON)] = [
            ("blockNumber", .string("0x" + String(n, radix: 16))), ("blockHash", .string(blockHash)),
            ("transactionIndex", .string("0x0")),
        ]
        let tx = JSON.object(
            [
                ("type", .string("0x2")), ("chainId", q(f[0])), ("nonce", q(f[1])), ("maxPriorityFeePerGas", q(f[2])),
                ("maxFeePerGas", q(f[3])), ("gas", q(f[4])), ("to", .string(Hex.encode(f[5], prefix: true))),
                ("value", q(f[6])), ("input", .string(Hex.encode(f[7], prefix: true))), ("accessList", .array([])),
                ("yParity", q(f[9])), ("v", q(f[9])), ("r", q(f[10])), ("s", q(f[11])), ("hash", .string(hash)),
                ("from", .string(from.checksummed)),
            ] + place)
        let log = JSON.object(
            [
                ("address", .string(RegistryAddress.canonical.checksummed)),
                ("topics", .array(topics.map { .string(Hex.encode($0, prefix: true)) })), ("data", .string("0x")),
                ("logIndex", .string("0x0")), ("transactionHash", .string(hash)), ("removed", .bool(false)),
            ] + place)
        let receipt = JSON.object(
            [
                ("type", .string("0x2")), ("status", .string("0x1")), ("cumulativeGasUsed", .string("0xc350")),
                ("gasUsed", .string("0xc350")), ("effectiveGasPrice", .string("0x3b9aca00")),
                ("logsBloom", .string("0x" + String(repeating: "00", count: 256))), ("logs", .array([log])),
                ("transactionHash", .string(hash)), ("from", .string(from.checksummed)),
                ("to", .string(RegistryAddress.canonical.checksummed)), ("contractAddress", .null),
            ] + place)
        return JSON.object([("tx", tx), ("receipt", receipt), ("blockNumber", .string("0x" + String(n, radix: 16)))])
            .compact
    }

    /// Attack 2: a record invented in a real block. The publisher attested R0 honestly (block N); it also
    /// signed a draft U it never attested. A liar reports an attestation of U — its own transaction, carrying
    /// the publisher's valid signature — as mined in block N, with N's real hash and a made-up receipt, with
    /// the block left as it is or with the transaction added to its list. Never verified, in either order.
    @Test func aRecordInventedInARealBlockIsCaught() throws {
        try randomFile("R0.bin", size: 2_000)
        try randomFile("U.bin", size: 2_000)
        let attested = try cli.run(["attest", "--private-key-file", "dev.key", "--json", "R0.bin"])
        try #require(attested.status == 0, "\(attested.err)")
        let n = try #require(
            attested.out.split(separator: "\n").compactMap { try? JSON.parse(String($0))["blockNumber"]?.intValue }
                .first.map(UInt64.init))
        try #require(try cli.run(["sign", "--private-key-file", "dev.key", "U.bin"]).status == 0)
        let u = try Manifest.read(path: cli.path("U.bin.provenance.json"))
        let relayer = try PrivateKey(hex: Self.relayerKey)
        let sender = try TransactionSender(client: EthClient(endpoint: try Endpoint(devnet.url)), key: relayer)
        let data = try RegistryContract.attestCalldata(
            files: [u.commitment], merkleRoot: u.message.merkleRoot, signature: u.signature)
        let raw = try sender.prepare(to: RegistryAddress.canonical, data: data).signed.raw  // never sent
        let blockHash = try #require(
            try RPCClient(endpoint: try Endpoint(devnet.url)).call(
                "eth_getBlockByNumber", [EthClient.q(n), .bool(false)])[
                    "hash"]?.stringValue)
        let spec = try invented(
            raw, from: relayer.address, log: [u.sha256, RegistryContract.topic(key.address)], block: n, hash: blockHash)
        let liar = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        let signer = key.address.checksummed
        for inBlock in [false, true] {
            try liar.plan(#"[{"inventTx": "# + spec.dropLast() + #", "inBlock": \#(inBlock)}}]"#)
            for order in [[devnet.url, liar.url], [liar.url, devnet.url], [liar.url]] {
                let r = try cli.run(
                    ["verify"] + order.flatMap { ["--rpc", $0] } + ["--signer", signer, "--json", "U.bin"])
                guard let json = try? JSON.parse(r.out) else {
                    Issue.record("inBlock \(inBlock), \(order.count) endpoints: \(r.status) \(r.out)\(r.err)")
                    continue
                }
                let status = json["status"]?.stringValue
                #expect(r.status == 3, "inBlock \(inBlock), \(order.count) endpoints: \(r.out)\(r.err)")
                #expect(status == (order.count == 1 ? "forged-record" : "endpoints-disagree"), "\(r.out)")
                let checks = (json["reasons"]?.arrayValue ?? []).flatMap { reason in
                    [reason["check"]?.stringValue]
                        + (reason["conflicts"]?.arrayValue ?? []).map { $0["check"]?.stringValue }
                }.compactMap { $0 }
                #expect(
                    checks.contains(inBlock ? "proof.transactionsRoot" : "proof.transactionNotInBlock"), "\(r.out)")
            }
        }
    }

    /// Attack 3: a hidden revocation. The key attested R1, was revoked, then attested R2 (straight to the
    /// registry, as a thief would). A liar hides the revocation (signer index and events) and dates blocks
    /// wrongly; listed first or second, R2 is revoked, never verified; a liar that also falsifies its storage
    /// proof or the blocks' timestamps is caught (exit 3).
    @Test func aHiddenRevocationStaysRevoked() throws {
        try randomFile("R2.bin", size: 2_000)
        try #require(try cli.run(["revoke", "--private-key-file", "dev.key", "--yes"]).status == 0)
        try attestAsAThief("R2.bin")
        let liar = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        let signer = key.address.checksummed
        try liar.plan(#"[{"rewriteRevokedAt": "0x0", "hideRevocations": true}]"#)
        for order in [[liar.url, devnet.url], [devnet.url, liar.url], [liar.url]] {
            for lookup in [["--signer", signer], ["--signer", signer, "--any-signer", "--no-cache"]] {
                let r = try cli.run(["verify"] + order.flatMap { ["--rpc", $0] } + lookup + ["R2.bin"])
                #expect(r.status == 1 && r.out.contains("REVOKED"), "\(order.count) \(lookup): \(r.out)\(r.err)")
            }
        }
        for lie in [#"{"rewriteProof": {"storageValue": "0x0"}}"#, #"{"rewriteProof": {"dropNode": true}}"#] {
            try liar.plan("[\(lie)]")
            let r = try cli.run(["verify", "--rpc", liar.url, "--rpc", devnet.url, "--signer", signer, "R2.bin"])
            #expect(r.status == 3 && !r.out.contains("verified"), "\(lie): \(r.out)\(r.err)")
        }
        try liar.plan(#"[{"shiftTimestamps": -1000000000}]"#)
        let dated = try cli.run(["verify", "--rpc", liar.url, "--rpc", devnet.url, "--signer", signer, "R2.bin"])
        #expect(dated.status == 3 && !dated.out.contains("2001"), "\(dated.out)\(dated.err)")
    }

    /// The chain id is the transactions' word, not the endpoint's: one naming another chain than its blocks'
    /// transactions were signed for reports forged records. And a record counts only when every endpoint has
    /// confirmed its block: beside an endpoint whose head is still below it, in either order, it is not counted
    /// through the other's word alone (it was, as a record the lagging endpoint "hid").
    @Test func chainIdAndConfirmedHeadsAreTheChains() throws {
        try randomFile("R1.bin", size: 3_000)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "R1.bin"]).status == 0)
        let head = try EthClient(endpoint: try Endpoint(devnet.url)).blockNumber()
        let liar = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        let signer = key.address.checksummed
        func everyRequest(_ rewrite: String) -> String {
            "[" + Array(repeating: "{\"rewrite\": {\(rewrite)}}", count: 40).joined(separator: ",") + "]"
        }
        try liar.plan(everyRequest(#""eth_chainId": "0x1""#))
        let renamed = try cli.run(["verify", "--rpc", liar.url, "--signer", signer, "--json", "R1.bin"])
        #expect(renamed.status == 3 && renamed.out.contains("proof.chainId"), "\(renamed.out)\(renamed.err)")
        for lagging in [true, false] {
            try liar.plan(everyRequest("\"eth_blockNumber\": \"0x\(String(head - 1, radix: 16))\""))
            let order = lagging ? [liar.url, devnet.url] : [devnet.url, liar.url]
            let r = try cli.run(
                ["verify"] + order.flatMap { ["--rpc", $0] } + ["--signer", signer, "--json", "R1.bin"])
            #expect(r.status == 1 && r.out.contains("proof.notConfirmedAt"), "\(r.out)\(r.err)")
        }
        let both = try cli.run(["verify", "--rpc", devnet.url, "--rpc", devnet.url, "--signer", signer, "R1.bin"])
        #expect(both.status == 0, "\(both.out)\(both.err)")
    }

    /// The revoked key's batch, sent straight to the registry (as a thief would: `attest` refuses the key).
    func attestAsAThief(_ name: String) throws {
        let signed = try BatchSigner.sign(paths: [cli.path(name)], key: key, registry: RegistryAddress.canonical)
        try signed[0].manifest.write(to: signed[0].manifestPath)
        let sender = try TransactionSender(client: EthClient(endpoint: try Endpoint(devnet.url)), key: key)
        let m = signed[0].manifest
        let data = try RegistryContract.attestCalldata(
            files: [m.commitment], merkleRoot: m.message.merkleRoot, signature: m.signature)
        #expect(try sender.sendAndWait(try sender.prepare(to: RegistryAddress.canonical, data: data)).status == 1)
    }

    /// Attack 3 by a state of the liar's own making: R1 attested, the key revoked, R2 attested after. The liar
    /// proves the registry's storage at a block from before the revocation under a head header it made itself
    /// (block N's, renumbered and re-hashed: only its own hash vouches for it). Beside an honest endpoint in
    /// either order, and when it lies only to the second of verify's two lookups (R2's bytes beside R1's
    /// manifest: R1 is asked while hashing, R2 after), that is exit 3, never `verified`. Alone, the liar decides
    /// which chain is the chain — docs/SECURITY.md says so, and the last expectation holds the claim.
    @Test func aStateOfTheLiarsOwnMakingIsCaught() throws {
        try randomFile("R1.bin", size: 3_000)
        try randomFile("R2.bin", size: 2_000)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "R1.bin"]).status == 0)
        let before = try EthClient(endpoint: try Endpoint(devnet.url)).blockNumber()
        try #require(try cli.run(["revoke", "--private-key-file", "dev.key", "--yes"]).status == 0)
        try attestAsAThief("R2.bin")
        let liar = try ChildServer(script: "devnet/faultproxy.py", arguments: ["--upstream", devnet.url])
        let signer = key.address.checksummed
        let stale = "\"staleState\": \"0x\(String(before, radix: 16))\""
        // R2's block is the head: the made-up head header and the real block at that number meet in one answer.
        try liar.plan("[{\(stale)}]")
        let caught = try cli.run(["verify", "--rpc", liar.url, "--signer", signer, "R2.bin"])
        #expect(caught.status == 3 && caught.err.contains("two different blocks"), "\(caught.out)\(caught.err)")
        // A block on top (any transaction), so the head the liar makes up is not a block with a record.
        let sender = try TransactionSender(client: EthClient(endpoint: try Endpoint(devnet.url)), key: key)
        #expect(
            try sender.sendAndWait(
                try sender.prepare(to: Address(bytes: [UInt8](repeating: 0x11, count: 20)), data: [])
            ).status == 1)
        try FileManager.default.copyItem(atPath: cli.path("R2.bin"), toPath: cli.path("mixed.bin"))
        try FileManager.default.copyItem(
            atPath: Manifest.path(for: cli.path("R1.bin")), toPath: Manifest.path(for: cli.path("mixed.bin")))
        for order in [[liar.url, devnet.url], [devnet.url, liar.url]] {
            try liar.plan("[{\(stale)}]")
            let r = try cli.run(["verify"] + order.flatMap { ["--rpc", $0] } + ["--signer", signer, "R2.bin"])
            #expect(r.status == 3 && !r.out.contains("verified"), "\(r.out)\(r.err)")
            #expect(r.err.contains("not of one chain"), "\(r.err)")
            // Honest to the first lookup (R1, the manifest's claim), a state of its own to the second (R2).
            try liar.plan("[{\"method\": \"eth_getProof\", \"after\": 1, \(stale)}]")
            let mixed = try cli.run(["verify"] + order.flatMap { ["--rpc", $0] } + ["--signer", signer, "mixed.bin"])
            #expect(mixed.status == 3 && !mixed.out.contains("verified"), "\(mixed.out)\(mixed.err)")
        }
        try liar.plan("[{\(stale)}]")
        let alone = try cli.run(["verify", "--rpc", liar.url, "--signer", signer, "R2.bin"])
        #expect(
            alone.status == 0, "one endpoint's word on the chain, as docs/SECURITY.md says: \(alone.out)\(alone.err)")
        let honest = try cli.run(["verify", "--rpc", devnet.url, "--signer", signer, "R2.bin"])
        #expect(honest.status == 1 && honest.out.contains("REVOKED"), "\(honest.out)")
    }
}
