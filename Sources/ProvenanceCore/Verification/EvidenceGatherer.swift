import Foundation

/// The first stage of verifying: what this machine finds about each copy, with no chain asked. Each copy is
/// read once for its content ID (one SHA-256 pass, all cores); a second time, to find which parts are the
/// original's, only when it differs from an authentic original by a signer the verifier trusts; and its
/// sound and picture are compared only when the bytes found prove less than half of it and the original has
/// fingerprints.
public struct EvidenceGatherer: Sendable {
    /// Whether copies are searched against this signer's manifests (a second pass costs as much as the first,
    /// so it is spent only where the result can count).
    public var searches: @Sendable (Address) -> Bool
    /// Decodes a copy's sound (nil: sound is never compared).
    public var decodeAudio: SoundCheck.Decode?
    /// Reads a copy's picture, compared beside its sound (nil: the picture is never compared).
    public var pictures: PictureCheck.Reader?
    /// Told of the content pass's progress: files done (0 while inside a single file) and bytes so far.
    public var onHashed: @Sendable (_ files: Int, _ bytes: UInt64) -> Void = { _, _ in }

    public init(searches: @escaping @Sendable (Address) -> Bool, decodeAudio: SoundCheck.Decode? = nil) {
        self.searches = searches
        self.decodeAudio = decodeAudio
    }

    /// The evidence for each copy, in order. `manifests` comes from `ManifestChecker.manifests`;
    /// `streamed` holds the copies already read as a stream (URLs), by their path argument.
    public func gather(
        _ paths: [String], manifests: [ManifestEvidence], originals: OriginalSource,
        streamed: [String: Result<StreamedCopy, ProvenanceError>]
    ) -> [Evidence] {
        var evidence = zip(paths, manifests).map { Evidence(path: $0, manifest: $1) }
        let early = earlySearches(paths, manifests: manifests, originals: originals, streamed: streamed)
        let onHashed = onHashed
        let (contents, earlyParts) = ParallelMap.both({
            CopyPasses.contents(paths, streamed: streamed, onHashed: onHashed)
        }) {
            ParallelMap.map(early.count) { k in CopyPasses.search(paths[early[k].0], index: early[k].1, streamed: nil) }
        }
        for (i, content) in contents.enumerated() {
            switch content {
            case .success(let d): evidence[i].digest = d
            case .failure(let e): evidence[i].failure = e
            }
        }
        let searchedEarly = Dictionary(uniqueKeysWithValues: zip(early.map(\.0), earlyParts))
        if let fetched = originals.fetched {
            return matched(evidence, against: fetched, streamed: streamed, early: searchedEarly)
        }
        return searched(evidence, streamed: streamed, early: searchedEarly)
    }

    /// The copies certain to be searched, each with its index: a copy whose size is no original's is none of
    /// them, so its search need not wait for its content ID and runs beside that pass, on another core. Only
    /// while cores are left over (fewer copies than cores): a 60-minute episode with three ads took 3.2 times
    /// `openssl dgst` with the two passes one after the other (scripts/dai_long.py).
    private func earlySearches(
        _ paths: [String], manifests: [ManifestEvidence], originals: OriginalSource,
        streamed: [String: Result<StreamedCopy, ProvenanceError>]
    ) -> [(Int, ChunkIndex)] {
        guard paths.count < ProcessInfo.processInfo.activeProcessorCount else { return [] }
        var out: [(Int, ChunkIndex)] = []
        var st = stat()
        for (i, path) in paths.enumerated() where streamed[path] == nil {
            guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
            let size = UInt64(max(0, st.st_size))
            if let fetched = originals.fetched {
                guard !fetched.index.isEmpty, !fetched.usable.contains(where: { $0.manifest.size == size }) else {
                    continue
                }
                out.append((i, fetched.index))
            } else if let m = manifests[i].authentic, m.size != size, searches(m.signer),
                let list = try? m.checkedChunkList()
            {
                out.append((i, ChunkIndex([list])))
            }
        }
        return out
    }

    /// Copies with a manifest of their own (beside them, or --manifest FILE).
    private func searched(
        _ evidence: [Evidence], streamed: [String: Result<StreamedCopy, ProvenanceError>],
        early: [Int: Result<AuthenticParts?, ProvenanceError>]
    ) -> [Evidence] {
        enum Searched {
            case parts(AuthenticParts?)
            /// The manifest's chunk list does not lead to its signed chunk root (checked only now).
            case badList(ProvenanceError)
            case unreadable(ProvenanceError)
        }
        var out = evidence
        let found = ParallelMap.map(evidence.count) { i -> Searched? in
            let e = evidence[i]
            guard let m = e.differingOriginal, searches(m.signer) else { return nil }
            // Searched beside the content pass, its chunk list already checked.
            switch early[i] {
            case .success(let parts)?: return .parts(parts)
            case .failure(let error)?: return .unreadable(error)
            case nil: break
            }
            let list: ChunkList
            do { list = try m.checkedChunkList() } catch {
                return .badList(error as? ProvenanceError ?? .input("\(error)"))
            }
            switch CopyPasses.search(e.path, index: ChunkIndex([list]), streamed: streamed[e.path]) {
            case .success(let parts): return .parts(parts)
            case .failure(let error): return .unreadable(error)
            }
        }
        for i in out.indices {
            switch found[i] {
            case .parts(let parts)?:
                // Nothing found: the whole copy differs.
                out[i].parts =
                    parts
                    ?? AuthenticParts(
                        parts: [], copySize: out[i].digest!.size, originalSize: out[i].manifest.authentic!.size,
                        original: 0)
            case .badList(let e)?:
                if case .authentic(let at, let m) = out[i].manifest { out[i].manifest = .badChunkList(at: at, m, e) }
            case .unreadable(let e)?: out[i].failure = e
            case nil: break
            }
        }
        let decode = decodeAudio
        let searched = out
        let sounds = ParallelMap.map(out.count) { i -> Result<AudioComparison, ProvenanceError>? in
            let e = searched[i]
            guard e.failure == nil, streamed[e.path] == nil, let parts = e.parts, parts.leavesMostUnproven,
                let audio = e.manifest.authentic?.audio
            else { return nil }
            return SoundCheck.compare(path: e.path, originals: [audio], decode: decode)
        }
        for i in out.indices { out[i].sound = sounds[i] }
        let reader = pictures
        let pictures = ParallelMap.map(out.count) { i -> Result<PictureComparison, ProvenanceError>? in
            let e = searched[i]
            guard e.failure == nil, streamed[e.path] == nil, let parts = e.parts, parts.leavesMostUnproven,
                let m = e.manifest.authentic
            else { return nil }
            return PictureCheck.compare(path: e.path, originals: [m.picture], reader: reader)
        }
        for i in out.indices { out[i].picture = pictures[i] }
        return out
    }

    /// Copies matched against fetched originals (a feed's episodes, a manifest URL): each against all of them
    /// at once, by content ID, then by chunks, then by sound.
    private func matched(
        _ evidence: [Evidence], against fetched: FetchedOriginals,
        streamed: [String: Result<StreamedCopy, ProvenanceError>],
        early: [Int: Result<AuthenticParts?, ProvenanceError>]
    ) -> [Evidence] {
        var out = evidence
        let summary = Evidence.FetchedSummary(
            usable: fetched.usable.count, setAside: fetched.setAside, notCompared: fetched.notCompared)
        let found = ParallelMap.map(evidence.count) { i -> Result<AuthenticParts?, ProvenanceError>? in
            guard let d = evidence[i].digest, fetched.exact(d.sha256) == nil else { return nil }
            return early[i]
                ?? CopyPasses.search(evidence[i].path, index: fetched.index, streamed: streamed[evidence[i].path])
        }
        for i in out.indices {
            out[i].fetched = summary
            if let d = out[i].digest, let o = fetched.exact(d.sha256) {
                out[i].use(o)
            } else if case .success(let parts?)? = found[i] {
                out[i].use(fetched.usable[parts.original])
                out[i].parts = parts
            } else if case .failure(let e)? = found[i] {
                out[i].failure = e
            }
        }
        // Less than half of the copy proven: the sound, against every original's fingerprint at once.
        let decode = decodeAudio
        let matched = out
        let compared = Set(
            out.indices.filter { i in
                let e = matched[i]
                return e.digest != nil && e.failure == nil
                    && (e.original == nil || e.parts?.leavesMostUnproven == true) && streamed[e.path] == nil
            })
        // One index over every original's fingerprint for the run (built per copy, it was built again for each).
        let prepared = compared.isEmpty ? nil : SoundCheck.Prepared(fetched.usable.map(\.manifest.audio))
        let sounds = ParallelMap.map(out.count) { i -> Result<AudioComparison, ProvenanceError>? in
            guard let prepared, compared.contains(i) else { return nil }
            return SoundCheck.compare(path: matched[i].path, prepared: prepared, decode: decode)
        }
        for i in out.indices {
            guard case .success(let c)? = sounds[i], let first = c.matches.first else { continue }
            // The few bytes found were of another original than the sound: they say nothing of this one.
            if let p = out[i].parts, p.original != first.original { out[i].parts = nil }
            out[i].use(fetched.usable[first.original])
            out[i].sound = sounds[i]
        }
        return pictured(out, against: fetched, sounds: sounds, streamed: streamed)
    }

    /// The picture of each copy compared by sound: against the original its sound matched, or, where none
    /// did, against every original (a picture that matches one makes it the original compared with).
    private func pictured(
        _ evidence: [Evidence], against fetched: FetchedOriginals,
        sounds: [Result<AudioComparison, ProvenanceError>?], streamed: [String: Result<StreamedCopy, ProvenanceError>]
    ) -> [Evidence] {
        var out = evidence
        let reader = pictures
        let compared = Set(
            evidence.indices.filter { i in
                let e = evidence[i]
                return e.digest != nil && e.failure == nil && streamed[e.path] == nil
                    && (e.parts?.leavesMostUnproven ?? true) && (sounds[i] != nil || e.original == nil)
            })
        // One index over every original's picture for the copies that matched none by sound, built once a run.
        let all =
            compared.contains { evidence[$0].original == nil }
            ? PictureCheck.Prepared(fetched.usable.map(\.manifest.picture)) : nil
        let pictures = ParallelMap.map(out.count) { i -> Result<PictureComparison, ProvenanceError>? in
            let e = evidence[i]
            guard compared.contains(i) else { return nil }
            if let o = e.original {
                return PictureCheck.compare(path: e.path, originals: [o.manifest.picture], reader: reader)
            }
            return all.flatMap { PictureCheck.compare(path: e.path, prepared: $0, reader: reader) }
        }
        for i in out.indices {
            out[i].picture = pictures[i]
            guard out[i].original == nil, case .success(let c)? = pictures[i], let first = c.matches.first else {
                continue
            }
            out[i].use(fetched.usable[first.original])
            // The sound was compared with every original and matched none: nor this one.
            out[i].sound = sounds[i]
        }
        return out
    }
}

extension Evidence {
    /// Compares the copy with this fetched original from now on.
    fileprivate mutating func use(_ o: Original) {
        manifest = .authentic(at: o.location, o.manifest)
        original = o
    }
}
