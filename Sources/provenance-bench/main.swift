import COpenSSL
import Foundation
import ProvenanceChain
import ProvenanceCore

/// Micro-benchmarks for scripts/bench. Each line is `name value`:
/// our deterministic low-s sign and our recovery (single thread, and one thread per core), next to
/// OpenSSL's own ECDSA_do_sign / ECDSA_do_verify on secp256k1 measured in the same run as baseline.
let seconds = Double(ProcessInfo.processInfo.environment["BENCH_SECONDS"] ?? "2") ?? 2

/// `provenance-bench merkle`: a chunk tree of 131,072 leaves (a 1 GiB file at 8 KiB chunks; 131,071
/// Keccak-256 nodes): seconds per root, and Keccak-256 of 96 bytes per second.
if CommandLine.arguments.count == 2, CommandLine.arguments[1] == "merkle" {
    let leaves = (0..<131_072).map { i in SHA256Hasher.hash(withUnsafeBytes(of: i) { Array($0) }) }
    var best = Double.infinity
    for _ in 0..<5 {
        let start = Date()
        _ = Merkle.root(leaves)
        best = min(best, Date().timeIntervalSince(start))
    }
    print("merkle_root_131072_s \(String(format: "%.4f", best))")
    print("keccak96_per_s \(Int(131_071 / best))")
    exit(0)
}

/// `provenance-bench gas URL`: deploys the registry on the devnet at URL (if needed) and sends relayed
/// attestations of random files by one new publisher — 1 file (its first batch: a new index slot),
/// 1 file again, then 256, 1,024 and 10,000 files — and its revocation; prints gas from the receipts.
if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "gas" {
    let payer = try PrivateKey(hex: "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")  // devnet key
    let publisher = try PrivateKey.generate()
    let sender = try TransactionSender(client: EthClient(endpoint: try Endpoint(CommandLine.arguments[2])), key: payer)
    let deployment = try RegistryDeployer.deploy(
        sender: sender, fees: FeeOptions(), options: SendOptions(), onBroadcast: { _ in })
    if let r = deployment.receipt { print("gas_deploy \(r.gasUsed)") }
    for (label, n) in [("first_1", 1), ("again_1", 1), ("256", 256), ("1024", 1024), ("10000", 10_000)] {
        let files = (0..<n).map { _ in
            FileCommitment(
                contentID: SHA256Hasher.hash(try! SecureRandom.bytes(64)),
                detailsHash: Keccak256.hash(try! SecureRandom.bytes(64)))
        }
        let message = AttestationMessage(files: files, registry: RegistryAddress.canonical)
        let calldata = try RegistryContract.attestCalldata(
            files: files, merkleRoot: message.merkleRoot,
            signature: try publisher.sign(digest: try message.signingDigest()))
        let receipt = try sender.sendAndWait(try sender.prepare(to: RegistryAddress.canonical, data: calldata))
        precondition(receipt.status == 1 && receipt.logs.count == n)
        print(
            "gas_attest_\(label) \(receipt.gasUsed) per_file \(receipt.gasUsed / UInt64(n)) files \(n) calldata_bytes \(calldata.count)"
        )
    }
    let revocation = RevocationMessage(signer: publisher.address, registry: RegistryAddress.canonical)
    let revokeData = try RegistryContract.revokeCalldata(
        signer: publisher.address, signature: try publisher.sign(digest: try revocation.signingDigest()))
    let receipt = try sender.sendAndWait(try sender.prepare(to: RegistryAddress.canonical, data: revokeData))
    precondition(receipt.status == 1 && receipt.logs.count == 1)
    print("gas_revoke \(receipt.gasUsed)")
    exit(0)
}

func rate(_ body: () throws -> Void) rethrows -> Double {
    var count = 0
    let start = Date()
    while Date().timeIntervalSince(start) < seconds {
        for _ in 0..<50 { try body() }
        count += 50
    }
    return Double(count) / Date().timeIntervalSince(start)
}

let key = try PrivateKey.generate()
let digests = (0..<256).map { i in SHA256Hasher.hash([UInt8(i)]) }
let signatures = try digests.map { try key.sign(digest: $0) }

var i = 0
let signRate = try rate {
    _ = try key.sign(digest: digests[i & 255])
    i += 1
}
print("sign_per_s \(Int(signRate))")
i = 0
let recoverRate = try rate {
    let a = try ECRecover.address(digest: digests[i & 255], signature: signatures[i & 255])
    precondition(a == key.address)
    i += 1
}
print("recover_per_s \(Int(recoverRate))")

// All cores, one thread each: recovery handles public data only and shares nothing mutable.
let cores = ProcessInfo.processInfo.activeProcessorCount
final class Counter: @unchecked Sendable {
    var counts: [Int]
    init(_ n: Int) { counts = Array(repeating: 0, count: n) }
}
let counter = Counter(cores)
let group = DispatchGroup()
let start = Date()
for t in 0..<cores {
    DispatchQueue.global().async(group: group) {
        var n = 0
        var j = t
        while Date().timeIntervalSince(start) < seconds {
            _ = try? ECRecover.address(digest: digests[j & 255], signature: signatures[j & 255])
            n += 1
            j += 1
        }
        counter.counts[t] = n
    }
}
group.wait()
print(
    "recover_all_cores_per_s \(Int(Double(counter.counts.reduce(0, +)) / Date().timeIntervalSince(start))) cores \(cores)"
)

// Baseline: OpenSSL's own ECDSA on the same curve (random nonces, no recovery id, no low-s).
let ecKey = EC_KEY_new_by_curve_name(NID_secp256k1)!
EC_KEY_generate_key(ecKey)
let opensslSignRate = rate {
    ECDSA_SIG_free(ECDSA_do_sign(digests[i & 255], 32, ecKey))
    i += 1
}
print("openssl_sign_per_s \(Int(opensslSignRate))")
let sslSigs = digests.map { ECDSA_do_sign($0, 32, ecKey) }
let opensslVerifyRate = rate {
    precondition(ECDSA_do_verify(digests[i & 255], 32, sslSigs[i & 255], ecKey) == 1)
    i += 1
}
print("openssl_verify_per_s \(Int(opensslVerifyRate))")
