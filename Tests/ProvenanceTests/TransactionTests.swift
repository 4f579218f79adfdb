import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Transaction encodings against VECTORS.md (published EIP-155 example, hand-checked EIP-1559)
/// and against eth-account for random fields.
@Suite(.tags(.unit)) struct TransactionTests {
    let key = try! PrivateKey(bytes: [UInt8](repeating: 0x46, count: 32))
    let to = Address(bytes: [UInt8](repeating: 0x35, count: 20))
    let ether: Wei = 1_000_000_000_000_000_000

    @Test func eip155Vector() throws {
        let tx = LegacyTransaction(chainId: 1, nonce: 9, gasPrice: 20 * .gwei, gasLimit: 21000, to: to, value: ether)
        #expect(Hex.encode(tx.signingHash()) == "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let signed = try SignedTransaction(tx, key: key)
        #expect(
            Hex.encode(signed.raw)
                == "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83"
        )
        let decoded = try DecodedTransaction.decode(signed.raw)
        #expect(decoded.from.checksummed == "0x9d8A62f656a8d1615C1294fd71e9CFb3E4855A4F")
        #expect(decoded.chainId == 1 && decoded.nonce == 9 && decoded.value == ether && decoded.to == to)
    }

    @Test func eip1559Vector() throws {
        let tx = EIP1559Transaction(
            chainId: 1, nonce: 9, maxPriorityFeePerGas: 2 * .gwei, maxFeePerGas: 30 * .gwei, gasLimit: 21000, to: to,
            value: ether)
        #expect(Hex.encode(tx.signingHash()) == "fae77debb64203fbaea6213fcde74f1b138c6854c3d7b44ba1c2ced52c2d8c4d")
        let signed = try SignedTransaction(tx, key: key)
        #expect(
            Hex.encode(signed.raw)
                == "02f873010984773594008506fc23ac00825208943535353535353535353535353535353535353535880de0b6b3a764000080c080a02b03b67e070f45175ce9d07c4512720168bd468a24edb6997977a53d48c87a12a0733d775fdd689d306e08ac8ab399f34b5a0253b47ed81b8bf2d2a6ea607fcac7"
        )
        #expect(Hex.encode(signed.hash) == "bb94970b7e5afad02e4e38a462eacd085a96791deacaab2827d61aeb20e0778e")
        let decoded = try DecodedTransaction.decode(signed.raw)
        #expect(decoded.from == key.address && decoded.type == 2 && decoded.gasLimit == 21000)
    }

    @Test func rejectsMalformedRawTransactions() {
        for raw in ["", "02", "03c0", "02c0", "f8", "02f873010984773594"] {
            #expect(throws: (any Error).self, "\(raw)") { try DecodedTransaction.decode(hex(raw)) }
        }
    }

    /// 100 random transactions of both types (including contract creation and large data): raw bytes
    /// and hashes identical to eth-account's.
    @Test func randomTransactionsMatchEthAccount() throws {
        var items: [JSON] = []
        var ours: [(String, String)] = []
        var rng = SystemRandomNumberGenerator()
        for i in 0..<100 {
            let k = try PrivateKey.generate()
            let chainId = [1, 10, 8453, 11155111, 1337][i % 5] as UInt64
            let nonce = UInt64.random(in: 0...1_000_000, using: &rng)
            let gas = UInt64.random(in: 21000...30_000_000, using: &rng)
            let value = Wei(UInt64.random(in: 0...UInt64.max, using: &rng)) * Wei(UInt8.random(in: 0...3, using: &rng))
            let data = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let dest: Address? = i % 7 == 0 ? nil : Address(bytes: try SecureRandom.bytes(20))
            var fields: [(String, JSON)] = [
                ("chainId", .number(String(chainId))), ("nonce", .number(String(nonce))), ("gas", .number(String(gas))),
                ("value", .string(String(value))), ("data", .string(Hex.encode(data, prefix: true))),
            ]
            fields.append(("to", dest.map { .string($0.checksummed) } ?? .string("")))
            let signed: SignedTransaction
            if i % 2 == 0 {
                let tip = Wei(UInt64.random(in: 0...5_000_000_000, using: &rng))
                let cap = tip + Wei(UInt64.random(in: 0...200_000_000_000, using: &rng))
                fields += [
                    ("maxPriorityFeePerGas", .string(String(tip))), ("maxFeePerGas", .string(String(cap))),
                    ("type", .number("2")),
                ]
                signed = try SignedTransaction(
                    EIP1559Transaction(
                        chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap, gasLimit: gas,
                        to: dest, value: value, data: data), key: k)
            } else {
                let price = Wei(UInt64.random(in: 1...500_000_000_000, using: &rng))
                fields.append(("gasPrice", .string(String(price))))
                signed = try SignedTransaction(
                    LegacyTransaction(
                        chainId: chainId, nonce: nonce, gasPrice: price, gasLimit: gas, to: dest, value: value,
                        data: data), key: k)
            }
            if dest == nil { fields.removeAll { $0.0 == "to" } }
            items.append(.object([("key", .string(k.withUnsafeBytes { Hex.encode($0) })), ("tx", .object(fields))]))
            ours.append((Hex.encode(signed.raw), Hex.encode(signed.hash)))
            let decoded = try DecodedTransaction.decode(signed.raw)
            #expect(
                decoded.from == k.address && decoded.nonce == nonce && decoded.value == value && decoded.data == data
                    && decoded.to == dest)
        }
        let theirs = try JSON.parse(try ethAccount(["sign-tx"], stdin: Data(JSON.array(items).compact.utf8))).arrayValue
            .unwrap()
        #expect(theirs.count == 100)
        for (i, t) in theirs.enumerated() {
            #expect(t["raw"]?.stringValue == ours[i].0, "tx \(i)")
            #expect(t["hash"]?.stringValue == ours[i].1, "tx \(i)")
        }
    }
}
