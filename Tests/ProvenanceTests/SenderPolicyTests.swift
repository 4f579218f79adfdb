import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// The sender's nonce and fee policies against a scripted endpoint (the devnet cannot produce these
/// answers on demand; DevnetTests drives the same paths against the real node where it can).
@Suite(.tags(.unit)) struct SenderPolicyTests {
    let key: PrivateKey
    let endpoint = ScriptedTransport()
    var sent: [DecodedTransaction] = []

    init() throws {
        key = try PrivateKey(hex: devKeyHex)
        endpoint.answers = [
            "eth_chainId": .string("0x1"), "eth_getTransactionCount": .string("0x5"),
            "eth_feeHistory": .object([
                ("baseFeePerGas", .array([.string("0x3b9aca00")])), ("reward", .array([.array([.string("0x5")])])),
            ]),
            "eth_estimateGas": .string("0x5208"), "eth_getBalance": .string("0xde0b6b3a7640000"),
            "eth_blockNumber": .string("0x10"),
        ]
    }

    static func raw(_ params: [JSON]) -> DecodedTransaction? {
        params.first?.stringValue.flatMap { Hex.decode($0) }.flatMap { try? DecodedTransaction.decode($0) }
    }

    /// "nonce too low" for a nonce none of ours took: re-signed with the endpoint's next nonce.
    @Test func nonceTooLowTakesTheNextNonce() throws {
        var broadcasts: [DecodedTransaction] = []
        endpoint.handler = { method, params in
            switch method {
            case "eth_sendRawTransaction":
                guard let tx = Self.raw(params) else { return nil }
                broadcasts.append(tx)
                if tx.nonce == 5 { return .failure(.rpc(code: -32000, message: "nonce too low", data: nil)) }
                return .success(.string(Hex.encode(tx.hash, prefix: true)))
            case "eth_getTransactionCount": return .success(.string(broadcasts.isEmpty ? "0x5" : "0x7"))
            case "eth_getTransactionReceipt":
                // Only the re-signed transaction is ever mined; nonce 5 belonged to someone else.
                guard let mined = broadcasts.first(where: { $0.nonce == 7 }),
                    params.first?.stringValue == Hex.encode(mined.hash, prefix: true)
                else { return .success(.null) }
                return .success(Self.receipt(mined.hash))
            default: return nil
            }
        }
        let sender = try TransactionSender(client: endpoint.client(), key: key)
        var options = SendOptions()
        options.pollInterval = 0.01
        let receipt = try sender.sendAndWait(try sender.prepare(to: key.address, data: []), options: options)
        #expect(broadcasts.map(\.nonce) == [5, 7])
        #expect(receipt.transactionHash == broadcasts[1].hash)
    }

    /// "replacement transaction underpriced": both fee fields rise by at least 12.5 % (nodes ask 10 %).
    @Test func underpricedBumpsBothFees() throws {
        var broadcasts: [[UInt8]] = []
        endpoint.handler = { method, params in
            guard method == "eth_sendRawTransaction", let raw = params.first?.stringValue.flatMap({ Hex.decode($0) })
            else { return nil }
            broadcasts.append(raw)
            if broadcasts.count == 1 {
                return .failure(.rpc(code: -32000, message: "replacement transaction underpriced", data: nil))
            }
            return .success(.string(Hex.encode(Keccak256.hash(raw), prefix: true)))
        }
        endpoint.answers["eth_getTransactionReceipt"] = .null
        let sender = try TransactionSender(client: endpoint.client(), key: key)
        let prepared = try sender.prepare(to: key.address, data: [])
        var options = SendOptions()
        options.timeout = 0.05
        options.pollInterval = 0.01
        #expect(throws: ProvenanceError.self) { _ = try sender.sendAndWait(prepared, options: options) }
        try #require(broadcasts.count == 2)
        let fees = try broadcasts.map { raw -> (Wei, Wei) in
            guard case .list(let f) = try RLP.decode(Array(raw.dropFirst())) else { throw ProvenanceError.input("rlp") }
            return (try TransactionFields.wei(f[2], "tip"), try TransactionFields.wei(f[3], "cap"))
        }
        #expect(fees[1].0 * 8 >= fees[0].0 * 9 && fees[1].1 * 8 >= fees[0].1 * 9, "\(fees)")
        #expect(Self.raw([.string(Hex.encode(broadcasts[1], prefix: true))])?.nonce == 5)
    }

    static func receipt(_ hash: [UInt8]) -> JSON {
        .object([
            ("transactionHash", .string(Hex.encode(hash, prefix: true))), ("blockNumber", .string("0x10")),
            ("blockHash", .string("0x" + String(repeating: "11", count: 32))), ("status", .string("0x1")),
            ("gasUsed", .string("0x5208")), ("logs", .array([])),
        ])
    }

    /// A transaction's hash is recomputed from the fields an endpoint reports; one altered field shows.
    @Test func reportedTransactionFieldsAreCheckedByTheirHash() throws {
        let tx = EIP1559Transaction(
            chainId: 1, nonce: 5, maxPriorityFeePerGas: 2, maxFeePerGas: 30, gasLimit: 21_000, to: key.address,
            value: 7, data: [1, 2, 3])
        let signed = try SignedTransaction(tx, key: key)
        let decoded = try DecodedTransaction.decode(signed.raw)
        func fields(value: String) -> JSON {
            .object([
                ("type", .string("0x2")), ("hash", .string(signed.hashHex)), ("chainId", .string("0x1")),
                ("nonce", .string("0x5")), ("gas", .string("0x5208")), ("maxFeePerGas", .string("0x1e")),
                ("maxPriorityFeePerGas", .string("0x2")), ("to", .string(key.address.checksummed)),
                ("value", .string(value)), ("input", .string("0x010203")), ("accessList", .array([])),
                ("v", .string("0x\(decoded.signature.recoveryID)")),
                ("r", .string("0x" + Hex.encode(decoded.signature.r.drop { $0 == 0 }))),
                ("s", .string("0x" + Hex.encode(decoded.signature.s.drop { $0 == 0 }))),
            ])
        }
        endpoint.answers["eth_getTransactionByHash"] = fields(value: "0x7")
        let honest = try #require(try endpoint.client().transaction(signed.hash))
        #expect(honest.signedRaw.map { Keccak256.hash($0) } == signed.hash)
        endpoint.answers["eth_getTransactionByHash"] = fields(value: "0x8")
        let lying = try #require(try endpoint.client().transaction(signed.hash))
        #expect(lying.signedRaw.map { Keccak256.hash($0) } != signed.hash)
    }

    /// Block numbers and nonces at the top of their range: errors or saturated counts, never a trap.
    @Test func numbersAtTheTopOfTheirRange() throws {
        endpoint.answers["eth_getTransactionCount"] = .string("0xffffffffffffffff")
        let sender = try TransactionSender(client: endpoint.client(), key: key)
        #expect(throws: RPCError.self) { _ = try sender.prepare(to: key.address, data: []) }

        endpoint.answers["eth_getTransactionCount"] = .string("0x5")
        endpoint.answers["eth_blockNumber"] = .string("0xffffffffffffffff")
        endpoint.handler = { method, params in
            switch method {
            case "eth_sendRawTransaction":
                return params.first?.stringValue.flatMap { Hex.decode($0) }.map {
                    .success(.string(Hex.encode(Keccak256.hash($0), prefix: true)))
                }
            case "eth_getTransactionReceipt":
                return params.first?.stringValue.flatMap { Hex.decode($0) }.map {
                    var r = Self.receipt($0)
                    if case .object(var fields) = r {
                        fields.removeAll { $0.0 == "blockNumber" }
                        fields.append(("blockNumber", .string("0x0")))
                        r = .object(fields)
                    }
                    return .success(r)
                }
            default: return nil
            }
        }
        var options = SendOptions()
        options.pollInterval = 0.01
        options.confirmations = 3
        let receipt = try sender.sendAndWait(try sender.prepare(to: key.address, data: []), options: options)
        #expect(receipt.blockNumber == 0)
    }
}
