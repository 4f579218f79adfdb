import Foundation
import ProvenanceCore

/// Fetches the signed originals copies are compared with: one manifest by URL, or every episode's of a
/// podcast feed. Nothing fetched is believed: manifests are checked like local ones (FetchedOriginals)
/// before any range is called authentic; an item whose manifest cannot be had is set aside, named.
public struct OriginalsFetcher: Sendable {
    public let web: WebClient
    /// Manifests fetched at once (a 100-episode feed is 100 requests).
    public var parallel = 8
    /// Items compared, in the feed's order (newest first in most feeds): a hostile feed cannot make a run
    /// fetch 10,000 manifests.
    public var maxItems = 500
    /// All of a feed's manifests together, in bytes: past it, further items are set aside. A manifest is
    /// ~0.7% of its episode, so 500 hour-long 128 kbps episodes take ~190 MB.
    public var maxTotalBytes = 256 << 20

    public init(web: WebClient) { self.web = web }

    public func manifest(_ url: String, title: String? = nil) throws -> Original {
        try parse(web.get(url, maxBytes: Manifest.maxBytes, what: "manifest"), from: url, title: title)
    }

    private func parse(_ bytes: [UInt8], from url: String, title: String?) throws -> Original {
        do {
            return Original(manifest: try Manifest(json: JSON.parse(bytes)), location: url, title: title)
        } catch let error as JSON.ParseError {
            throw ProvenanceError.input("\(WebClient.shown(url)): malformed manifest: \(error)")
        } catch let error as ProvenanceError {
            throw ProvenanceError.input("\(WebClient.shown(url)): \(error.message)")
        }
    }

    public struct FeedOriginals: Sendable {
        public let feed: PodcastFeed
        public let originals: [Original]
        /// Items without a usable manifest, and why.
        public let setAside: [String]
        /// Items past the first `maxItems`, not fetched.
        public let notCompared: Int
    }

    /// The feed's items' manifests, fetched `parallel` at a time. The feed itself may be a local file (an RSS
    /// file the publisher is about to upload); its manifests are fetched where it says, over HTTP(S).
    public func feed(_ source: String) throws -> FeedOriginals {
        let bytes =
            WebClient.isURL(source)
            ? try web.get(source, maxBytes: PodcastFeed.maxBytes, what: "feed")
            : try BoundedFile.read(source, what: "feed", maxBytes: PodcastFeed.maxBytes).bytes
        let feed = try PodcastFeed(bytes: bytes)
        let items = Array(feed.items.prefix(maxItems))
        let budget = ByteBudget(maxTotalBytes)
        let results = ParallelMap.map(items.count, workers: parallel) { i -> Result<Original, ProvenanceError>? in
            guard let manifestURL = items[i].manifestURL else { return nil }
            return Result {
                guard budget.left > 0 else {
                    throw ProvenanceError.input(
                        "the feed's manifests passed \(maxTotalBytes >> 20) MiB together: not fetched")
                }
                let bytes = try web.get(manifestURL, maxBytes: min(Manifest.maxBytes, budget.left), what: "manifest")
                guard budget.take(bytes.count) else {
                    throw ProvenanceError.input(
                        "the feed's manifests passed \(maxTotalBytes >> 20) MiB together: not fetched")
                }
                return try parse(bytes, from: manifestURL, title: items[i].title)
            }.mapError { $0 as? ProvenanceError ?? .input("\($0)") }
        }
        var originals: [Original] = []
        var setAside: [String] = []
        for (item, result) in zip(items, results) {
            let name = "“\(item.title ?? item.guid ?? "untitled")”"
            switch result {
            case .success(let o)?: originals.append(o)
            case .failure(let e)?: setAside.append("\(name): \(e.message)")
            case nil: setAside.append("\(name): names no enclosure and no provenance tag")
            }
        }
        return FeedOriginals(
            feed: feed, originals: originals, setAside: setAside, notCompared: feed.items.count - items.count)
    }
}

/// Bytes left of a limit shared by parallel fetches.
private final class ByteBudget: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int

    init(_ limit: Int) { remaining = limit }

    var left: Int {
        lock.lock()
        defer { lock.unlock() }
        return max(0, remaining)
    }

    /// Takes `count` bytes; false when that passes the limit.
    func take(_ count: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        remaining -= count
        return remaining >= 0
    }
}
