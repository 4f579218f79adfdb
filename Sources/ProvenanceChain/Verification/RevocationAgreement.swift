import ProvenanceCore

/// The endpoints' storage proofs of revocation state (one per lookup, each at its endpoint's confirmed head),
/// made into one state per signer, whichever endpoint is listed first. The proofs must be of one chain (each
/// pair of proof blocks share a hash at the lower one), and for each signer they must tell one story: one
/// revocation (block and time) at most, and no proof at or past that block showing none. An endpoint that
/// tells two stories in one run — a revocation to the early lookup, none to the late one — contradicts itself
/// the same way. What contradicts is a conflict for every record by that signer (`endpoints-disagree`).
struct RevocationAgreement {
    /// The agreed revocation of each signer some proof showed (nil inside: proven not revoked).
    private var agreed: [Address: Revocation?] = [:]
    private var conflicting: [Address: EndpointConflict] = [:]

    static func combine(
        _ answers: [EndpointAnswer], hosts: [String], hashes: inout EndpointAgreement.BlockHashes
    ) throws -> RevocationAgreement {
        let said = answers.enumerated().flatMap { e, answer in answer.revocationProofs.map { (e, $0) } }
        try requireOneChain(said, hosts: hosts, hashes: &hashes)
        var out = RevocationAgreement()
        for signer in Set(said.flatMap(\.1.signers)) {
            let about = said.filter { $0.1.signers.contains(signer) }
            let revocations = Set(about.compactMap { $0.1.revocations[signer] })
            let unrevokedPast = revocations.first.map { r in
                about.contains { $0.1.revocations[signer] == nil && $0.1.block >= r.block }
            }
            if revocations.count <= 1 && unrevokedPast != true {
                out.agreed[signer] = .some(revocations.first)
            } else {
                out.conflicting[signer] = .revocationDiffers(
                    signer: signer, endpoints: about.map { hosts[$0.0] },
                    revokedAt: about.map { $0.1.revocations[signer]?.block })
            }
        }
        return out
    }

    /// The revocation the proofs agreed on for `signer`; `fallback` for a signer no proof showed.
    func revocation(of signer: Address, else fallback: Revocation?) -> Revocation? {
        agreed[signer] ?? fallback
    }

    /// The contradictions about these signers, in a stable order.
    func conflicts(about signers: Set<Address>) -> [EndpointConflict] {
        signers.sorted { $0.checksummed < $1.checksummed }.compactMap { conflicting[$0] }
    }

    /// Each pair of proofs from different endpoints (or one endpoint's two at the same block) must be of one
    /// chain: the endpoint of the higher proof block is asked its hash at the lower one. A liar's head of its
    /// own making, with a state that lacks a revocation, fails here beside any honest endpoint.
    private static func requireOneChain(
        _ said: [(Int, ProvenRevocations)], hosts: [String], hashes: inout EndpointAgreement.BlockHashes
    ) throws {
        for (i, a) in said.enumerated() {
            for b in said[(i + 1)...] where a.0 != b.0 || a.1.block == b.1.block {
                let (low, high) = a.1.block <= b.1.block ? (a, b) : (b, a)
                let theirs = low.1.block == high.1.block ? high.1.blockHash : try hashes.hash(high.0, at: low.1.block)
                guard theirs != low.1.blockHash else { continue }
                throw ProvenanceError(
                    .chain,
                    "the endpoints' proofs of the registry's state are not of one chain: block \(low.1.block) is "
                        + "\(Hex.encode(low.1.blockHash.prefix(8), prefix: true))… at \(hosts[low.0]) and "
                        + (theirs.map { "\(Hex.encode($0.prefix(8), prefix: true))…" } ?? "missing")
                        + " at \(hosts[high.0])")
            }
        }
    }
}
