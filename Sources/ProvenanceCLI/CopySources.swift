import Foundation
import ProvenanceChain
import ProvenanceCore

/// What `verify` and `hash` are given: files, directories and URLs, and where the originals come from.
enum CopySources {
    /// The copies a command is given, a window at a time: directories walked (manifests skipped, links
    /// followed only when asked, as sign and attest walk them) and URLs kept as given, in order.
    static func walk(_ arguments: [String], followSymlinks: Bool) -> FileWalker.Stream {
        FileWalker.Stream(
            arguments, followSymlinks: followSymlinks, excluding: Manifest.isManifestName, givenAsIs: WebClient.isURL)
    }

    /// The walk that does a command's work tells each skipped entry on standard error, once (counting and
    /// checking walks stay quiet).
    static func reportingSkips(_ walk: FileWalker.Stream) -> FileWalker.Stream {
        walk.onSkip = { path, why in
            let reason: String
            switch why {
            case .symbolicLink: reason = "a symbolic link (--follow-symlinks follows links)"
            case .notRegularFile: reason = "not a regular file (a FIFO, device or socket)"
            case .vanished: reason = "it vanished, or is a link to nothing"
            }
            Output.stderr("provenance: skipped \(Display.safe(path)): \(reason)\n")
        }
        return walk
    }

    /// Decodes a copy's sound for the comparison of sound (ffmpeg for anything but WAV), the seconds read shown.
    static func decodeAudio(_ progress: HashingProgress) -> SoundCheck.Decode {
        { path in
            do {
                return try AudioDecoder().decode(path: path) { progress.decoding("the copy's sound", seconds: $0) }
            } catch AudioDecoder.Failure.needsFFmpeg {
                throw ProvenanceError.input("it is not WAV and ffmpeg is not on PATH, so its sound cannot be compared")
            } catch AudioDecoder.Failure.noAudio(let why) { throw ProvenanceError.input(why) }
        }
    }

    /// Reads a copy's picture for the comparison of picture (ffmpeg), and says whether it has one.
    static func pictures(_ progress: HashingProgress) -> PictureCheck.Reader {
        PictureCheck.Reader(
            decode: { path in
                do {
                    return try PictureDecoder().clip(path: path) {
                        progress.decoding("the copy's picture", seconds: $0)
                    }
                } catch PictureDecoder.Failure.needsFFmpeg {
                    throw ProvenanceError.input("ffmpeg is not on PATH, so its picture cannot be compared")
                } catch PictureDecoder.Failure.noPicture(let why) { throw ProvenanceError.input(why) }
            },
            hasPicture: { PictureDecoder().hasPicture(path: $0) })
    }

    /// $PROVENANCE_CA_FILE replaces the CA bundle; $PROVENANCE_STALL_SECONDS (1 … 3600, default 30) is how
    /// long a download may go without a byte before it fails.
    static func web() -> WebClient {
        let env = ProcessInfo.processInfo.environment
        let web = WebClient()  // $PROVENANCE_CA_FILE through the HTTP client's default
        if let text = env["PROVENANCE_STALL_SECONDS"], let seconds = Int(text), (1...3600).contains(seconds) {
            web.stallSeconds = seconds
        }
        return web
    }

    /// --manifest FILE, --manifest URL or --feed URL (else the manifest beside each file). Fetched
    /// manifests are checked (signature, and signer among `trusted`) before any copy is matched with them.
    static func originals(
        _ args: Arguments, verifier: OfflineVerifier, trusted: @escaping (Address) -> Bool
    )
        throws -> OriginalSource
    {
        let manifest = try args.get(Opts.manifest)
        let feed = try args.get(Opts.feed)
        if manifest != nil && feed != nil {
            throw UsageError("give --manifest or --feed, not both", usage: args.usage)
        }
        var fetcher = OriginalsFetcher(web: web())
        if let n = try args.get(Opts.feedItems) { fetcher.maxItems = n }
        if let feed {
            let got = try fetcher.feed(feed)
            if got.feed.items.isEmpty { throw ProvenanceError.input("\(WebClient.shown(feed)): the feed has no items") }
            return .fetched(
                FetchedOriginals(
                    got.originals, verifier: verifier, trusted: trusted, setAside: got.setAside,
                    notCompared: got.notCompared))
        }
        guard let manifest else { return .besideEachFile }
        guard WebClient.isURL(manifest) else { return .file(manifest) }
        return .fetched(FetchedOriginals([try fetcher.manifest(manifest)], verifier: verifier, trusted: trusted))
    }

    /// Downloads each URL once, through the SHA-256 and (when there are originals to search) the search
    /// for their chunks: nothing is written to disk.
    /// A download that fails is that copy's error, not the run's.
    static func stream(_ copies: [String], originals: OriginalSource, progress: HashingProgress)
        -> [String: Result<StreamedCopy, ProvenanceError>]
    {
        let urls = copies.filter(WebClient.isURL)
        guard !urls.isEmpty else { return [:] }
        var index: ChunkIndex?
        switch originals {
        case .fetched(let f): index = f.index
        case .file(let path):
            // The manifest's chunks are searched only if it is authentic and trusted; the verifier decides
            // that, and ignores the parts otherwise. Reading it here costs one parse.
            index = (try? Manifest.read(path: path)).flatMap { try? $0.checkedChunkList() }.map { ChunkIndex([$0]) }
        case .besideEachFile: index = nil
        }
        var out: [String: Result<StreamedCopy, ProvenanceError>] = [:]
        for url in urls {
            let builder = StreamedCopy.Builder(index: index)
            out[url] = download(url, into: builder.add, progress: progress).map { builder.finish() }
        }
        return out
    }

    /// Streams one URL's body to `consume`, with progress; a failure is that URL's error.
    static func download(
        _ url: String, into consume: @escaping (UnsafeRawBufferPointer) -> Void, progress: HashingProgress
    ) -> Result<Void, ProvenanceError> {
        defer { progress.finish() }
        return Result {
            try web().stream(
                url,
                onData: {
                    consume($0)
                    return true
                }, onProgress: { progress.downloaded($0, of: $1) })
            return ()
        }.mapError { $0 as? ProvenanceError ?? .input("\(WebClient.shown(url)): \($0)") }
    }
}
