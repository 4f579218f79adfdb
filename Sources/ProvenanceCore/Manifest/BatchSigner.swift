import Foundation

/// Signs a set of files with one EIP-712 signature: hash each file, build the Merkle root over the
/// files' leaves (content ID and details), sign the attestation message, and give every file its
/// manifest with its inclusion proof.
public enum BatchSigner {
    public struct Signed: Sendable {
        public let path: String
        public let manifestPath: String
        public let manifest: Manifest
    }

    /// Hashes and signs; writes nothing. Files are hashed once each, in order.
    public static func sign(
        paths: [String], key: PrivateKey, chunkSize: Int? = nil,
        registry: Address
    ) throws -> [Signed] {
        guard !paths.isEmpty else { throw ProvenanceError.usage("no files to sign") }
        for p in paths { try FileHasher.requireRegularFile(p) }
        // One signature covers the set, so every file must hash: the first failure stops it.
        let digests = try ParallelHasher.hash(paths.map { ParallelHasher.Item(path: $0, chunkSize: chunkSize) }).map {
            try $0.get()
        }
        return try sign(paths: paths, digests: digests, key: key, registry: registry)
    }

    public static func sign(
        paths: [String], digests: [FileDigest], key: PrivateKey,
        registry: Address
    ) throws -> [Signed] {
        let leaves = digests.map { FileCommitment(digest: $0).leaf }
        let message = AttestationMessage(merkleRoot: Merkle.root(leaves), fileCount: leaves.count, registry: registry)
        let signature = try key.sign(digest: try message.signingDigest())
        let proofs = Merkle.allProofs(leaves)
        return paths.indices.map { i in
            let manifest = Manifest(
                fileName: URL(fileURLWithPath: paths[i]).lastPathComponent, digest: digests[i],
                signer: key.address, batchIndex: i, batchProof: proofs[i],
                message: message, signature: signature)
            return Signed(path: paths[i], manifestPath: Manifest.path(for: paths[i]), manifest: manifest)
        }
    }
}
