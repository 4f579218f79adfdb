import ProvenanceCore

/// Turns trust entries into addresses: ENS names forward through `ens`, domains through their HTTPS
/// .well-known document. An entry that cannot be resolved is an error: a verdict must not rest on a
/// trust list that silently lost a publisher.
public struct TrustResolver {
    public let ens: ENSResolver?
    public let wellKnown: WellKnownFetcher

    public init(ens: ENSResolver?, wellKnown: WellKnownFetcher) {
        self.ens = ens
        self.wellKnown = wellKnown
    }

    public func resolve(_ entries: [TrustEntry]) throws -> TrustedSigners {
        var out = TrustedSigners()
        var names: [String] = []
        for entry in entries {
            switch entry {
            case .address(let a): out.identities[a] = out.identities[a] ?? Identity(name: "", check: .address)
            case .ens(let name): names.append(name)
            case .domain(let domain):
                for signer in try wellKnown.signers(of: domain) {
                    out.identities[signer.address] = Identity(name: domain, check: .domain)
                    if let chains = signer.chains { out.chains[signer.address, default: []].formUnion(chains) }
                }
            }
        }
        if !names.isEmpty {
            guard let ens else {
                throw ProvenanceError(.chain, "ENS names need a chain to resolve them", remedy: .nameENSEndpoint)
            }
            let resolved = try ens.addresses(of: names)
            for name in names {
                guard let found = resolved[name], let address = found else {
                    throw ProvenanceError(
                        .chain, "\(name) does not resolve to an address on ENS (\(ens.client.endpoint.redacted))")
                }
                out.identities[address] = Identity(name: name, check: .ensForward)
            }
        }
        return out
    }
}
