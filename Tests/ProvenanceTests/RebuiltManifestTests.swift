import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

/// `attest` on a file whose manifest is missing rebuilds it from the chain only from a transaction it
/// has checked (its hash recomputed from its fields, sent to the registry, signature and root holding);
/// a record it cannot back — here a batch relayed through another contract — means attesting again,
/// not aborting the run (before: "is not an attest call", exit 3).
@Suite(.serialized, .tags(.devnet)) final class RebuiltManifestTests {
    let devnet: ChildServer
    var cli: CLI

    init() throws {
        (devnet, cli) = try deployedDevnet()
    }

    deinit { try? FileManager.default.removeItem(at: cli.dir) }

    /// A contract that forwards its calldata to the registry: CALLDATACOPY, CALL(gas, registry, 0, …), STOP.
    static func forwarderInitCode(to registry: Address) -> [UInt8] {
        let runtime: [UInt8] =
            [0x36, 0x5f, 0x5f, 0x37, 0x5f, 0x5f, 0x36, 0x5f, 0x5f, 0x73] + registry.bytes + [0x5a, 0xf1, 0x50, 0x00]
        // PUSH1 len, DUP1, PUSH1 9, PUSH0, CODECOPY, PUSH0, RETURN: returns the runtime that follows.
        return [0x60, UInt8(runtime.count), 0x80, 0x60, 0x09, 0x5f, 0x39, 0x5f, 0xf3] + runtime
    }

    @Test func recordFromARelayContractIsAttestedAgain() throws {
        try cli.write("a.wav", "a recording \(UUID())", mode: 0o644)
        try #require(try cli.run(["sign", "--private-key-file", "dev.key", "a.wav"]).status == 0)
        let signed = try Manifest.read(path: cli.path("a.wav.provenance.json"))
        let sender = try TransactionSender(
            client: EthClient(endpoint: try Endpoint(devnet.url)), key: try PrivateKey(hex: devKeyHex))
        let deploy = try sender.sendAndWait(
            try sender.prepare(to: nil, data: Self.forwarderInitCode(to: RegistryAddress.canonical)))
        let forwarder = try #require(deploy.contractAddress)
        let calldata = try RegistryContract.attestCalldata(
            files: [signed.commitment], merkleRoot: signed.message.merkleRoot, signature: signed.signature)
        // The forwarder ignores a failed inner call, so gas estimation would settle on too little: give enough.
        let relayed = try sender.sendAndWait(try sender.prepare(to: forwarder, data: calldata, gasLimit: 300_000))
        // The registry did log the publisher's attestation, inside a transaction sent to another contract.
        try #require(relayed.logs.contains { $0.address == RegistryAddress.canonical })
        // The log is real, but its transaction calls the forwarder: nothing here can prove the batch from
        // calldata, so it does not count (issue 11: the attesting transaction must call the registry).
        let before = try cli.run(["verify", "a.wav"])
        #expect(before.status == 1 && before.out.contains("cannot be proven here"), "\(before.out)")

        try FileManager.default.removeItem(atPath: cli.path("a.wav.provenance.json"))
        let r = try cli.run(["attest", "--private-key-file", "dev.key", "--json", "a.wav"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains(#""status":"attested""#), "\(r.out)")
        let v = try cli.run(["verify", "--offline", "a.wav"])
        #expect(v.status == 0 && v.out.contains("verified"), "\(v.out)")
    }

    /// A record sent straight to the registry is checked and the manifest rebuilt: nothing is paid.
    @Test func directRecordIsRebuiltAndChecked() throws {
        try cli.write("b.wav", "b recording \(UUID())", mode: 0o644)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "b.wav"]).status == 0)
        let original = try Manifest.read(path: cli.path("b.wav.provenance.json"))
        try FileManager.default.removeItem(atPath: cli.path("b.wav.provenance.json"))
        let r = try cli.run(["attest", "--private-key-file", "dev.key", "b.wav"])
        #expect(r.status == 0 && r.out.contains("nothing to send"), "\(r.out)")
        let rebuilt = try Manifest.read(path: cli.path("b.wav.provenance.json"))
        #expect(rebuilt.json == original.json)
    }
}
