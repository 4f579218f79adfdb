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

    /// Addresses trusted on every chain (what can be trusted offline: names need the network).
    public init(addresses: Set<Address>) {
        for a in addresses { identities[a] = Identity(name: "", check: .address) }
    }

    public var addresses: Set<Address> { Set(identities.keys) }

    /// Whether `signer` is trusted for records on `chainId`.
    public func trusts(_ signer: Address, on chainId: UInt64) -> Bool {
        identities[signer] != nil && (chains[signer].map { $0.contains(chainId) } ?? true)
    }

    /// Whether `signer` is trusted at all (offline, where there is no chain).
    public func trusts(_ signer: Address) -> Bool { identities[signer] != nil }
}
