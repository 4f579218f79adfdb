import Foundation
import Testing

@testable import ProvenanceChain
@testable import ProvenanceCore

/// The Merkle-Patricia trie and the block header against ethereum/tests (TrieTests, a Cancun block from
/// BlockchainTests): what every record's block proof rests on (docs/FORMAT.md §6b).
@Suite(.tags(.unit)) struct TrieTests {
    /// A key or value as the vectors write it: `0x` hex, or a plain string's UTF-8 bytes.
    func bytes(_ j: JSON) throws -> [UInt8] {
        let text = try j.stringValue.unwrap()
        if text.hasPrefix("0x") { return try Hex.decode(text.dropFirst(2)).unwrap() }
        return Array(text.utf8)
    }

    /// The final contents after the vector's inserts and deletes (null), in order.
    func contents(_ input: JSON, secure: Bool) throws -> [(key: [UInt8], value: [UInt8])] {
        var pairs: [(JSON, JSON)] = []
        if let list = input.arrayValue {
            pairs = try list.map { p in
                let a = try p.arrayValue.unwrap()
                return (a[0], a[1])
            }
        } else {
            pairs = try input.objectValue.unwrap().map { (.string($0.0), $0.1) }
        }
        var state: [[UInt8]: [UInt8]] = [:]
        for (k, v) in pairs {
            var key = try bytes(k)
            if secure { key = Keccak256.hash(key) }
            if v.isNull { state[key] = nil } else { state[key] = try bytes(v) }
        }
        return state.map { ($0.key, $0.value) }
    }

    @Test(arguments: [
        "trietest.json", "trieanyorder.json", "trietest_secureTrie.json", "trieanyorder_secureTrie.json",
        "hex_encoded_securetrie_test.json",
    ])
    func rootsOfEveryVector(file: String) throws {
        let cases = try Vectors.load("ethereum-tests/TrieTests/" + file).objectValue.unwrap()
        #expect(cases.count >= 3)
        let secure = file.contains("ecure")
        for (name, c) in cases {
            let pairs = try contents(try c["in"].unwrap(), secure: secure)
            let root = Trie.root(pairs)
            #expect(Hex.encode(root, prefix: true) == c["root"]?.stringValue, "\(file) \(name)")
            // The same set in reverse order has the same root.
            #expect(Trie.root(pairs.reversed()) == root, "\(file) \(name) reversed")
        }
    }

    /// The vector's Cancun header, with the field names JSON-RPC uses.
    func cancunHeader() throws -> (JSON, [String: JSON]) {
        let block = try Vectors.load("ethereum-tests/BlockHeaders/cancun_block.json")["Cancun"].unwrap()["block"]
            .unwrap()
        let renamed = [
            "bloom": "logsBloom", "coinbase": "miner", "uncleHash": "sha3Uncles", "receiptTrie": "receiptsRoot",
            "transactionsTrie": "transactionsRoot",
        ]
        var fields: [String: JSON] = [:]
        for (k, v) in try block["blockHeader"].unwrap().objectValue.unwrap() { fields[renamed[k] ?? k] = v }
        return (block, fields)
    }

    func header(_ fields: [String: JSON]) throws -> BlockHeader {
        try BlockEncoding.header(.object(fields.map { ($0.key, $0.value) }))
    }

    @Test func cancunHeaderAndTransactionsRoot() throws {
        let (block, fields) = try cancunHeader()
        let h = try header(fields)
        #expect(h.fields.count == 20 && h.number == 1)
        #expect(Hex.encode(h.hash, prefix: true) == fields["hash"]?.stringValue)
        // The header's RLP is the first item of the block's RLP.
        let rlp = try RLP.decode(try Hex.decode(try block["rlp"].unwrap().stringValue.unwrap().dropFirst(2)).unwrap())
        #expect(try rlp.listValue.unwrap()[0] == RLP.list(h.fields))
        let txs = try block["transactions"].unwrap().arrayValue.unwrap().map { t -> JSON in
            var o = try t.objectValue.unwrap().filter { $0.0 != "data" && $0.0 != "gasLimit" }
            o += [("input", t["data"]!), ("gas", t["gasLimit"]!), ("type", .string("0x0"))]
            return .object(o)
        }
        let encoded = try txs.map(BlockEncoding.transaction)
        #expect(Trie.listRoot(encoded) == h.transactionsRoot)
        #expect(rlp.listValue?[1] == RLP.list(try encoded.map { try RLP.decode($0) }))
    }

    /// Every field of the header, changed by one bit, changes the hash; a field removed, or a fork's fields
    /// without the forks before it, is refused.
    @Test func everyHeaderFieldCounts() throws {
        let (_, fields) = try cancunHeader()
        let honest = try header(fields).hash
        let named = BlockHeader.frontier + BlockHeader.forks.prefix(3).flatMap(\.fields)
        for (name, _) in named {
            var changed = fields
            let text = try fields[name].unwrap().stringValue.unwrap()
            let last = text.last!
            changed[name] = .string(String(text.dropLast()) + (last == "1" ? "2" : "1"))
            #expect(try header(changed).hash != honest, "\(name)")
            var removed = fields
            removed[name] = nil
            #expect(throws: (any Error).self, "\(name) removed") { try header(removed) }
        }
        var prague = fields
        prague["requestsHash"] = .string("0x" + String(repeating: "ab", count: 32))
        #expect(try header(prague).fields.count == 21 && header(prague).hash != honest)
        var gap = fields
        gap["withdrawalsRoot"] = nil
        gap["requestsHash"] = prague["requestsHash"]
        #expect(throws: (any Error).self) { try header(gap) }
    }

    /// A proof walked from a root: present keys give their value, absent ones nil, and a proof with a node
    /// changed, cut short or padded is refused.
    @Test func proofsOfPresenceAndAbsence() throws {
        var pairs: [(key: [UInt8], value: [UInt8])] = []
        for i in 0..<300 {
            pairs.append((Keccak256.hash(Array("key \(i)".utf8)), Array(repeating: UInt8(i % 251), count: 1 + i % 40)))
        }
        let root = Trie.root(pairs)
        for (key, value) in pairs.prefix(40) {
            let proof = TrieProofs.proof(pairs, key: key)
            #expect(try Trie.value(at: key, root: root, proof: proof) == value)
            var changed = proof
            changed[changed.count - 1][changed[changed.count - 1].count - 1] ^= 1
            #expect(throws: (any Error).self) { try Trie.value(at: key, root: root, proof: changed) }
            #expect(throws: (any Error).self) { try Trie.value(at: key, root: root, proof: Array(proof.dropLast())) }
            #expect(throws: (any Error).self) { try Trie.value(at: key, root: root, proof: proof + [proof[0]]) }
        }
        let absent = Keccak256.hash(Array("not there".utf8))
        #expect(try Trie.value(at: absent, root: root, proof: TrieProofs.proof(pairs, key: absent)) == nil)
        #expect(try Trie.value(at: absent, root: Trie.emptyRoot, proof: []) == nil)
    }
}

/// Proofs for the test above, made the slow, obvious way: every node on the key's path, found by rebuilding
/// the trie with the pairs whose keys share each prefix of the path (a test's generator, not the tool's).
enum TrieProofs {
    static func proof(_ pairs: [(key: [UInt8], value: [UInt8])], key: [UInt8]) -> [[UInt8]] {
        let all = pairs.map { (Trie.nibbles($0.key), $0.value) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
        return Trie.proofNodes(all[...], path: Trie.nibbles(key))
    }
}
