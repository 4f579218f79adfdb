import ProvenanceCore

/// Why a signer is trusted, or what name it goes by, and how that was checked.
public struct Identity: Equatable, Sendable {
    public enum Check: String, Sendable {
        /// The user named the address itself.
        case address
        /// An ENS name the user trusts resolves forward to it.
        case ensForward = "ens-forward"
        /// A domain the user trusts lists it in its HTTPS .well-known/provenance.json.
        case domain
        /// Its ENS primary name (reverse record), which resolves forward to it again.
        case ensReverse = "ens-reverse"
    }
    public let name: String
    public let check: Check

    public init(name: String, check: Check) {
        self.name = name
        self.check = check
    }
}

/// The signers a verifier trusts, resolved from what the user wrote (addresses, ENS names, domains).
public struct TrustedSigners: Sendable {
    public var identities: [Address: Identity] = [:]
    /// Addresses a domain lists for some chains only.
    public var chains: [Address: Set<UInt64>] = [:]

    public init() {}

    public var addresses: Set<Address> { Set(identities.keys) }

    /// Whether `signer` is trusted for records on `chainId`.
    public func trusts(_ signer: Address, on chainId: UInt64) -> Bool {
        identities[signer] != nil && (chains[signer].map { $0.contains(chainId) } ?? true)
    }
}

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
            guard let ens else { throw ProvenanceError(.chain, "ENS names need a chain to resolve them (--ens-rpc)") }
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
