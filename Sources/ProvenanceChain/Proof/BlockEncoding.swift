import ProvenanceCore

/// An endpoint's JSON for a block, its transactions and its receipts, put back into the bytes the chain hashes:
/// the header's RLP, each transaction's canonical encoding (legacy RLP, or type ‖ RLP for EIP-2718 types 1–4),
/// each receipt's. Nothing here is believed: these bytes are what the header hash and the trie roots are then
/// checked against (BlockProver). A shape this tool does not encode throws, so it can never pass.
enum BlockEncoding {
    struct Failure: Error {
        let reason: String
    }

    /// The header of a block answer (eth_getBlockByNumber / eth_getBlockReceipts fields as named by the spec).
    static func header(_ block: JSON) throws -> BlockHeader {
        do {
            return try BlockHeader { name in
                guard let value = block[name], !value.isNull else { return nil }
                let kind =
                    BlockHeader.frontier.first { $0.0 == name }?.1
                    ?? BlockHeader.forks.flatMap(\.fields).first { $0.0 == name }?.1
                return kind == .quantity ? try quantity(value, name) : try bytes(value, name)
            }
        } catch let e as BlockHeader.LayoutError {
            throw Failure(reason: e.description)
        }
    }

    /// A transaction's canonical encoding, whose keccak256 is its hash and which is its value in the block's
    /// transactions trie.
    static func transaction(_ t: JSON) throws -> [UInt8] {
        let type = try t["type"].map { try small(quantity($0, "type")) } ?? 0
        let common: [RLP] = [
            try uint(t, "nonce"), try uint(t, "gas"), try to(t), try uint(t, "value"),
            .bytes(try bytes(t["input"] ?? t["data"] ?? .null, "input")),
        ]
        let signature = [try parity(t), try uint(t, "r"), try uint(t, "s")]
        switch type {
        case 0:
            let fields =
                [common[0], try uint(t, "gasPrice")] + common[1...] + [try uint(t, "v")] + signature.dropFirst()
            return RLP.list(Array(fields)).encoded
        case 1:
            let fields =
                [try uint(t, "chainId"), common[0], try uint(t, "gasPrice")] + common[1...] + [try accessList(t)]
                + signature
            return [1] + RLP.list(fields).encoded
        case 2, 3, 4:
            var fields =
                [try uint(t, "chainId"), common[0], try uint(t, "maxPriorityFeePerGas"), try uint(t, "maxFeePerGas")]
                + common[1...] + [try accessList(t)]
            if type == 3 {
                let hashes = try (t["blobVersionedHashes"]?.arrayValue ?? []).map { RLP.bytes(try hash32($0)) }
                fields += [try uint(t, "maxFeePerBlobGas"), .list(hashes)]
            }
            if type == 4 { fields.append(try authorizations(t)) }
            return [UInt8(type)] + RLP.list(fields + signature).encoded
        default:
            throw Failure(reason: "transaction type \(type) is not one this tool encodes")
        }
    }

    /// A receipt's consensus encoding: [status (or pre-Byzantium state root), cumulative gas, bloom, logs],
    /// typed like its transaction. Its value in the block's receipts trie.
    static func receipt(_ r: JSON) throws -> [UInt8] {
        let type = try r["type"].map { try small(quantity($0, "type")) } ?? 0
        guard type <= 4 else { throw Failure(reason: "receipt type \(type) is not one this tool encodes") }
        let outcome: RLP
        if let root = r["root"], !root.isNull {
            outcome = .bytes(try hash32(root))
        } else {
            outcome = try uint(r, "status")
        }
        guard let logs = r["logs"]?.arrayValue else { throw Failure(reason: "receipt has no logs array") }
        let encodedLogs = try logs.map { log -> RLP in
            let topics = try (log["topics"]?.arrayValue ?? []).map { RLP.bytes(try hash32($0)) }
            return .list([
                .bytes(try address(log["address"])), .list(topics), .bytes(try bytes(log["data"], "log data")),
            ])
        }
        let bloom = try bytes(r["logsBloom"], "logsBloom")
        guard bloom.count == 256 else { throw Failure(reason: "logsBloom is not 256 bytes") }
        let body = RLP.list([outcome, try uint(r, "cumulativeGasUsed"), .bytes(bloom), .list(encodedLogs)]).encoded
        return type == 0 ? body : [UInt8(type)] + body
    }

    // MARK: fields

    private static func accessList(_ t: JSON) throws -> RLP {
        .list(
            try (t["accessList"]?.arrayValue ?? []).map { item in
                let keys = try (item["storageKeys"]?.arrayValue ?? []).map { RLP.bytes(try hash32($0)) }
                return .list([.bytes(try address(item["address"])), .list(keys)])
            })
    }

    private static func authorizations(_ t: JSON) throws -> RLP {
        .list(
            try (t["authorizationList"]?.arrayValue ?? []).map { a in
                .list([
                    try uint(a, "chainId"), .bytes(try address(a["address"])), try uint(a, "nonce"),
                    try uint(a, "yParity"), try uint(a, "r"), try uint(a, "s"),
                ])
            })
    }

    /// A typed transaction's y parity: `yParity`, or `v` where only that is given (0 or 1 either way).
    /// The chain a transaction was signed for, from the fields just encoded into its hash: `chainId` of a typed
    /// transaction, EIP-155's `v = 35 + 2·chainId + parity` of a legacy one (nil before EIP-155: none named).
    /// A value past 64 bits is UInt64.max, which no chain id matches.
    static func signedChainId(_ t: JSON) -> UInt64? {
        func number(_ name: String) -> UInt64? {
            guard let b = try? quantity(t[name] ?? .null, name) else { return nil }
            return b.count > 8 ? .max : b.reduce(0) { $0 << 8 | UInt64($1) }
        }
        guard (number("type") ?? 0) == 0 else { return number("chainId") ?? .max }
        guard let v = number("v"), v >= 35 else { return nil }
        return v == .max ? .max : (v - 35) / 2
    }

    private static func parity(_ t: JSON) throws -> RLP {
        let v = try quantity(t["yParity"] ?? t["v"] ?? .null, "yParity")
        return .bytes(v)
    }

    private static func to(_ t: JSON) throws -> RLP {
        guard let value = t["to"], !value.isNull else { return .bytes([]) }
        return .bytes(try address(value))
    }

    private static func uint(_ j: JSON, _ name: String) throws -> RLP { .bytes(try quantity(j[name] ?? .null, name)) }

    /// A quantity's minimal big-endian bytes (zero: none), at most 256 bits. Leading zeros are stripped, not
    /// refused (some endpoints pad r and s): what counts is that the bytes then hash to what the header says.
    static func quantity(_ j: JSON, _ name: String) throws -> [UInt8] {
        guard let text = j.stringValue, text.hasPrefix("0x"), text.count > 2 else {
            throw Failure(reason: "\(name) is not a quantity")
        }
        let digits = text.dropFirst(2).drop { $0 == "0" }
        guard digits.count <= 64 else { throw Failure(reason: "\(name) exceeds 256 bits") }
        guard let b = Hex.decode(digits.count % 2 == 0 ? String(digits) : "0" + digits) else {
            throw Failure(reason: "\(name) is not a quantity")
        }
        return Array(b.drop { $0 == 0 })
    }

    static func bytes(_ j: JSON?, _ name: String) throws -> [UInt8] {
        guard let text = j?.stringValue, text.hasPrefix("0x"), let b = Hex.decode(text.dropFirst(2)) else {
            throw Failure(reason: "\(name) is not hex data")
        }
        return b
    }

    private static func hash32(_ j: JSON) throws -> [UInt8] {
        let b = try bytes(j, "hash")
        guard b.count == 32 else { throw Failure(reason: "a hash is not 32 bytes") }
        return b
    }

    private static func address(_ j: JSON?) throws -> [UInt8] {
        let b = try bytes(j, "address")
        guard b.count == 20 else { throw Failure(reason: "an address is not 20 bytes") }
        return b
    }

    private static func small(_ b: [UInt8]) throws -> Int {
        guard b.count <= 1 else { throw Failure(reason: "type out of range") }
        return Int(b.first ?? 0)
    }
}
