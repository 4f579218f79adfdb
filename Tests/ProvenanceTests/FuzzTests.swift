import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// Seeded random-mutation fuzzing of every parser that reads untrusted bytes. Each target must either
/// reject the input with a typed error or accept it and round-trip it; it must never crash or hang.
/// `scripts/fuzz` runs the same targets much longer with random seeds, saving each input before it
/// is tried so a crash leaves it behind; saved inputs go to fixtures/fuzz/ and are replayed here.
@Suite(.tags(.unit)) struct FuzzTests {
    static let iterations = Int(ProcessInfo.processInfo.environment["FUZZ_ITERATIONS"] ?? "") ?? 2_000
    static let seed = UInt64(ProcessInfo.processInfo.environment["FUZZ_SEED"] ?? "") ?? 0x5eed_2026
    /// With FUZZ_SAVE_DIR set (scripts/fuzz), each input is written there before it is tried.
    static let saveDir = ProcessInfo.processInfo.environment["FUZZ_SAVE_DIR"]

    /// SplitMix64: small, fast, reproducible from the seed.
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    static let interesting: [UInt8] = [
        0x00, 0x01, 0x7f, 0x80, 0x81, 0xb7, 0xb8, 0xbf, 0xc0, 0xf7, 0xf8, 0xff,
        UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\\"), UInt8(ascii: "0"),
    ]

    static func mutate(_ seeds: [[UInt8]], _ rng: inout Rng) -> [UInt8] {
        var b = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0 where !b.isEmpty: b[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1 where !b.isEmpty: b[at] = interesting.randomElement(using: &rng)!
            case 2: b.insert(UInt8.random(in: 0...255, using: &rng), at: at)
            case 3 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...16, using: &rng)))
            case 4 where !b.isEmpty:
                let end = min(b.count, at + Int.random(in: 1...32, using: &rng))
                b.insert(contentsOf: b[at..<end], at: at)
            case 5: b = Array(b.prefix(at))
            case 6:
                let other = seeds.randomElement(using: &rng)!
                b += other.suffix(Int.random(in: 0...min(64, other.count), using: &rng))
            default: if !b.isEmpty { b[at] = UInt8.random(in: 0...255, using: &rng) }
            }
        }
        return b
    }

    /// Runs `target` on the replayed crash fixtures for `name`, then on `iterations` mutations of `seeds`.
    func fuzz(_ name: String, seeds: [[UInt8]], _ target: ([UInt8]) throws -> Void) throws {
        let fixtures = repoRoot.appendingPathComponent("fixtures/fuzz/\(name)")
        for file in (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? [] {
            _ = try? target([UInt8](try Data(contentsOf: fixtures.appendingPathComponent(file))))
        }
        var rng = Rng(state: Self.seed ^ name.utf8.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) })
        for _ in 0..<Self.iterations {
            let input = Self.mutate(seeds, &rng)
            if let dir = Self.saveDir {
                try? Data(input).write(to: URL(fileURLWithPath: dir).appendingPathComponent("\(name).current"))
            }
            do { try target(input) } catch is RLP.DecodeError {} catch is JSON.ParseError {} catch is ProvenanceError {
            } catch is TransactionDecodeError {} catch is SignatureError {} catch is RPCError {} catch {
                Issue.record("\(name): untyped error \(error) for input \(Hex.encode(input.prefix(64)))")
            }
        }
    }

    @Test func rlpDecoder() throws {
        let vectors = try Vectors.load("ethereum-tests/rlptest.json").objectValue.unwrap()
        let seeds = try vectors.map { hex(try $0.1["out"].unwrap().stringValue.unwrap()) }
        try fuzz("rlp", seeds: seeds) { input in
            let decoded = try RLP.decode(input)
            #expect(decoded.encoded == input, "accepted a non-canonical encoding \(Hex.encode(input.prefix(64)))")
        }
    }

    @Test func transactionDecoder() throws {
        let key = try PrivateKey(bytes: [UInt8](repeating: 0x46, count: 32))
        let to = Address(bytes: [UInt8](repeating: 0x35, count: 20))
        let seeds = [
            try SignedTransaction(
                EIP1559Transaction(
                    chainId: 1, nonce: 9, maxPriorityFeePerGas: 2, maxFeePerGas: 30, gasLimit: 21000, to: to, value: 1,
                    data: [1, 2, 3]), key: key
            ).raw,
            try SignedTransaction(
                LegacyTransaction(chainId: 1, nonce: 9, gasPrice: 20, gasLimit: 21000, to: nil, data: [0xfe]), key: key
            ).raw,
        ]
        try fuzz("transaction", seeds: seeds) { input in
            let tx = try DecodedTransaction.decode(input)
            #expect(tx.hash == Keccak256.hash(input))
        }
    }

    @Test func jsonAndManifestReader() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("a.wav").path
        _ = FileManager.default.createFile(
            atPath: file, contents: Data((0..<5000).map { UInt8(truncatingIfNeeded: $0) }))
        let signed = try BatchSigner.sign(
            paths: [file, file], key: try PrivateKey.generate(), chunkSize: 1024, registry: RegistryAddress.canonical)
        var m = signed[0].manifest
        m.addAnchor(
            Anchor(
                chainId: 31337, registry: RegistryAddress.canonical, txHash: [UInt8](repeating: 7, count: 32),
                blockNumber: 5, blockTime: 1_800_000_000))
        let seeds = [Array(m.json.compact.utf8), Array(m.json.pretty.utf8)]
        try fuzz("manifest", seeds: seeds) { input in
            let json = try JSON.parse(input)
            #expect(try JSON.parse(json.compact) == json)  // serialisation round-trips
            let manifest = try Manifest(json: json)
            _ = OfflineVerifier().authenticityProblem(manifest)
            #expect(try Manifest(json: manifest.json).json == manifest.json)
        }
    }

    @Test func keystoreReader() throws {
        let doc = try Vectors.load("ethereum-tests/keystore_basic_tests.json").objectValue.unwrap()
        let seeds = try doc.map { Array(try $0.1["json"].unwrap().compact.utf8) }
        try fuzz("keystore", seeds: seeds) { input in
            _ = try Keystore.parse(try JSON.parse(input))  // parameters only: no KDF runs on hostile input
        }
    }

    @Test func rpcResponseReader() throws {
        let client = EthClient(endpoint: try Endpoint("http://127.0.0.1:9"))
        let receipt =
            #"{"transactionHash":"0x586abf55d1519dd2a125e76f9ab3d4b1c73eb1f821ec0cf83e6482f195b79da8","transactionIndex":"0x0","blockHash":"0x11aa","blockNumber":"0x2","from":"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266","to":"0x004384EBF8Fc13888c5557F513f5EDcCE411AeCe","cumulativeGasUsed":"0x886f","gasUsed":"0x886f","effectiveGasPrice":"0x6fc23ac00","contractAddress":null,"logs":[{"address":"0x004384EBF8Fc13888c5557F513f5EDcCE411AeCe","topics":["0x3d83c7bc55c269e0bc853ddc0d7b9fca30216ecc43779acb4e36b7e0ad1c71e4","0x9901df19cff01a04da969adad866e8828e835dd7c28cb9c3851f81f24d93f672","0x000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"],"data":"0x","blockNumber":"0x2","blockHash":"0x11aa","transactionHash":"0x586abf55d1519dd2a125e76f9ab3d4b1c73eb1f821ec0cf83e6482f195b79da8","transactionIndex":"0x0","logIndex":"0x0","removed":false}],"status":"0x1","type":"0x2"}"#
        try fuzz("rpc-receipt", seeds: [Array(receipt.utf8)]) { input in
            _ = try client.receipt(from: try JSON.parse(input))
        }
    }

    @Test func attestCalldataDecoder() throws {
        let key = try PrivateKey.generate()
        let files = (0..<5).map {
            FileCommitment(contentID: SHA256Hasher.hash([UInt8($0)]), detailsHash: Keccak256.hash([UInt8($0)]))
        }
        let message = AttestationMessage(files: files, registry: RegistryAddress.canonical)
        let seed = try RegistryContract.attestCalldata(
            files: files, merkleRoot: message.merkleRoot,
            signature: try key.sign(digest: try message.signingDigest()))
        try fuzz("calldata", seeds: [seed]) { input in
            if let batch = RegistryContract.decodeAttestCalldata(input) {
                #expect(
                    !batch.files.isEmpty && batch.files.count <= RegistryContract.maxBatch
                        && batch.files.allSatisfy { $0.contentID.count == 32 && $0.detailsHash.count == 32 })
            }
        }
    }
}
