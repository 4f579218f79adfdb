import Foundation
import Testing

@testable import ProvenanceCore

/// The SHA-NI kernel (Sources/CSHA256) against NIST's CAVP vectors (fixtures/cavp/sha256, SOURCE.md says
/// where they come from) and differentially against OpenSSL: a wrong digest would be a wrong content ID.
@Suite(.tags(.unit)) struct SHA256KernelTests {
    /// The `Len`/`Msg`/`MD` cases of a SHAVS message file (Len in bits; Len = 0 is the empty message).
    static func messages(_ name: String) throws -> [(message: [UInt8], digest: String)] {
        let text = try String(
            contentsOf: repoRoot.appendingPathComponent("fixtures/cavp/sha256/\(name)"), encoding: .utf8)
        var out: [(message: [UInt8], digest: String)] = []
        var bits = 0
        var message: [UInt8] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "Len": bits = Int(parts[1]) ?? -1
            case "Msg": message = bits == 0 ? [] : hex(parts[1])
            case "MD": out.append((message, parts[1]))
            default: break
            }
        }
        return out
    }

    static func randomBytes(_ count: Int) throws -> [UInt8] {
        let source = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        defer { try? source.close() }
        return [UInt8](try source.read(upToCount: count) ?? Data())
    }

    @Test func cavpShortAndLongMessages() throws {
        let short = try Self.messages("SHA256ShortMsg.rsp")
        let long = try Self.messages("SHA256LongMsg.rsp")
        #expect(short.count == 65 && long.count == 64)
        for (message, digest) in short + long {
            #expect(Hex.encode(SHA256Hasher.hash(message)) == digest, "\(message.count) bytes")
            // The same message as the second of two interleaved streams, beside another.
            let a = SHA256Hasher()
            let b = SHA256Hasher()
            let other = [UInt8](repeating: 0x5a, count: message.count)
            other.withUnsafeBytes { o in message.withUnsafeBytes { m in SHA256Hasher.update(a, o, b, m) } }
            #expect(Hex.encode(b.finalize()) == digest && a.finalize() == SHA256Hasher.hash(other))
        }
    }

    /// SHAVS Monte Carlo: 100 outputs, each 1,000 chained hashes of the three digests before.
    @Test func cavpMonteCarlo() throws {
        let text = try String(
            contentsOf: repoRoot.appendingPathComponent("fixtures/cavp/sha256/SHA256Monte.rsp"), encoding: .utf8)
        var seed: [UInt8] = []
        var expected: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "Seed" { seed = hex(parts[1]) }
            if parts[0] == "MD" { expected.append(parts[1]) }
        }
        #expect(expected.count == 100)
        for want in expected {
            var md = [seed, seed, seed]
            for _ in 3..<1003 { md = [md[1], md[2], SHA256Hasher.hash(md[0] + md[1] + md[2])] }
            seed = md[2]
            #expect(Hex.encode(seed) == want)
        }
    }

    /// Random lengths from 0 to 1 MiB, split at random points and at every alignment of the buffer, two
    /// streams at once: the kernel's digests are OpenSSL's.
    @Test func differentialAgainstOpenSSL() throws {
        var rng = SystemRandomNumberGenerator()
        let pool = try Self.randomBytes((1 << 20) + 64)
        var lengths = [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 8192, 1 << 20]
        // 64 random lengths at least (every alignment below); scripts/fuzz asks for many more.
        let count = Int(ProcessInfo.processInfo.environment["SHA256_DIFFERENTIAL_LENGTHS"] ?? "") ?? 64
        lengths += (0..<count).map { _ in Int.random(in: 0...(1 << 20), using: &rng) }
        for (k, length) in lengths.enumerated() {
            let offset = k % 64  // every alignment of the data within the buffer
            pool.withUnsafeBytes { all in
                let data = UnsafeRawBufferPointer(rebasing: all[offset..<offset + length])
                let reference = SHA256Hasher(openSSL: ())
                reference.update(data)
                let want = reference.finalize()
                let a = SHA256Hasher()
                let b = SHA256Hasher()
                // Fed in uneven pieces, the two streams at different positions within their blocks.
                let cut = length > 0 ? Int.random(in: 0...length, using: &rng) : 0
                a.update(UnsafeRawBufferPointer(rebasing: data[0..<min(cut, 7)]))
                let rest = UnsafeRawBufferPointer(rebasing: data[min(cut, 7)...])
                b.update(UnsafeRawBufferPointer(rebasing: rest[0..<0]))
                let aRest = rest
                let bFirst = UnsafeRawBufferPointer(rebasing: data[0..<min(cut, 7)])
                SHA256Hasher.update(a, aRest, b, UnsafeRawBufferPointer(rebasing: data[(length - aRest.count)...]))
                b.update(UnsafeRawBufferPointer(rebasing: bFirst[0..<0]))
                #expect(a.finalize() == want, "length \(length), offset \(offset)")
                // b hashed only the last aRest.count bytes.
                let tail = SHA256Hasher(openSSL: ())
                tail.update(UnsafeRawBufferPointer(rebasing: data[(length - aRest.count)...]))
                #expect(b.finalize() == tail.finalize(), "length \(length)")
            }
        }
        #expect(SHA256Hasher.usesKernel == (ProcessInfo.processInfo.environment["PROVENANCE_SHA256"] != "openssl"))
    }

    /// The same against Python's hashlib, a third implementation, on random lengths and alignments.
    @Test func differentialAgainstHashlib() throws {
        let python = try #require(ProcessInfo.processInfo.environment["PROVENANCE_PYTHON"], "PROVENANCE_PYTHON unset")
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        var expected: [String] = []
        for i in 0..<24 {
            let length = i < 4 ? [0, 63, 64, 65][i] : Int.random(in: 0...(1 << 20), using: &rng)
            let bytes = try Self.randomBytes(length)
            try Data(bytes).write(to: dir.appendingPathComponent("m\(i)"))
            expected.append(Hex.encode(SHA256Hasher.hash(bytes)))
        }
        let script = "import hashlib,sys\nfor p in sys.argv[1:]: print(hashlib.sha256(open(p,'rb').read()).hexdigest())"
        let r = try runTool(python, ["-c", script] + (0..<24).map { dir.appendingPathComponent("m\($0)").path })
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.split(separator: "\n").map(String.init) == expected)
    }

    /// The shipped binary on either path: SHA-256 forced through OpenSSL (PROVENANCE_SHA256=openssl, what a
    /// CPU without SHA-NI runs) gives the same content IDs and chunk digests, for one file and for many.
    @Test func openSSLPathGivesTheSameOutput() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        var cli = CLI(dir: dir)
        for (i, size) in [0, 100, 70_000, (1 << 20) + 3].enumerated() {
            try Data(try Self.randomBytes(size)).write(to: dir.appendingPathComponent("f\(i).bin"))
        }
        let files = (0..<4).map { "f\($0).bin" }
        for args in [["hash"] + files, ["hash", "--json"] + files, ["hash", "--json", "f3.bin"]] {
            let kernel = try cli.run(args)
            let openssl = try cli.run(args, env: ["PROVENANCE_SHA256": "openssl"])
            #expect(kernel.status == 0 && openssl.status == 0 && kernel.out == openssl.out, "\(args)")
        }
        let sums = try runTool("/usr/bin/sha256sum", files, cwd: dir)
        #expect(try cli.run(["hash"] + files, env: ["PROVENANCE_SHA256": "openssl"]).out == sums.out)
    }
}
