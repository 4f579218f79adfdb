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

    /// Random lengths from 0 to 1 MiB at every alignment of the data, each message split at random points,
    /// two different messages at once with partial blocks of their own: the kernel's digests are OpenSSL's.
    @Test func differentialAgainstOpenSSL() throws {
        var rng = SystemRandomNumberGenerator()
        let pool = try Self.randomBytes((2 << 20) + 128)
        var lengths = [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 8192, 1 << 20]
        // 64 random lengths at least (every alignment below); scripts/fuzz asks for many more.
        let count = Int(ProcessInfo.processInfo.environment["SHA256_DIFFERENTIAL_LENGTHS"] ?? "") ?? 64
        lengths += (0..<count).map { _ in Int.random(in: 0...(1 << 20), using: &rng) }
        func reference(_ data: UnsafeRawBufferPointer) -> [UInt8] {
            let h = SHA256Hasher(openSSL: ())
            h.update(data)
            return h.finalize()
        }
        pool.withUnsafeBytes { all in
            for (k, length) in lengths.enumerated() {
                // Message a at alignment k % 64, message b elsewhere in the pool at another alignment.
                let a = UnsafeRawBufferPointer(rebasing: all[(k % 64)..<(k % 64) + length])
                let bStart = (1 << 20) + 64 + (k * 7) % 64
                let b = UnsafeRawBufferPointer(rebasing: all[bStart..<bStart + length])
                #expect(Self.split(a, b, rng: &rng) == (reference(a), reference(b)), "length \(length), k \(k)")
            }
        }
        #expect(SHA256Hasher.usesKernel == Self.cpuHasSHANI, "the kernel is not what is under test here")
    }

    /// Each message fed in three pieces: a prefix of its own (0-127 bytes, so each stream is at its own
    /// offset within a block), a stretch of the two together, and the rest on its own.
    static func split(
        _ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, rng: inout SystemRandomNumberGenerator
    ) -> ([UInt8], [UInt8]) {
        let n = a.count
        let pa = Int.random(in: 0...min(127, n), using: &rng)
        let pb = Int.random(in: 0...min(127, n), using: &rng)
        let together = Int.random(in: 0...(n - max(pa, pb)), using: &rng)
        let ha = SHA256Hasher()
        let hb = SHA256Hasher()
        ha.update(UnsafeRawBufferPointer(rebasing: a[0..<pa]))
        hb.update(UnsafeRawBufferPointer(rebasing: b[0..<pb]))
        SHA256Hasher.update(
            ha, UnsafeRawBufferPointer(rebasing: a[pa..<pa + together]), hb,
            UnsafeRawBufferPointer(rebasing: b[pb..<pb + together]))
        ha.update(UnsafeRawBufferPointer(rebasing: a[(pa + together)...]))
        hb.update(UnsafeRawBufferPointer(rebasing: b[(pb + together)...]))
        return (ha.finalize(), hb.finalize())
    }

    /// Read from /proc/cpuinfo, independently of the kernel's own CPUID check (false off x86).
    static let cpuHasSHANI: Bool = {
        let forced = ProcessInfo.processInfo.environment["PROVENANCE_SHA256"] == "openssl"
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = info.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        return !forced && flags.split(separator: " ").contains("sha_ni")
    }()

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
            // Hashed here from a buffer at another alignment each time.
            let shifted = [UInt8](repeating: 0, count: i % 64) + bytes
            let h = SHA256Hasher()
            shifted.withUnsafeBytes { h.update(UnsafeRawBufferPointer(rebasing: $0[(i % 64)...])) }
            expected.append(Hex.encode(h.finalize()))
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
