import Foundation
import Testing

@testable import ProvenanceCLI
@testable import ProvenanceChain
@testable import ProvenanceCore

@Suite(.tags(.unit)) struct ContractArtifactTests {
    /// Recompiles contracts/ProvenanceRegistry.vy with the pinned Vyper (installed by scripts/test)
    /// and fails on any drift from the committed JSON artifact and generated Swift file.
    @Test func committedArtifactsMatchAFreshCompile() throws {
        let r = try runTool(
            try interopPython(), [repoRoot.appendingPathComponent("scripts/compile_contract.py").path, "--check"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(RegistryArtifact.compiler.hasPrefix("vyper 0.4.3"))
    }

    /// The canonical address is what the CREATE2 rule gives for the committed init code, and the
    /// artifact's ABI carries the attest entry third parties call.
    @Test func addressAndABI() throws {
        let artifact = try JSON.parse(
            try Data(contentsOf: repoRoot.appendingPathComponent("contracts/ProvenanceRegistry.json")))
        let initcode = hex(try artifact["initcode"].unwrap().stringValue.unwrap())
        #expect(
            RegistryAddress.create2(
                deployer: RegistryAddress.create2Proxy, salt: RegistryAddress.salt, initCode: initcode)
                == RegistryAddress.canonical)
        let attest = try artifact["abi"].unwrap().arrayValue.unwrap().first { $0["name"]?.stringValue == "attest" }
            .unwrap()
        #expect(
            attest["inputs"]?.arrayValue?.compactMap { $0["type"]?.stringValue } == [
                "tuple[]", "bytes32", "bytes32", "bytes32",
            ])
        // The per-file event is anonymous (LOG2: content ID, signer); Revoked has its signature topic.
        let abi = try artifact["abi"].unwrap().arrayValue.unwrap()
        let attested = try abi.first { $0["type"]?.stringValue == "event" && $0["name"]?.stringValue == "Attested" }
            .unwrap()
        #expect(attested["anonymous"] == .bool(true))
        #expect(abi.contains { $0["type"]?.stringValue == "event" && $0["name"]?.stringValue == "Revoked" })
        #expect(
            Hex.encode(RegistryContract.revokedTopic) == Hex.encode(Keccak256.hash(Array("Revoked(address)".utf8))))
    }
}
