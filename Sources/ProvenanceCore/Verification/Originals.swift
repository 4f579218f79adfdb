import Foundation

/// A signed original that a copy may come from: its manifest, where it came from, and (from a feed) the
/// episode's title.
public struct Original: Sendable {
    public let manifest: Manifest
    /// Where the manifest was read: a path or a URL.
    public let location: String
    /// The feed item's title, when the manifest came from a feed.
    public let title: String?

    public init(manifest: Manifest, location: String, title: String? = nil) {
        self.manifest = manifest
        self.location = location
        self.title = title
    }
}

/// Where the signed originals copies are compared with come from.
public enum OriginalSource: Sendable {
    /// FILE.provenance.json beside each FILE.
    case besideEachFile
    /// One manifest file for every copy (--manifest FILE).
    case file(String)
    /// Manifests already fetched (--manifest URL, --feed URL) and checked: each copy is matched against
    /// all of them.
    case fetched(FetchedOriginals)

    public var fetched: FetchedOriginals? {
        if case .fetched(let all) = self { return all }
        return nil
    }

    /// The manifest for a copy that was streamed (a URL has nothing beside it).
    public var manifestPathForStreamed: String? {
        if case .file(let p) = self { return p }
        return nil
    }

    /// The manifest path for a copy, unless the originals were fetched.
    /// Manifest bytes one part of a window may hold. Parsed, a manifest takes about twice its size (a hostile
    /// 100 MB manifest grew the run by 195 MB, and a window of 24 of them by 4.7 GB): parts keep that bounded
    /// whatever the window's file count. Honest manifests are ~100 bytes per chunk (1.5 MB for 1 GiB).
    public static let manifestBytesPerPart = 64 << 20

    /// The window cut into runs of files whose manifests (by size on disk, before any is read) fit the
    /// budget; a file whose manifest alone is larger is a part of its own.
    public func parts(of window: [String], budget: Int = manifestBytesPerPart) -> [[String]] {
        var parts: [[String]] = []
        var current: [String] = []
        var bytes = 0
        for path in window {
            var st = stat()
            let size = manifestPath(for: path).map { stat($0, &st) == 0 ? Int(max(0, st.st_size)) : 0 } ?? 0
            if !current.isEmpty, bytes + size > budget {
                parts.append(current)
                current = []
                bytes = 0
            }
            current.append(path)
            bytes += size
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }

    public func manifestPath(for path: String) -> String? {
        switch self {
        case .besideEachFile: return Manifest.path(for: path)
        case .file(let p): return p
        case .fetched: return nil
        }
    }
}

/// The originals a run's copies were matched with: the authentic ones, and why the others were set aside.
public struct FetchedOriginals: Sendable {
    /// Authentic originals, in the order given.
    public let usable: [Original]
    /// The index over their chunks, searched once per copy.
    public let index: ChunkIndex
    public let setAside: [String]
    /// Items of a feed past the limit of items compared, not fetched.
    public let notCompared: Int

    /// Keeps the originals whose manifest is authentic (and, when `trusted` is given, signed by one of
    /// them): a range is called authentic only against a manifest that checked out here.
    public init(
        _ all: [Original], verifier: OfflineVerifier, trusted: ((Address) -> Bool)?, setAside earlier: [String] = [],
        notCompared: Int = 0
    ) {
        self.notCompared = notCompared
        var usable: [Original] = []
        var lists: [ChunkList] = []
        var setAside = earlier
        let signers = RecoveredSigners()
        for o in all {
            let location = URLText.location(o.location)
            if let problem = verifier.authenticityProblem(o.manifest, signers: signers) {
                setAside.append("\(location): \(problem)")
            } else if let trusted, !trusted(o.manifest.signer) {
                setAside.append("\(location): signed by \(o.manifest.signer), whom you do not trust")
            } else {
                do {
                    lists.append(try o.manifest.checkedChunkList())
                    usable.append(o)
                } catch { setAside.append("\(location): \(error)") }
            }
        }
        self.usable = usable
        self.setAside = setAside
        index = ChunkIndex(lists)
    }

    /// The original whose content ID this is.
    public func exact(_ sha256: [UInt8]) -> Original? { usable.first { $0.manifest.sha256 == sha256 } }
}

/// The two passes verifiers make over copies, for files on disk and for copies already streamed.
public enum CopyPasses {
    /// Content IDs: files hashed on all cores (one SHA-256 pass), streamed copies as they were read.
    public static func contents(
        _ paths: [String], streamed: [String: Result<StreamedCopy, ProvenanceError>],
        onHashed: @escaping @Sendable (Int, UInt64) -> Void
    ) -> [Result<FileDigest, ProvenanceError>] {
        let onDisk = paths.filter { streamed[$0] == nil }
        var hashed = ParallelHasher.hash(onDisk.map { ParallelHasher.Item(path: $0, chunks: false) }, onFile: onHashed)
            .makeIterator()
        return paths.map { streamed[$0].map { $0.map(\.digest) } ?? hashed.next()! }
    }

    /// The parts of the index's originals in a copy: a file is read again, a streamed copy was searched
    /// as it went by (against the same index).
    public static func search(_ path: String, index: ChunkIndex, streamed: Result<StreamedCopy, ProvenanceError>?)
        -> Result<AuthenticParts?, ProvenanceError>
    {
        if let streamed {
            guard case .success(let streamed) = streamed else { return .success(nil) }
            return .success(
                streamed.parts.flatMap {
                    AuthenticParts.best(
                        of: $0, copySize: streamed.digest.size, index: index, skipped: streamed.skippedCandidates,
                        timeline: streamed.timeline)
                })
        }
        return Result { try AuthenticParts.find(in: path, index: index) }
            .mapError { $0 as? ProvenanceError ?? .input("\(path): \($0)") }
    }
}
