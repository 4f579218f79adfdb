import Foundation

/// The verdict on one file checked against its manifest, without any network.
public struct OfflineVerdict: Sendable {
    public enum Status: String, Sendable {
        case verified
        /// The manifest is authentic but this file's bytes differ from the signed original.
        case modified
        /// Authentic, but signed by nobody in the trusted list.
        case untrustedSigner = "untrusted-signer"
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
    /// Accepted signers; empty means any signer whose signature is valid.
    public var trustedSigners: Set<Address>
    /// The registry the EIP-712 domain must name.
    public var registry: Address

    public init(trustedSigners: Set<Address> = [], registry: Address = RegistryAddress.canonical) {
        self.trustedSigners = trustedSigners
        self.registry = registry
    }

    /// Many files on all cores: each hashed once, with its manifest's chunk size; verdicts in order.
    public func verify(paths: [String], manifestPath: String? = nil) -> [OfflineVerdict] {
        let chunkSizes = paths.map { path -> Int in
            let m = try? Manifest.read(path: manifestPath ?? Manifest.path(for: path))
            return m?.chunkSize ?? FileHasher.defaultChunkSize
        }
        let digests = ParallelHasher.hash(zip(paths, chunkSizes).map { ParallelHasher.Item(path: $0, chunkSize: $1) })
        return zip(paths, digests).map { verify(path: $0, manifestPath: manifestPath, precomputed: $1) }
    }

    public func verify(path: String, manifestPath explicit: String? = nil) -> OfflineVerdict {
        verify(path: path, manifestPath: explicit, precomputed: nil)
    }

    private func verify(path: String, manifestPath explicit: String?, precomputed: Result<FileDigest, ProvenanceError>?)
        -> OfflineVerdict
    {
        let manifestPath = explicit ?? Manifest.path(for: path)
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
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            let sha = (try? precomputed?.get())?.sha256 ?? (try? FileHasher.hash(path: path).sha256)
            return verdict(.noManifest, "no manifest (\(manifestPath))", sha: sha)
        }
        let manifest: Manifest
        do { manifest = try Manifest.read(path: manifestPath) } catch {
            return verdict(.error, "\(error)")
        }
        let digest: FileDigest
        do {
            if let pre = try precomputed?.get(), pre.chunkSize == manifest.chunkSize {
                digest = pre
            } else {
                digest = try FileHasher.hash(path: path, chunkSize: manifest.chunkSize)
            }
        } catch {
            return verdict(.error, "\(error)")
        }
        // 1. The manifest must be authentic on its own: proof to the signed root, signature by its signer.
        if let problem = authenticityProblem(manifest) {
            return verdict(.invalidSignature, problem, sha: digest.sha256)
        }
        // 2. The signer must be one the caller trusts.
        if !trustedSigners.isEmpty && !trustedSigners.contains(manifest.signer) {
            return verdict(
                .untrustedSigner, "signed by \(manifest.signer), who is not among the trusted signers",
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
        guard manifest.message.registry == registry else {
            return "signed for registry \(manifest.message.registry), expected \(registry)"
        }
        guard
            let root = Merkle.root(
                leaf: manifest.sha256, index: manifest.batchIndex, count: manifest.message.fileCount,
                proof: manifest.batchProof), root == manifest.message.merkleRoot
        else {
            return "the batch proof does not lead to the signed Merkle root"
        }
        do {
            let recovered = try ECRecover.address(
                digest: try manifest.message.signingDigest(), signature: manifest.signature)
            guard recovered == manifest.signer else {
                return "the signature is not by the stated signer \(manifest.signer)"
            }
        } catch {
            return "invalid signature: \(error)"
        }
        return nil
    }
}
