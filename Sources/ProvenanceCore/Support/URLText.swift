import Foundation

/// URLs as the tool shows them anywhere (errors, verdicts, JSON): user, password, query and fragment —
/// where signed links and API keys go — are dropped; the path stays, since it names the file.
public enum URLText {
    /// Whether a command-line argument or a location names a URL rather than a path.
    public static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://")
    }

    public static func shown(_ url: String) -> String {
        guard var c = URLComponents(string: url), c.scheme != nil else { return "(a URL)" }
        c.user = nil
        c.password = nil
        c.query = nil
        c.fragment = nil
        return c.string ?? "(a URL)"
    }

    /// A location as shown: a URL scrubbed, a path as it is.
    public static func location(_ text: String) -> String { isURL(text) ? shown(text) : text }
}
