import Foundation
import ProvenanceCore

/// Fetches a domain's `https://DOMAIN/.well-known/provenance.json` (docs/FORMAT.md §9): HTTPS only (redirects
/// too), the certificate and host name verified, at most 64 KiB, 15 s. The document lists the addresses
/// that sign for the domain and on which chains.
public final class WellKnownFetcher {
    public static let maxBytes = 64 << 10
    /// A CA bundle to use instead of the system's (a newsroom's own CA; the tests' local CA); default:
    /// $PROVENANCE_CA_FILE.
    public var caFile: String?

    public init(caFile: String? = HTTPPolicy.environmentCAFile) { self.caFile = caFile }

    public struct Signer: Equatable, Sendable {
        public let address: Address
        /// nil: every chain.
        public let chains: Set<UInt64>?
        public let name: String?
    }

    /// The domain's signers, or an error saying why they could not be had (never a partial list).
    public func signers(of domain: String) throws -> [Signer] {
        let url = "https://\(domain)/.well-known/provenance.json"
        let body = try get(url)
        let json: JSON
        do { json = try JSON.parse(body) } catch { throw bad(domain, "not JSON (\(error))") }
        guard json["format"]?.stringValue == "provenance-signers", json["version"]?.intValue == 1,
            let items = json["signers"]?.arrayValue, !items.isEmpty, items.count <= 100
        else { throw bad(domain, "not a provenance-signers document, version 1, with 1 to 100 signers") }
        return try items.map { item in
            guard let text = item["address"]?.stringValue, let address = try? Address(text) else {
                throw bad(domain, "a signer's address is not an Ethereum address")
            }
            var chains: Set<UInt64>?
            if let list = item["chains"] {
                guard let values = list.arrayValue, values.count <= 100 else {
                    throw bad(domain, "chains must be a list of chain ids")
                }
                chains = Set(
                    try values.map { v -> UInt64 in
                        guard case .number(let n) = v, let id = UInt64(n) else {
                            throw bad(domain, "chains must be a list of chain ids")
                        }
                        return id
                    })
            }
            return Signer(address: address, chains: chains, name: item["name"]?.stringValue)
        }
    }

    private func bad(_ domain: String, _ why: String) -> ProvenanceError {
        ProvenanceError(.chain, "https://\(domain)/.well-known/provenance.json: \(why)")
    }

    /// The document's bytes. The transfer is the HTTP client's; this names the URL in its errors (built
    /// from the domain, it carries no secret) and wants exactly 200.
    private func get(_ url: String) throws -> [UInt8] {
        let policy = HTTPPolicy(
            schemes: .httpsOnly, maxRedirects: 3, maxBytes: Self.maxBytes, connectTimeout: 10, timeout: 15,
            stallSeconds: nil, failOnHTTPError: false, acceptCompressed: false, caFile: caFile)
        let response: HTTPResponse
        do {
            response = try HTTPClient.get(url, policy: policy)
        } catch let error as HTTPError {
            switch error.kind {
            case .setup: throw ProvenanceError(.chain, error.message)
            case .tooLarge: throw ProvenanceError(.chain, "\(url): larger than \(Self.maxBytes >> 10) KiB")
            default: throw ProvenanceError(.chain, "\(url): \(error.message)")
            }
        }
        guard response.status == 200 else { throw ProvenanceError(.chain, "\(url): HTTP \(response.status)") }
        return response.body
    }
}
