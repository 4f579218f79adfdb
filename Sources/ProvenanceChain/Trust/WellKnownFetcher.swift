internal import CCurl
internal import CShim
import Foundation
import ProvenanceCore

/// Fetches a domain's `https://DOMAIN/.well-known/provenance.json` (docs/FORMAT.md §9): HTTPS only (redirects
/// too), the certificate and host name verified, at most 64 KiB, 15 s. The document lists the addresses
/// that sign for the domain and on which chains.
public final class WellKnownFetcher {
    public static let maxBytes = 64 << 10
    /// A CA bundle to use instead of the system's (a newsroom's own CA; the tests' local CA).
    public var caFile: String?

    public init(caFile: String? = nil) { self.caFile = caFile }

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

    private func get(_ url: String) throws -> [UInt8] {
        guard let h = curl_easy_init() else { throw ProvenanceError(.chain, "libcurl could not be set up") }
        defer { curl_easy_cleanup(h) }
        func set(_ code: CURLcode, _ what: String) throws {
            guard code == CURLE_OK else { throw ProvenanceError(.chain, "libcurl refused \(what)") }
        }
        try set(pv_curl_setopt_string(h, CURLOPT_URL, url), "CURLOPT_URL")
        try set(pv_curl_setopt_string(h, CURLOPT_PROTOCOLS_STR, "https"), "CURLOPT_PROTOCOLS_STR")
        try set(pv_curl_setopt_string(h, CURLOPT_REDIR_PROTOCOLS_STR, "https"), "CURLOPT_REDIR_PROTOCOLS_STR")
        try set(pv_curl_setopt_long(h, CURLOPT_FOLLOWLOCATION, 1), "CURLOPT_FOLLOWLOCATION")
        try set(pv_curl_setopt_long(h, CURLOPT_MAXREDIRS, 3), "CURLOPT_MAXREDIRS")
        try set(pv_curl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1), "CURLOPT_SSL_VERIFYPEER")
        try set(pv_curl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2), "CURLOPT_SSL_VERIFYHOST")
        try set(pv_curl_setopt_long(h, CURLOPT_CONNECTTIMEOUT, 10), "CURLOPT_CONNECTTIMEOUT")
        try set(pv_curl_setopt_long(h, CURLOPT_TIMEOUT, 15), "CURLOPT_TIMEOUT")
        try set(pv_curl_setopt_long(h, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try set(pv_curl_setopt_string(h, CURLOPT_USERAGENT, "provenance/0.1"), "CURLOPT_USERAGENT")
        if let caFile { try set(pv_curl_setopt_string(h, CURLOPT_CAINFO, caFile), "CURLOPT_CAINFO") }
        let box = ResponseBox(limit: Self.maxBytes)
        let boxPointer = Unmanaged.passRetained(box)
        defer { boxPointer.release() }
        try set(pv_curl_setopt_pointer(h, CURLOPT_WRITEDATA, boxPointer.toOpaque()), "CURLOPT_WRITEDATA")
        try set(ResponseBox.installWriteCallback(h), "CURLOPT_WRITEFUNCTION")
        let code = curl_easy_perform(h)
        if box.truncated { throw ProvenanceError(.chain, "\(url): larger than \(Self.maxBytes >> 10) KiB") }
        guard code == CURLE_OK else {
            throw ProvenanceError(.chain, "\(url): \(String(cString: curl_easy_strerror(code)))")
        }
        var status = 0
        try set(pv_curl_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status), "CURLINFO_RESPONSE_CODE")
        guard status == 200 else { throw ProvenanceError(.chain, "\(url): HTTP \(status)") }
        return box.bytes
    }
}
