/// Where the attestation registry lives. It is deployed through the deterministic CREATE2
/// deployment proxy with a fixed salt, so it has the same address on every chain that has the
/// proxy, and the EIP-712 domain of every attestation names that address.
public enum RegistryAddress {
    /// The deterministic deployment proxy (same address on Ethereum, most testnets, OP-Stack chains).
    public static let create2Proxy = try! Address("0x4e59b44847b379578588920cA78FbF26c0B4956C")

    /// keccak256("Provenance registry v2").
    public static let salt: [UInt8] = Keccak256.hash(Array("Provenance registry v2".utf8))

    /// The registry's address wherever it was deployed through the proxy:
    /// keccak256(0xff ‖ proxy ‖ salt ‖ keccak256(initcode))[12:].
    public static let canonical = create2(deployer: create2Proxy, salt: salt, initCode: RegistryContract.initCode)

    public static func create2(deployer: Address, salt: [UInt8], initCode: [UInt8]) -> Address {
        Address(bytes: Array(Keccak256.hash([0xff] + deployer.bytes + salt + Keccak256.hash(initCode)).suffix(20)))
    }

    /// The address of a contract created with plain CREATE: keccak256(rlp([sender, nonce]))[12:].
    public static func create(sender: Address, nonce: UInt64) -> Address {
        Address(bytes: Array(Keccak256.hash(RLP.list([.bytes(sender.bytes), .uint(nonce)]).encoded).suffix(20)))
    }
}
