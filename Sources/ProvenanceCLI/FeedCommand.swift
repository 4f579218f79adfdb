import Foundation
import ProvenanceChain
import ProvenanceCore

/// `provenance feed tags`: the lines a publisher adds to each episode's <item> so that `verify --feed`
/// finds its manifest.
struct FeedCommand: Command {
    static let name = "feed"
    static let subcommands = ["tags"]
    static let summary = "Print the <podcast:txt> tags that point a podcast feed's episodes to their manifests."
    static let usage = "feed tags --base-url URL [--json] FILE|MANIFEST|DIR..."
    static let discussion = """
          feed tags  For each signed episode (the file, its FILE.provenance.json, or a directory of them), print
                     <podcast:txt purpose="provenance">BASE-URL/FILE.provenance.json</podcast:txt>, to add inside
                     that episode's <item>. The <rss> element must declare
                     xmlns:podcast="https://podcastindex.org/namespace/1.0".
        Host each manifest at that URL (beside the episode is simplest: verify --feed then also finds it
        from the enclosure URL, tag or no tag). Each manifest's signature is checked before its tag is
        printed; a broken one is reported and skipped (exit 2).
        """
    static let options: [Option] = [
        Opts.baseURL.option,
        Opts.json.help("One JSON object per episode: file, sha256, signer, manifestURL, tag.").option,
    ]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard args.positionals.first == "tags" else { throw UsageError("say which: feed tags", usage: usage) }
        let inputs = Array(args.positionals.dropFirst())
        guard !inputs.isEmpty else { throw UsageError("no manifests given", usage: usage) }
        guard let base = try args.get(Opts.baseURL) else {
            throw UsageError("\(Opts.baseURL.option.name) \(Opts.baseURLNeeds)", usage: usage)
        }
        let prefix = base.hasSuffix("/") ? base : base + "/"
        // Manifests given directly, or those beside the files given (directories walked).
        var manifests: [String] = []
        for input in inputs {
            if Manifest.isManifestName(input) {
                manifests.append(input)
            } else {
                manifests += try FileWalker.expand([input], excluding: Manifest.isManifestName).map(Manifest.path(for:))
            }
        }
        var exit = ExitCode.ok
        let checker = OfflineVerifier()
        if !args[Opts.json] {
            Output.line(
                "<!-- inside each episode's <item>; <rss> declares xmlns:podcast=\"\(PodcastFeed.podcastNamespace)\" -->"
            )
        }
        for path in manifests {
            let manifest: Manifest
            do {
                manifest = try Manifest.read(path: path)
                if let problem = checker.authenticityProblem(manifest) {
                    throw ProvenanceError.input("\(path): \(problem)")
                }
            } catch let e as ProvenanceError {
                Output.error(e.message)
                exit = exit.worse(.usage)
                continue
            }
            let name = (path as NSString).lastPathComponent
            let url = prefix + (name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name)
            let tag = "<podcast:txt purpose=\"provenance\">\(Self.xmlEscaped(url))</podcast:txt>"
            if args[Opts.json] {
                Output.line(
                    JSON.object([
                        ("file", .string(manifest.fileName)), ("sha256", .string(Hex.encode(manifest.sha256))),
                        ("signer", .string(manifest.signer.checksummed)), ("manifestURL", .string(url)),
                        ("tag", .string(tag)),
                    ]).compact)
            } else {
                Output.line("<!-- \(Display.safe(manifest.fileName).replacingOccurrences(of: "--", with: "- -")) -->")
                Output.line(tag)
            }
        }
        return exit
    }

    static func xmlEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
