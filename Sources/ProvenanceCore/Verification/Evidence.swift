import Foundation

/// What was found about a manifest for one copy, before any chain is asked.
public enum ManifestEvidence: Sendable {
    /// None where one was looked for (nil: a streamed copy with nothing beside it).
    case none(expectedAt: String?)
    case unreadable(at: String, ProvenanceError)
    /// Parsed, but its proof or signature does not hold.
    case inauthentic(at: String, Manifest, AuthenticityProblem)
    /// Authentic, but its chunk list does not lead to its signed chunk root (checked only when a copy is
    /// searched with it): a list that is not the signed one must never prove a part.
    case badChunkList(at: String, Manifest, ProvenanceError)
    /// Its batch proof and signature hold (who signed it is a question of trust, decided later).
    case authentic(at: String, Manifest)

    /// The manifest, when it is authentic.
    public var authentic: Manifest? {
        if case .authentic(_, let m) = self { return m }
        return nil
    }

    public var location: String? {
        switch self {
        case .none: return nil
        case .unreadable(let at, _), .inauthentic(let at, _, _), .authentic(let at, _), .badChunkList(let at, _, _):
            return at
        }
    }
}

/// Everything this machine found about one copy, with no chain asked: its content ID, the manifest it is
/// compared with, which of its bytes are the original's, and how its sound compares. The record stage and
/// `Decision.decide` take it from here.
public struct Evidence: Sendable {
    public let path: String
    /// The copy's content ID and size; nil when it could not be read (see `failure`).
    public var digest: FileDigest?
    public var failure: ProvenanceError?
    public var manifest: ManifestEvidence
    /// The fetched original this copy was matched with (a feed item, a manifest URL).
    public var original: Original?
    /// For a copy that differs from an authentic original by a signer trusted here: the parts found.
    public var parts: AuthenticParts?
    /// For a copy in which not one byte was found: its sound against the original's fingerprint.
    public var sound: Result<AudioComparison, ProvenanceError>?
    /// Beside the sound: its picture against the original's picture fingerprint (nil: neither is a video).
    public var picture: Result<PictureComparison, ProvenanceError>?
    /// Fetched originals the copy was matched against (nil: the manifest beside it, or --manifest FILE).
    public var fetched: FetchedSummary?

    public struct FetchedSummary: Sendable {
        public let usable: Int
        public let setAside: [String]
        /// Items of a feed past the limit compared.
        public let notCompared: Int
    }

    public init(path: String, manifest: ManifestEvidence) {
        self.path = path
        self.manifest = manifest
    }

    /// The authentic manifest of an original this copy is not (its content ID differs).
    public var differingOriginal: Manifest? {
        guard let digest, let m = manifest.authentic, m.sha256 != digest.sha256 else { return nil }
        return m
    }

    /// The content IDs the chain is asked about for this copy: its own, and its original's when they differ.
    public var queries: [[UInt8]] {
        guard let digest else { return [] }
        return [digest.sha256] + (differingOriginal.map { [$0.sha256] } ?? [])
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

/// The manifest check every verifier makes: the EIP-712 domain names this registry, the batch proof leads
/// to the signed root, and the signature recovers to the stated signer.
public struct ManifestChecker: Sendable {
    public let registry: Address

    public init(registry: Address = RegistryAddress.canonical) { self.registry = registry }

    public func problem(_ manifest: Manifest, signers: RecoveredSigners = RecoveredSigners()) -> AuthenticityProblem? {
        guard manifest.message.registry == registry else {
            return .wrongRegistry(signed: manifest.message.registry, expected: registry)
        }
        guard
            let root = Merkle.root(
                leaf: manifest.commitment.leaf, index: manifest.batchIndex, count: manifest.message.fileCount,
                proof: manifest.batchProof), root == manifest.message.merkleRoot
        else { return .batchProof }
        switch signers.signer(of: manifest.message, signature: manifest.signature) {
        case .success(let recovered):
            return recovered == manifest.signer ? nil : .notByStatedSigner(stated: manifest.signer)
        case .failure(let error):
            return .invalidSignature(message: error.message)
        }
    }

    /// Each copy's manifest (beside it, or the one --manifest names), read and checked on all cores:
    /// reading and checking manifests is most of the work for small files (measured: ~95 µs a file), and
    /// files signed together share one signature, recovered once (1,100 recoveries were a third of
    /// verify's time on a 3 GB archive). Fetched originals were checked when fetched: none here.
    public func manifests(
        for paths: [String], originals: OriginalSource, streamed: Set<String>, signers: RecoveredSigners
    ) -> [ManifestEvidence] {
        if originals.fetched != nil { return paths.map { _ in .none(expectedAt: nil) } }
        return ParallelMap.map(paths.count) { i -> ManifestEvidence in
            let at =
                streamed.contains(paths[i])
                ? originals.manifestPathForStreamed : originals.manifestPath(for: paths[i])
            guard let at else { return .none(expectedAt: nil) }
            guard FSPath.exists(at).exists else { return .none(expectedAt: at) }
            do {
                // The chunk list is checked against its signed root only if a copy is searched with it.
                let m = try Manifest.read(path: at, chunkCheck: .whenSearched)
                if let problem = problem(m, signers: signers) { return .inauthentic(at: at, m, problem) }
                return .authentic(at: at, m)
            } catch let e as ProvenanceError {
                return .unreadable(at: at, e)
            } catch { return .unreadable(at: at, .input("\(at): \(error)")) }
        }
    }
}
