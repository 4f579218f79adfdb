import Foundation

/// The verdict on one file checked against its manifest, without any network.
public struct OfflineVerdict: Sendable {
    public enum Status: String, Sendable {
        case verified
        /// The manifest is authentic but this file's bytes differ from the signed original.
        case modified
        /// No byte is the original's, but its sound matches parts of it (a re-encoded clip): evidence
        /// about the sound, not proof about these bytes.
        case similar
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
    public let manifestPath: String?
    /// For a modified copy: what of the signed original it holds, byte for byte.
    public var authentic: AuthenticParts?
    /// The original compared with, when it was fetched (a URL, a feed item).
    public var original: Original?
    /// For a similar copy: the stretches of its sound found in the original, and the rest.
    public var audio: AudioComparison?
    /// Why the sound was not compared, when it could not be.
    public var soundNote: String?

    /// The copy's ranges not shown to be the publisher's.
    public var differingRanges: [ByteRange] { authentic?.unmatched ?? [] }
}

extension OfflineVerdict {
    /// A modified copy in which no byte was found: similar when its sound matches, else a note on why the
    /// sound said nothing.
    mutating func apply(sound: Result<AudioComparison, ProvenanceError>?) {
        switch sound {
        case .success(let c)? where !c.matches.isEmpty:
            self = OfflineVerdict(
                path: path, status: .similar, sha256: sha256, signer: signer,
                detail:
                    "no byte is the original's, but its sound matches the original signed by \(signer.map { "\($0)" } ?? "?")",
                manifestPath: manifestPath, authentic: nil, original: original, audio: c, soundNote: nil)
        case .success?:
            soundNote = "its sound does not match the original's either"
        case .failure(let e)?:
            soundNote = "the sound was not compared: \(e.message)"
        case nil: break
        }
    }
}

public struct OfflineVerifier: Sendable {
    /// The signers the verifier trusts. Empty: nobody — a valid signature by a stranger's key proves
    /// only that the stranger signed.
    public var trustedSigners: Set<Address>
    /// The registry the EIP-712 domain must name.
    public var registry: Address
    /// Told of the content pass's progress: files done (0 while inside a single file) and bytes so far.
    public var onHashed: @Sendable (_ files: Int, _ bytes: UInt64) -> Void = { _, _ in }
    /// Decodes a copy's sound when no byte of it is the original's (nil: sound is never compared).
    public var decodeAudio: SoundCheck.Decode?

    public init(trustedSigners: Set<Address> = [], registry: Address = RegistryAddress.canonical) {
        self.trustedSigners = trustedSigners
        self.registry = registry
    }

    /// Many files on all cores, verdicts in order. Each manifest is read once; each file is read once for
    /// its content ID (one SHA-256 pass) and a second time, to find which parts are authentic, only when
    /// it differs from an authentic, trusted original.
    ///
    /// - Parameter signers: signatures already recovered (pass the same one to successive calls over
    ///   windows of an archive, so each batch's signature is recovered once in all).
    ///   `streamed`: copies already read as a stream (URLs), by their path argument.
    public func verify(
        paths: [String], originals: OriginalSource = .besideEachFile, signers: RecoveredSigners = RecoveredSigners(),
        streamed: [String: Result<StreamedCopy, ProvenanceError>] = [:]
    ) -> [OfflineVerdict] {
        if let fetched = originals.fetched { return verify(paths: paths, fetched: fetched, streamed: streamed) }
        // A streamed copy (a URL) has no manifest beside it.
        let manifestPaths = paths.map {
            streamed[$0] == nil ? originals.manifestPath(for: $0)! : originals.manifestPathForStreamed ?? ""
        }
        // Reading and checking manifests is most of the work for small files (measured: ~95 µs a file),
        // so it runs on all cores too. Files signed together share one signature: it is recovered once,
        // not once per file (1,100 recoveries were a third of verify's time on a 3 GB archive).
        let checked = ParallelMap.map(paths.count) { i -> (Result<Manifest, ProvenanceError>?, String?) in
            let path = manifestPaths[i]
            guard !path.isEmpty, FileManager.default.fileExists(atPath: path) else { return (nil, nil) }
            do {
                let m = try Manifest.read(path: path, chunkCheck: .whenSearched)
                return (.success(m), authenticityProblem(m, signers: signers))
            } catch let e as ProvenanceError {
                return (.failure(e), nil)
            } catch { return (.failure(.input("\(path): \(error)")), nil) }
        }
        let manifests = checked.map(\.0)
        let problems = checked.map(\.1)
        let contents = CopyPasses.contents(paths, streamed: streamed, onHashed: onHashed)
        // The search for authentic parts, only in copies of an authentic, trusted original.
        let found = ParallelMap.map(paths.count) { i -> Result<AuthenticParts?, ProvenanceError>? in
            guard case .success(let m)? = manifests[i], case .success(let d) = contents[i],
                d.sha256 != m.sha256, problems[i] == nil, isTrusted(m.signer)
            else { return nil }
            return CopyPasses.search(paths[i], manifest: m, at: manifestPaths[i], streamed: streamed[paths[i]])
        }
        // The sound, only where not one byte was found (a re-encoded clip) and the original has a fingerprint.
        let decode = decodeAudio
        let sounds = ParallelMap.map(paths.count) { i -> Result<AudioComparison, ProvenanceError>? in
            guard streamed[paths[i]] == nil, case .success(let parts)? = found[i], parts?.parts.isEmpty ?? true,
                case .success(let m)? = manifests[i], m.audio != nil
            else { return nil }
            return SoundCheck.compare(path: paths[i], originals: [m.audio], decode: decode)
        }
        return paths.indices.map {
            var v = verdict(
                path: paths[$0], manifestPath: manifestPaths[$0], manifest: manifests[$0], problem: problems[$0],
                digest: contents[$0], found: found[$0], streamedCopy: streamed[paths[$0]] != nil)
            if v.status == .modified { v.apply(sound: sounds[$0]) }
            return v
        }
    }

    /// Copies against fetched originals (a URL's manifest, a feed's): each matched against all of them.
    private func verify(
        paths: [String], fetched originals: FetchedOriginals, streamed: [String: Result<StreamedCopy, ProvenanceError>]
    )
        -> [OfflineVerdict]
    {
        let contents = CopyPasses.contents(paths, streamed: streamed, onHashed: onHashed)
        return paths.indices.map { i in
            let path = paths[i]
            let digest: FileDigest
            do { digest = try contents[i].get() } catch {
                return OfflineVerdict(
                    path: path, status: .error, sha256: nil, signer: nil, detail: "\(error)", manifestPath: nil)
            }
            if let o = originals.exact(digest.sha256) {
                var v = OfflineVerdict(
                    path: path, status: .verified, sha256: digest.sha256, signer: o.manifest.signer,
                    detail: "signed by \(o.manifest.signer)", manifestPath: o.location)
                v.original = o
                return v
            }
            let parts: AuthenticParts?
            do { parts = try CopyPasses.search(path, index: originals.index, streamed: streamed[path]).get() } catch {
                return OfflineVerdict(
                    path: path, status: .error, sha256: digest.sha256, signer: nil, detail: "\(error)",
                    manifestPath: nil)
            }
            guard let parts else {
                let sound =
                    streamed[path] == nil
                    ? SoundCheck.compare(
                        path: path, originals: originals.usable.map(\.manifest.audio), decode: decodeAudio)
                    : nil
                if case .success(let c)? = sound, let first = c.matches.first {
                    var v = modified(path, digest, originals.usable[first.original])
                    v.apply(sound: sound)
                    return v
                }
                var detail = "nothing of it found in the \(originals.usable.count) signed original(s) given"
                if !originals.setAside.isEmpty {
                    detail += "; set aside: " + originals.setAside.prefix(3).joined(separator: "; ")
                    if originals.setAside.count > 3 { detail += " and \(originals.setAside.count - 3) more" }
                }
                return OfflineVerdict(
                    path: path, status: .noManifest, sha256: digest.sha256, signer: nil, detail: detail,
                    manifestPath: nil)
            }
            var v = modified(path, digest, originals.usable[parts.original])
            v.authentic = parts
            return v
        }
    }

    /// A copy that differs from a fetched original.
    private func modified(_ path: String, _ digest: FileDigest, _ o: Original) -> OfflineVerdict {
        var v = OfflineVerdict(
            path: path, status: .modified, sha256: digest.sha256, signer: o.manifest.signer,
            detail: "content differs from the original signed by \(o.manifest.signer)", manifestPath: o.location)
        v.original = o
        return v
    }

    public func verify(path: String, manifestPath explicit: String? = nil) -> OfflineVerdict {
        verify(paths: [path], originals: explicit.map { .file($0) } ?? .besideEachFile)[0]
    }

    private func isTrusted(_ signer: Address) -> Bool { trustedSigners.contains(signer) }

    private func verdict(
        path: String, manifestPath: String, manifest loaded: Result<Manifest, ProvenanceError>?, problem: String?,
        digest hashed: Result<FileDigest, ProvenanceError>, found: Result<AuthenticParts?, ProvenanceError>?,
        streamedCopy: Bool
    ) -> OfflineVerdict {
        func verdict(
            _ status: OfflineVerdict.Status, _ detail: String, sha: [UInt8]? = nil, signer: Address? = nil
        ) -> OfflineVerdict {
            OfflineVerdict(
                path: path, status: status, sha256: sha, signer: signer, detail: detail,
                manifestPath: status == .noManifest ? nil : manifestPath)
        }
        guard FileManager.default.fileExists(atPath: path) || path == "-" || (try? hashed.get()) != nil else {
            // A URL that could not be downloaded says why; a missing file, that it is missing.
            if streamedCopy, case .failure(let e) = hashed { return verdict(.error, e.message) }
            return verdict(.error, "\(path): no such file")
        }
        guard let loaded else {
            if case .failure(let e) = hashed { return verdict(.error, e.message) }
            let which = manifestPath.isEmpty ? "give --manifest or --feed" : manifestPath
            return verdict(.noManifest, "no manifest (\(which))", sha: try? hashed.get().sha256)
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
            var detail = "content differs from the original signed by \(manifest.signer)"
            if digest.size != manifest.size { detail += " (size \(digest.size), original \(manifest.size))" }
            var parts: AuthenticParts?
            switch found {
            case .success(let p)?: parts = p
            case .failure(let e)?: return verdict(.error, e.message, sha: digest.sha256)
            case nil: break
            }
            var v = verdict(.modified, detail, sha: digest.sha256, signer: manifest.signer)
            // Nothing found: the whole copy differs.
            v.authentic =
                parts
                ?? AuthenticParts(parts: [], copySize: digest.size, originalSize: manifest.size, original: 0)
            return v
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

    public func authenticityProblem(_ manifest: Manifest, signers: RecoveredSigners) -> String? {
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
