import Foundation
import Testing

@testable import ProvenanceChain
@testable import ProvenanceCore

/// A leaked key: its owner revokes it on chain (or has the signed revocation relayed); attestations
/// made before the revocation's block stay verified, later ones are reported revoked (exit 1) with the
/// revocation's block and time, and the tool refuses to attest with the key.
@Suite(.serialized, .tags(.devnet)) final class RevocationTests {
    let devnet: ChildServer
    var cli: CLI
    let key: PrivateKey

    init() throws {
        (devnet, cli) = try deployedDevnet()
        key = try PrivateKey(hex: devKeyHex)
        // The devnet's second funded account relays the revocation.
        try cli.write("relayer.key", "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d\n")
    }

    deinit { try? FileManager.default.removeItem(at: cli.dir) }

    /// What a thief holding the key can still do: send an attestation straight to the registry.
    func attestBypassingTheTool(_ name: String) throws -> EthClient.Receipt {
        let signed = try BatchSigner.sign(paths: [cli.path(name)], key: key, registry: RegistryAddress.canonical)
        let m = signed[0].manifest
        try m.write(to: signed[0].manifestPath)
        let sender = try TransactionSender(client: EthClient(endpoint: try Endpoint(devnet.url)), key: key)
        let data = try RegistryContract.attestCalldata(
            files: [m.commitment], merkleRoot: m.message.merkleRoot, signature: m.signature)
        return try sender.sendAndWait(try sender.prepare(to: RegistryAddress.canonical, data: data))
    }

    @Test func beforeStaysVerifiedAfterIsRevoked() throws {
        try cli.write("before.wav", "honest recording \(UUID())", mode: 0o644)
        try cli.write("after.wav", "forged recording \(UUID())", mode: 0o644)
        try #require(try cli.run(["attest", "--private-key-file", "dev.key", "before.wav"]).status == 0)
        let signer = key.address.checksummed

        // Irreversible: nothing is sent without --yes.
        let unconfirmed = try cli.run(["revoke", "--private-key-file", "dev.key"])
        #expect(unconfirmed.status == 2 && unconfirmed.err.contains("--yes"), "\(unconfirmed.err)")

        // Signed by the key's owner, sent by someone else (relaying): the relayer only pays.
        let signedOnly = try cli.run(["revoke", "--private-key-file", "dev.key", "--output", "revocation.json"])
        #expect(signedOnly.status == 0, "\(signedOnly.err)")
        let doc = try JSON.parse(try String(contentsOfFile: cli.path("revocation.json"), encoding: .utf8))
        #expect(doc["typedData"]?["message"]?["signer"]?.stringValue == signer)
        // A revocation whose signature is not the named signer's is refused before anything is sent.
        let forged = doc.compact.replacingOccurrences(of: signer, with: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        try cli.write("forged.json", forged)
        let refused = try cli.run(["revoke", "--relay", "forged.json", "--private-key-file", "relayer.key", "--yes"])
        #expect(refused.status == 2, "\(refused.out)\(refused.err)")
        let relayed = try cli.run([
            "revoke", "--relay", "revocation.json", "--private-key-file", "relayer.key", "--yes", "--json",
        ])
        #expect(relayed.status == 0, "\(relayed.err)")
        let outcome = try JSON.parse(relayed.out)
        #expect(outcome["status"]?.stringValue == "revoked" && outcome["signer"]?.stringValue == signer)
        let revokedAt = try #require(outcome["revokedAt"]?.intValue)
        #expect(relayed.err.contains("sending revocation 0x"))  // the hash is printed as it is sent

        // Once only: a second revocation changes nothing and sends nothing.
        let again = try cli.run(["revoke", "--private-key-file", "dev.key", "--yes"])
        #expect(again.status == 0 && again.out.contains("already revoked") && again.out.contains("block \(revokedAt)"))
        #expect(!again.err.contains("sending"))

        // The honest past stays verified.
        let before = try cli.run(["verify", "--signer", signer, "before.wav"])
        #expect(before.status == 0 && before.out.contains("verified"), "\(before.out)")

        // The tool attests nothing more with the key.
        let refusedAttest = try cli.run(["attest", "--private-key-file", "dev.key", "after.wav"])
        #expect(refusedAttest.status == 2 && refusedAttest.err.contains("revoked"), "\(refusedAttest.err)")
        #expect(!refusedAttest.err.contains("sending attestation"))

        // A thief's later attestation is on chain, but void: revoked, exit 1, naming the revocation.
        let forgedReceipt = try attestBypassingTheTool("after.wav")
        #expect(forgedReceipt.status == 1 && forgedReceipt.blockNumber > UInt64(revokedAt))
        let after = try cli.run(["verify", "--signer", signer, "after.wav"])
        #expect(after.status == 1 && after.out.contains("REVOKED"), "\(after.out)")
        #expect(after.out.contains("revoked in block \(revokedAt)") && after.out.contains("UTC"), "\(after.out)")
        let json = try JSON.parse(try cli.run(["verify", "--signer", signer, "--json", "after.wav"]).out)
        #expect(json["status"]?.stringValue == "revoked")
        let record = try #require(json["attestations"]?.arrayValue?.first)
        #expect(record["void"] == .bool(true) && record["signerRevoked"]?["blockNumber"]?.intValue == revokedAt)

        // By content alone the scan meets the Revoked event too.
        let scanned = try cli.run(["verify", "--no-cache", "after.wav", "before.wav"])
        #expect(scanned.status == 1, "\(scanned.out)")
        #expect(scanned.out.contains("after.wav: REVOKED") && scanned.out.contains("before.wav: verified"))
    }
}
