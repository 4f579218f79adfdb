/// Where the attestation registry lives. It is deployed through the deterministic CREATE2 proxy,
/// so it has one address on every chain that has the proxy, and the EIP-712 domain names it.
public enum RegistryAddress {
    /// PROVISIONAL: the registry contract is not written yet (it comes with the Ethereum layer).
    /// Until then this placeholder, keccak256("provenance.registry.v1")[12:], stands in for its
    /// CREATE2 address. Signatures made with it stay valid offline; when the contract lands, this
    /// one constant changes to the real address.
    public static let canonical = Address(bytes: Array(Keccak256.hash(Array("provenance.registry.v1".utf8)).suffix(20)))
}
