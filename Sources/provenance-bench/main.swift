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

/// `provenance-bench picture ORIGINAL CLIP...`: each clip's picture against the original's (both read by
/// PictureDecoder): matched stretches, unmatched ones and differing regions, as one JSON line per clip.
if CommandLine.arguments.count >= 4, CommandLine.arguments[1] == "picture" {
    let decoder = PictureDecoder()
    let start = Date()
    let original = try decoder.fingerprint(path: CommandLine.arguments[2])
    print("fingerprint_s \(String(format: "%.3f", Date().timeIntervalSince(start))) frames \(original.frames.count)")
    let index = PictureIndex([original])
    for path in CommandLine.arguments.dropFirst(3) {
        let t = Date()
        let clip = try decoder.clip(path: path)
        let decoded = Date().timeIntervalSince(t)
        let c = index.compare(clip)
        let f = { (x: Double) in String(format: "%.2f", x) }
        let matches = c.matches.map { "[\(f($0.start)),\(f($0.end)),\(f($0.originalStart)),\(f($0.originalEnd))]" }
        let unmatched = c.unmatched.map { "[\(f($0.start)),\(f($0.end))]" }
        let regions = c.regions.map { "[\(f($0.start)),\(f($0.end)),\(f($0.x)),\(f($0.y)),\(f($0.w)),\(f($0.h))]" }
        print(
            "{\"clip\":\"\(path)\",\"seconds\":\(f(c.clipSeconds)),\"matches\":[\(matches.joined(separator: ","))],"
                + "\"unmatched\":[\(unmatched.joined(separator: ","))],\"regions\":[\(regions.joined(separator: ","))],"
                + "\"crop\":[\(f(c.crop.left)),\(f(c.crop.right)),\(f(c.crop.top)),\(f(c.crop.bottom))],"
                + "\"decode_s\":\(f(decoded)),\"compare_s\":\(f(Date().timeIntervalSince(t) - decoded))}")
    }
    exit(0)
}

/// `provenance-bench audio ORIGINAL CLIP...`: the perceptual comparison of each clip with the original
/// (decoded by AudioDecoder): matched stretches, their offsets and bit error rates; and the fingerprint's
/// speed in multiples of real time (decoding excluded).
if CommandLine.arguments.count >= 4, CommandLine.arguments[1] == "audio" {
    let decoder = AudioDecoder()
    let original = try decoder.decode(path: CommandLine.arguments[2])
    var t = Date()
    let fingerprint = AudioFingerprint(samples: original.samples)
    let seconds = Date().timeIntervalSince(t)
    print(
        "original \(String(format: "%.1f", original.seconds)) s, \(fingerprint.frames.count * 4) bytes, fingerprinted at \(Int(original.seconds / seconds))x real time"
    )
    let index = AudioIndex([fingerprint])
    for clipPath in CommandLine.arguments[3...] {
        let clip = try decoder.decode(path: clipPath)
        t = Date()
        let result = index.compare(clip: AudioFingerprint.phases(of: clip), clipSeconds: clip.seconds)
        let took = Date().timeIntervalSince(t)
        let matched = result.matches.reduce(0.0) { $0 + $1.end - $1.start }
        print(
            "\(clipPath): \(String(format: "%.1f", clip.seconds)) s, matched \(String(format: "%.1f", matched)) s (\(String(format: "%.0f", 100 * matched / max(clip.seconds, 0.001)))%) in \(String(format: "%.3f", took)) s:"
                + result.matches.map {
                    String(
                        format: " [%.2f-%.2f ~ %.2f-%.2f ber %.2f]", $0.start, $0.end, $0.originalStart, $0.originalEnd,
                        $0.bitErrorRate)
                }.joined()
                + " unmatched:" + result.unmatched.map { String(format: " %.2f-%.2f", $0.start, $0.end) }.joined())
    }
    exit(0)
}

/// `provenance-bench audio-index DIR CLIP`: fingerprints every WAV in DIR (speed in multiples of real time,
/// decoding excluded), indexes them all, and times one clip's comparison with the whole index (a feed).
if CommandLine.arguments.count == 4, CommandLine.arguments[1] == "audio-index" {
    let decoder = AudioDecoder()
    let dir = CommandLine.arguments[2]
    let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".wav") }.sorted()
    var fingerprints: [AudioFingerprint] = []
    var audioSeconds = 0.0
    var fingerprintSeconds = 0.0
    for name in names {
        let audio = try decoder.decode(path: dir + "/" + name)
        let t = Date()
        fingerprints.append(AudioFingerprint(samples: audio.samples))
        fingerprintSeconds += Date().timeIntervalSince(t)
        audioSeconds += audio.seconds
    }
    var t = Date()
    let index = AudioIndex(fingerprints)
    let indexing = Date().timeIntervalSince(t)
    let clip = try decoder.decode(path: CommandLine.arguments[3])
    t = Date()
    let phases = AudioFingerprint.phases(of: clip)
    let result = index.compare(clip: phases, clipSeconds: clip.seconds)
    let comparing = Date().timeIntervalSince(t)
    let best = result.matches.first.map { names[$0.original] } ?? "none"
    print(
        String(
            format: "fingerprinting: %.0f s of sound in %.2f s = %.0fx real time (goal >= 500x); %d bytes a minute",
            audioSeconds, fingerprintSeconds, audioSeconds / fingerprintSeconds,
            Int(Double(fingerprints.reduce(0) { $0 + $1.frames.count * 4 }) / audioSeconds * 60)))
    print(
        String(
            format:
                "a %.0f s clip against %d episodes (%.0f min): indexed in %.2f s, compared in %.3f s (goal < 1 s), matched %@",
            clip.seconds, names.count, audioSeconds / 60, indexing, comparing, best))
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
