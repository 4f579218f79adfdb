import Foundation

/// The verdict on one file checked against its manifest, without any network.
public struct OfflineVerdict: Sendable {
    public enum Status: String, Sendable {
        case verified
        /// The manifest is authentic but this file's bytes differ from the signed original.
        case modified
        /// Authentic, but signed by nobody the verifier trusts (there is no implicit trust).
        case signedByUntrusted = "signed-by-untrusted"
        /// The manifest's proof or signature does not hold.
        case invalidSignature = "invalid-signature"
        case noManifest = "no-manifest"
        /// The file or manifest could not be read or parsed.
        case error
    }

    public let path: String
    public let status: Status
    public let sha256: [UInt8]?
    public let signer: Address?
    public let detail: String
    public let differingRanges: [ByteRange]
    public let manifestPath: String?

}

public struct OfflineVerifier: Sendable {
    /// The signers the verifier trusts. Empty: nobody — a valid signature by a stranger's key proves
    /// only that the stranger signed.
    public var trustedSigners: Set<Address>
    /// The registry the EIP-712 domain must name.
    public var registry: Address
    /// Told of the content pass's progress: files done (0 while inside a single file) and bytes so far.
    public var onHashed: @Sendable (_ files: Int, _ bytes: UInt64) -> Void = { _, _ in }

    public init(trustedSigners: Set<Address> = [], registry: Address = RegistryAddress.canonical) {
        self.trustedSigners = trustedSigners
        self.registry = registry
    }

    /// Many files on all cores, verdicts in order. Each manifest is read once; each file is read once for
    /// its content ID (one SHA-256 pass) and a second time, for chunk digests, only when it differs
    /// from an authentic, trusted manifest (to say where it differs).
    ///
    /// - Parameter signers: signatures already recovered (pass the same one to successive calls over
    ///   windows of an archive, so each batch's signature is recovered once in all).
    public func verify(paths: [String], manifestPath: String? = nil, signers: RecoveredSigners = RecoveredSigners())
        -> [OfflineVerdict]
    {
        let manifestPaths = paths.map { manifestPath ?? Manifest.path(for: $0) }
        // Reading and checking manifests is most of the work for small files (measured: ~95 µs a file),
        // so it runs on all cores too. Files signed together share one signature: it is recovered once,
        // not once per file (1,100 recoveries were a third of verify's time on a 3 GB archive).
        let checked = ParallelMap.map(paths.count) { i -> (Result<Manifest, ProvenanceError>?, String?) in
            let path = manifestPaths[i]
            guard FileManager.default.fileExists(atPath: path) else { return (nil, nil) }
            do {
                let m = try Manifest.read(path: path)
                return (.success(m), authenticityProblem(m, signers: signers))
            } catch let e as ProvenanceError {
                return (.failure(e), nil)
            } catch { return (.failure(.input("\(path): \(error)")), nil) }
        }
        let manifests = checked.map(\.0)
        let problems = checked.map(\.1)
        let contents = ParallelHasher.hash(paths.map { ParallelHasher.Item(path: $0, chunks: false) }, onFile: onHashed)
        let differing = paths.indices.filter { i in
            guard case .success(let m)? = manifests[i], case .success(let d) = contents[i] else { return false }
            return d.sha256 != m.sha256 && problems[i] == nil && isTrusted(m.signer)
        }
        let chunked = ParallelHasher.hash(
            differing.map { i in
                ParallelHasher.Item(
                    path: paths[i], chunkSize: (try? manifests[i]?.get().chunkSize) ?? FileHasher.defaultChunkSize)
            })
        var digests = contents
        for (i, r) in zip(differing, chunked) { digests[i] = r }
        return paths.indices.map {
            verdict(
                path: paths[$0], manifestPath: manifestPaths[$0], manifest: manifests[$0], problem: problems[$0],
                digest: digests[$0])
        }
    }

    public func verify(path: String, manifestPath explicit: String? = nil) -> OfflineVerdict {
        verify(paths: [path], manifestPath: explicit)[0]
    }

    private func isTrusted(_ signer: Address) -> Bool { trustedSigners.contains(signer) }

    private func verdict(
        path: String, manifestPath: String, manifest loaded: Result<Manifest, ProvenanceError>?, problem: String?,
        digest hashed: Result<FileDigest, ProvenanceError>
    ) -> OfflineVerdict {
        func verdict(
            _ status: OfflineVerdict.Status, _ detail: String, sha: [UInt8]? = nil, signer: Address? = nil,
            ranges: [ByteRange] = []
        ) -> OfflineVerdict {
            OfflineVerdict(
                path: path, status: status, sha256: sha, signer: signer, detail: detail,
                differingRanges: ranges, manifestPath: status == .noManifest ? nil : manifestPath)
        }
        guard FileManager.default.fileExists(atPath: path) || path == "-" else {
            return verdict(.error, "\(path): no such file")
        }
        guard let loaded else {
            return verdict(.noManifest, "no manifest (\(manifestPath))", sha: try? hashed.get().sha256)
        }
        let digest: FileDigest
        let manifest: Manifest
        do {
            manifest = try loaded.get()
            digest = try hashed.get()
        } catch {
            return verdict(.error, "\(error)")
        }
        // 1. The manifest must be authentic on its own: proof to the signed root, signature by its signer.
        if let problem {
            return verdict(.invalidSignature, problem, sha: digest.sha256)
        }
        // 2. The signer must be one the caller trusts.
        if !isTrusted(manifest.signer) {
            return verdict(
                .signedByUntrusted, "signed by \(manifest.signer), whom you do not trust",
                sha: digest.sha256, signer: manifest.signer)
        }
        // 3. This file must be the signed content.
        if digest.sha256 != manifest.sha256 {
            let ranges = ChunkDiff.ranges(original: (manifest.size, manifest.chunks), copy: digest)
            var detail = "content differs from the original signed by \(manifest.signer)"
            if digest.size != manifest.size { detail += " (size \(digest.size), original \(manifest.size))" }
            return verdict(.modified, detail, sha: digest.sha256, signer: manifest.signer, ranges: ranges)
        }
        return verdict(.verified, "signed by \(manifest.signer)", sha: digest.sha256, signer: manifest.signer)
    }

    /// Why a manifest is not authentic, or nil when its proof and signature hold.
    public func authenticityProblem(_ manifest: Manifest) -> String? {
        authenticityProblem(manifest, signers: RecoveredSigners())
    }

    /// The same for many manifests at once: files signed together share one signature, recovered once.
    public func authenticityProblems(_ manifests: [Manifest], signers: RecoveredSigners = RecoveredSigners())
        -> [String?]
    {
        manifests.map { authenticityProblem($0, signers: signers) }
    }

    func authenticityProblem(_ manifest: Manifest, signers: RecoveredSigners) -> String? {
        guard manifest.message.registry == registry else {
            return "signed for registry \(manifest.message.registry), expected \(registry)"
        }
        guard
            let root = Merkle.root(
                leaf: manifest.commitment.leaf, index: manifest.batchIndex, count: manifest.message.fileCount,
                proof: manifest.batchProof), root == manifest.message.merkleRoot
        else {
            return "the batch proof does not lead to the signed Merkle root"
        }
        switch signers.signer(of: manifest.message, signature: manifest.signature) {
        case .success(let recovered):
            guard recovered == manifest.signer else {
                return "the signature is not by the stated signer \(manifest.signer)"
            }
            return nil
        case .failure(let error):
            return "invalid signature: \(error.message)"
        }
    }
}

/// Signers recovered during one verification run, by signed message and signature: a batch's files
/// share both, so the recovery (the costly step) runs once per batch. Safe to share between threads.
public final class RecoveredSigners: @unchecked Sendable {
    private struct Key: Hashable {
        let message: [UInt8]
        let signature: RecoverableSignature
    }

    private var known: [Key: Result<Address, ProvenanceError>] = [:]
    private let lock = NSLock()

    public init() {}

    func signer(of message: AttestationMessage, signature: RecoverableSignature) -> Result<Address, ProvenanceError> {
        let key = Key(
            message: message.merkleRoot + message.registry.bytes + Array(String(message.fileCount).utf8),
            signature: signature)
        lock.lock()
        let cached = known[key]
        lock.unlock()
        if let cached { return cached }
        // Two threads may recover the same signature at once: the result is the same, so either may store it.
        let result: Result<Address, ProvenanceError>
        do {
            result = .success(try ECRecover.address(digest: try message.signingDigest(), signature: signature))
        } catch {
            result = .failure(.input("\(error)"))
        }
        lock.lock()
        known[key] = result
        lock.unlock()
        return result
    }
}
