import Foundation

/// One signer a user trusts, as written on the command line or in the trust list: an address, an ENS
/// name (resolved forward: registry → resolver → addr) or a domain (its HTTPS
/// `/.well-known/provenance.json` lists its signers; docs/FORMAT.md §9).
public enum TrustEntry: Hashable, Sendable, CustomStringConvertible {
    case address(Address)
    case ens(String)
    /// A host name, optionally with a port (`example.com`, `localhost:8443`).
    case domain(String)

    /// `0x…` is an address; a name ending in `.eth`, or written `ens:NAME`, is an ENS name; any other
    /// dotted host name (or `dns:NAME`, `https://NAME`) is a domain. Names are lowercase ASCII letters,
    /// digits and hyphens per label (ENS names outside that set are refused rather than normalised).
    public init(_ text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        // The text may come from a file an attacker wrote: only printable ASCII of it is ever echoed.
        let shown = String(
            String.UnicodeScalarView(t.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7f }).prefix(80))
        func bad(_ why: String) -> ProvenanceError { .input("\(shown): \(why)") }
        if t.hasPrefix("0x") || t.hasPrefix("0X") {
            self = .address(try Address(t))
            return
        }
        var name = t.lowercased()
        var kind: String?
        for (prefix, k) in [("ens:", "ens"), ("dns:", "dns"), ("https://", "dns")] where name.hasPrefix(prefix) {
            name.removeFirst(prefix.count)
            kind = k
        }
        if name.hasSuffix("/") { name.removeLast() }
        let hostAndPort = name.split(separator: ":", omittingEmptySubsequences: false)
        guard hostAndPort.count <= 2, let host = hostAndPort.first.map(String.init) else {
            throw bad("not an address, an ENS name or a domain")
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 || host == "localhost", host.utf8.count <= 253,
            labels.allSatisfy({ label in
                (1...63).contains(label.utf8.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }
            })
        else { throw bad("not an address, an ENS name (lowercase a-z, 0-9, -) or a domain") }
        if hostAndPort.count == 2 {
            guard kind != "ens", let port = Int(hostAndPort[1]), (1...65535).contains(port) else {
                throw bad("a port must be 1 to 65535, on a domain only")
            }
        }
        if kind == "ens" || (kind == nil && host.hasSuffix(".eth") && hostAndPort.count == 1) {
            self = .ens(host)
        } else {
            self = .domain(name)
        }
    }

    /// How the entry is written back (the trust list's line).
    public var description: String {
        switch self {
        case .address(let a): return a.checksummed
        case .ens(let n): return n.hasSuffix(".eth") ? n : "ens:" + n
        case .domain(let d): return d.hasSuffix(".eth") ? "dns:" + d : d
        }
    }
}
