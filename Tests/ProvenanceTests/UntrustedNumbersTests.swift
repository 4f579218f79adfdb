import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Numbers from manifests and endpoints are attacker-chosen: each bad value is a clear error for the
/// file (or the call) it came with, never an overflow trap that ends the whole run.
@Suite(.tags(.unit)) struct UntrustedNumbersTests {
    /// A manifest whose file.size is 2^64−1 beside one file of a directory (before: exit 132, a trap).
    @Test func manifestSizeNearTwoToThe64() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        try cli.write("k", devKeyHex)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("d"), withIntermediateDirectories: true)
        try cli.write("d/a.txt", "first recording", mode: 0o644)
        try cli.write("d/b.txt", "second recording", mode: 0o644)
        try #require(try cli.run(["sign", "--private-key-file", "k", "d/a.txt"]).status == 0)
        try #require(try cli.run(["sign", "--private-key-file", "k", "d/b.txt"]).status == 0)
        let manifest = cli.path("d/a.txt.provenance.json")
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "\"size\": \"15\"", with: "\"size\": \"18446744073709551615\"")
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        let r = try cli.run(["verify", "--offline", "d"])
        #expect(r.status == 2, "\(r.err)")
        #expect(r.out.contains("d/a.txt: error") && r.out.contains("file.chunks has 1 entries"))
        #expect(r.out.contains("d/b.txt: verified"))
    }

    /// A self-signed manifest claiming a batch of 2^32−1 files is refused at parse time (before: the
    /// relay allocated a set of that size).
    @Test func fileCountBeyondTheContractLimit() throws {
        let key = try PrivateKey(hex: devKeyHex)
        let digest = FileDigest(
            size: 1, sha256: SHA256Hasher.hash([1]), chunkSize: 1 << 20, chunks: [SHA256Hasher.hash([1])])
        for count in [RegistryContract.maxBatch + 1, 4_294_967_295] {
            let message = AttestationMessage(
                merkleRoot: digest.sha256, fileCount: count, registry: RegistryAddress.canonical)
            let m = Manifest(
                fileName: "a", digest: digest, signer: key.address, batchIndex: 0, batchProof: [], message: message,
                signature: try key.sign(digest: try message.signingDigest()))
            #expect(throws: ProvenanceError.self) { try Manifest(json: m.json) }
        }
        let message = AttestationMessage(merkleRoot: digest.sha256, fileCount: 1, registry: RegistryAddress.canonical)
        let ok = Manifest(
            fileName: "a", digest: digest, signer: key.address, batchIndex: 0, batchProof: [], message: message,
            signature: try key.sign(digest: try message.signingDigest()))
        #expect(try Manifest(json: ok.json).message.fileCount == 1)
    }

    /// An endpoint's chain id that no EIP-155 v can carry is refused before anything is signed (before:
    /// 2·chainId + 35 trapped), and absurd fee quantities saturate into a clear "insufficient funds".
    @Test func hostileChainIdAndFees() throws {
        let key = try PrivateKey(hex: devKeyHex)
        let huge = ScriptedTransport(answers: ["eth_chainId": .string("0x" + String(UInt64.max / 2, radix: 16))])
        #expect(throws: ProvenanceError.self) {
            _ = try TransactionSender(client: huge.client(), key: key)
        }
        let fees = ScriptedTransport(answers: [
            "eth_chainId": .string("0x1"), "eth_getTransactionCount": .string("0x0"),
            "eth_feeHistory": .object([
                ("baseFeePerGas", .array([.string("0x" + String(repeating: "f", count: 32))])), ("reward", .array([])),
            ]),
            "eth_maxPriorityFeePerGas": .string("0x1"), "eth_estimateGas": .string("0x5208"),
            "eth_getBalance": .string("0xde0b6b3a7640000"),
        ])
        let sender = try TransactionSender(client: fees.client(), key: key)
        #expect {
            _ = try sender.prepare(to: key.address, data: [])
        } throws: { error in
            (error as? ProvenanceError)?.message.contains("insufficient funds") == true
        }
    }

    /// A latest block of 2^64−1 is a malformed answer, not a trap in the confirmation arithmetic.
    @Test func latestBlockAtTheTop() throws {
        let registry = RegistryAddress.canonical
        let code =
            RegistryContract.runtimeCode
            + (try AttestationMessage(merkleRoot: [UInt8](repeating: 0, count: 32), fileCount: 1, registry: registry)
                .domainSeparator()) + [UInt8](repeating: 0, count: 32)
        let t = ScriptedTransport(answers: [
            "eth_chainId": .string("0x7a69"), "eth_blockNumber": .string("0xffffffffffffffff"),
            "eth_getCode": .string(Hex.encode(code, prefix: true)), "eth_getLogs": .array([]),
        ])
        let reader = RegistryReader(client: t.client(), registry: registry)
        #expect(throws: RPCError.self) { _ = try reader.attestations(for: [SHA256Hasher.hash([1])]) }
    }
}
