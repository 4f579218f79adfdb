import Foundation
import ProvenanceCore

/// Fetches the signed originals copies are compared with: one manifest by URL, or every episode's of a
/// podcast feed. Nothing fetched is believed: manifests are checked like local ones (FetchedOriginals)
/// before any range is called authentic; an item whose manifest cannot be had is set aside, named.
public struct OriginalsFetcher: Sendable {
    public let web: WebClient
    /// Manifests fetched at once (a 100-episode feed is 100 requests).
    public var parallel = 8

    public init(web: WebClient) { self.web = web }

    public func manifest(_ url: String, title: String? = nil) throws -> Original {
        let bytes = try web.get(url, maxBytes: Manifest.maxBytes, what: "manifest")
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
    }

    /// The feed's items' manifests, fetched `parallel` at a time.
    public func feed(_ url: String) throws -> FeedOriginals {
        let feed = try PodcastFeed(bytes: web.get(url, maxBytes: PodcastFeed.maxBytes, what: "feed"))
        let items = feed.items
        let results = ParallelMap.map(items.count, workers: parallel) { i -> Result<Original, ProvenanceError>? in
            guard let manifestURL = items[i].manifestURL else { return nil }
            return Result { try manifest(manifestURL, title: items[i].title) }
                .mapError { $0 as? ProvenanceError ?? .input("\($0)") }
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
        return FeedOriginals(feed: feed, originals: originals, setAside: setAside)
    }
}
