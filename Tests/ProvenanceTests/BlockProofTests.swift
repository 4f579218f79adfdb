import Foundation
import Testing

@testable import ProvenanceChain
@testable import ProvenanceCore

/// The block and storage proofs against the devnet's real blocks (py-evm, Prague), then with each part of the
/// endpoint's answer changed in turn: every header field, every transaction's fields, every receipt's, a log,
/// a transaction added, the storage proof's value and nodes. Each change must be caught.
@Suite(.serialized, .tags(.devnet)) final class BlockProofTests {
    let devnet: ChildServer
    var cli: CLI
    let rpc: RPCClient
    let client: EthClient

    init() throws {
        (devnet, cli) = try deployedDevnet()
        rpc = RPCClient(endpoint: try Endpoint(devnet.url))
        client = EthClient(endpoint: try Endpoint(devnet.url))
    }

    deinit { try? FileManager.default.removeItem(at: cli.dir) }

    /// The block that holds an attestation of a fresh file, and its number.
    func attestedBlock() throws -> (UInt64, JSON, JSON) {
        try cli.write("a.bin", "recording \(UUID())", mode: 0o644)
        let r = try cli.run(["attest", "--private-key-file", "dev.key", "--json", "a.bin"])
        try #require(r.status == 0, "\(r.err)")
        let lines = try r.out.split(separator: "\n").map { try JSON.parse(String($0)) }
        let n = try #require(lines.compactMap { $0["blockNumber"]?.intValue }.first.map(UInt64.init), "\(r.out)")
        let block = try rpc.call("eth_getBlockByNumber", [EthClient.q(n), .bool(true)])
        let receipts = try rpc.call("eth_getBlockReceipts", [EthClient.q(n)])
        return (n, block, receipts)
    }

    func prove(_ n: UInt64, _ block: JSON, _ receipts: JSON) throws -> Result<BlockProver.ProvenBlock, ProofCheck> {
        try BlockProver(client: client).proveBlock(n, block: .success(block), receipts: .success(receipts))
    }

    /// A JSON value with one quantity or data field changed (its last hex digit).
    func changed(_ j: JSON, _ key: String) -> JSON? {
        guard case .object(var fields) = j, let i = fields.firstIndex(where: { $0.0 == key }),
            let text = fields[i].1.stringValue, text.hasPrefix("0x")
        else { return nil }
        let last = text.last!
        let flipped = text.count == 2 ? "0x1" : String(text.dropLast()) + (last == "1" ? "2" : "1")
        fields[i].1 = .string(flipped)
        return .object(fields)
    }

    func replacing(_ j: JSON, _ key: String, with value: JSON) -> JSON {
        guard case .object(var fields) = j, let i = fields.firstIndex(where: { $0.0 == key }) else { return j }
        fields[i].1 = value
        return .object(fields)
    }

    @Test func honestBlocksProveAndEveryChangeIsCaught() throws {
        let (n, block, receipts) = try attestedBlock()
        guard case .success(let proven) = try prove(n, block, receipts) else {
            Issue.record("the devnet's own block did not prove")
            return
        }
        #expect(Hex.encode(proven.header.hash, prefix: true) == block["hash"]?.stringValue)
        #expect(proven.transactions.count == block["transactions"]?.arrayValue?.count)
        #expect(proven.receipts.last?.logs.contains { $0.address == RegistryAddress.canonical } == true)

        // Every header field.
        let headerFields = (BlockHeader.frontier + BlockHeader.forks.flatMap(\.fields)).map(\.0)
        var tried = 0
        for name in headerFields {
            guard let mutated = changed(block, name) else { continue }
            tried += 1
            let r = try prove(n, mutated, receipts)
            #expect(r.failure == .headerHash, "\(name): \(r)")
        }
        #expect(tried == 21, "the devnet's blocks are Prague's: 21 header fields")

        // Every field of the block's transactions.
        let txs = try #require(block["transactions"]?.arrayValue)
        var txFields = 0
        for (i, tx) in txs.enumerated() {
            for key in ["nonce", "gas", "value", "input", "r", "s", "maxFeePerGas", "maxPriorityFeePerGas", "to"] {
                guard let mutated = changed(tx, key) else { continue }
                txFields += 1
                var list = txs
                list[i] = mutated
                let r = try prove(n, replacing(block, "transactions", with: .array(list)), receipts)
                #expect(r.failure == .transactionsRoot, "tx \(i) \(key): \(r)")
            }
        }
        #expect(txFields >= 9, "\(txFields) transaction fields changed")
        // A transaction added (an attacker's, in a real block).
        let added = try prove(n, replacing(block, "transactions", with: .array(txs + [txs[0]])), receipts)
        #expect(added.failure == .transactionsRoot || added.failure == .receiptsRoot, "\(added)")

        // Every receipt's fields, and its log.
        let items = try #require(receipts.arrayValue)
        for (i, receipt) in items.enumerated() {
            for key in ["status", "cumulativeGasUsed", "logsBloom"] {
                guard let mutated = changed(receipt, key) else { continue }
                var list = items
                list[i] = mutated
                #expect(try prove(n, block, .array(list)).failure == .receiptsRoot, "receipt \(i) \(key)")
            }
            guard let logs = receipt["logs"]?.arrayValue, let log = logs.first else { continue }
            for key in ["address", "data"] {
                var list = items
                list[i] = replacing(receipt, "logs", with: .array([changed(log, key)!] + logs.dropFirst()))
                #expect(try prove(n, block, .array(list)).failure == .receiptsRoot, "receipt \(i) log \(key)")
            }
            var list = items
            list[i] = replacing(receipt, "logs", with: .array(logs + [log]))
            #expect(try prove(n, block, .array(list)).failure == .receiptsRoot, "receipt \(i): a log added")
        }
    }

    /// The revocation slot's formula against the contract's real storage, and the storage proof against the
    /// header's state root, with its value and nodes changed in turn.
    @Test func revocationStateIsProvenFromStorage() throws {
        let key = try PrivateKey(hex: devKeyHex)
        let signer = key.address
        let r = try cli.run(["revoke", "--private-key-file", "dev.key", "--yes", "--json"])
        let revokedAt = try #require(try JSON.parse(r.out)["revokedAt"]?.intValue, "\(r.out)\(r.err)")
        let slot = RegistryContract.revokedAtSlot(signer)
        let stored = try rpc.call(
            "eth_getStorageAt", [EthClient.addr(RegistryAddress.canonical), EthClient.hex(slot), .string("latest")])
        #expect(try BlockEncoding.quantity(stored, "slot") == RLP.uint(UInt64(revokedAt)).bytesValue)

        let head = try client.blockNumber()
        let header = try BlockEncoding.header(try rpc.call("eth_getBlockByNumber", [EthClient.q(head), .bool(false)]))
        let codeHash = Keccak256.hash(try client.code(RegistryAddress.canonical))
        let other = Address(bytes: [UInt8](repeating: 0x42, count: 20))
        let call = RevocationProof.call(registry: RegistryAddress.canonical, signers: [signer, other], at: head)
        let honest = try rpc.call(call.method, call.params)
        func check(_ answer: JSON, codeHash given: [UInt8]? = nil) throws -> [Address: UInt64] {
            try RevocationProof.revokedAt(
                .success(answer), registry: RegistryAddress.canonical, signers: [signer, other], header: header,
                codeHash: given ?? codeHash, endpoint: "devnet")
        }
        // The revoked signer's block, and the other's absence, both proven.
        #expect(try check(honest) == [signer: UInt64(revokedAt)])

        let storage = try #require(honest["storageProof"]?.arrayValue)
        let account = try #require(honest["accountProof"]?.arrayValue)
        var mutations: [(String, JSON)] = []
        mutations.append(
            (
                "value hidden",
                replacing(
                    honest, "storageProof",
                    with: .array([replacing(storage[0], "value", with: .string("0x0"))] + storage.dropFirst()))
            ))
        let proof0 = try #require(storage[0]["proof"]?.arrayValue)
        mutations.append(
            (
                "storage node dropped",
                replacing(
                    honest, "storageProof",
                    with: .array(
                        [replacing(storage[0], "proof", with: .array(Array(proof0.dropLast())))] + storage.dropFirst()))
            ))
        mutations.append(
            (
                "storage node changed",
                replacing(
                    honest, "storageProof",
                    with: .array(
                        [
                            replacing(
                                storage[0], "proof",
                                with: .array(proof0.dropLast() + [changed(.object([("x", proof0.last!)]), "x")!["x"]!]))
                        ] + storage.dropFirst()))
            ))
        mutations.append(
            (
                "account node changed",
                replacing(
                    honest, "accountProof",
                    with: .array(account.dropLast() + [changed(.object([("x", account.last!)]), "x")!["x"]!]))
            ))
        mutations.append(("slot missing", replacing(honest, "storageProof", with: .array(Array(storage.dropFirst())))))
        for (what, answer) in mutations {
            #expect(throws: ProvenanceError.self, "\(what)") { try check(answer) }
        }
        #expect(throws: ProvenanceError.self, "another contract") {
            try check(honest, codeHash: [UInt8](repeating: 1, count: 32))
        }
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
