import ProvenanceCore

/// Which signers' keys are revoked, and since which block, proven from the registry's storage (EIP-1186
/// `eth_getProof`) at a block whose header was proven here: the registry account's proof against the header's
/// stateRoot, its code hash the one of the code checked to be the registry's, and for each signer the proof
/// of `revokedAt[signer]` against the account's storage root. A missing revocation is proven the same way
/// (the slot is empty). What `eth_call` and the Revoked events say is only where to look first.
enum RevocationProof {
    static func call(registry: Address, signers: [Address], at block: UInt64) -> RPCClient.Call {
        RPCClient.Call(
            "eth_getProof",
            [
                EthClient.addr(registry),
                .array(signers.map { EthClient.hex(RegistryContract.revokedAtSlot($0)) }), EthClient.q(block),
            ])
    }

    /// The revoked signers among `signers` and their revocation blocks, as of the block of `header`.
    static func revokedAt(
        _ answer: Result<JSON, RPCError>, registry: Address, signers: [Address], header: BlockHeader,
        codeHash: [UInt8], endpoint: String
    ) throws -> [Address: UInt64] {
        func lie(_ what: String) -> ProvenanceError {
            ProvenanceError(
                .chain, "\(endpoint)'s proof of the registry's revocations at block \(header.number) \(what)")
        }
        // A switch, not `catch RPCError.rpc(…)`: that pattern crashed this toolchain's compiler (SIL ownership).
        let json: JSON
        switch answer {
        case .success(let value): json = value
        case .failure(let error):
            throw ProvenanceError(
                .chain,
                "\(endpoint) did not prove the registry's revocations (eth_getProof at block \(header.number): "
                    + "\(error)): a revocation cannot be checked through it")
        }
        guard let nodes = try? hexList(json["accountProof"]) else { throw lie("is malformed") }
        let account: StateProof.Account?
        do { account = try StateProof.account(registry, stateRoot: header.stateRoot, proof: nodes) } catch {
            throw lie("does not hold: \(error)")
        }
        guard let account, account.codeHash == codeHash else { throw lie("shows another contract at \(registry)") }
        let entries = json["storageProof"]?.arrayValue ?? []
        var out: [Address: UInt64] = [:]
        for signer in signers {
            let slot = RegistryContract.revokedAtSlot(signer)
            guard
                let entry = entries.first(where: {
                    (try? BlockEncoding.quantity($0["key"] ?? .null, "key")) == trimmed(slot)
                }),
                let proof = try? hexList(entry["proof"])
            else { throw lie("lacks the slot of \(signer)") }
            let word: [UInt8]
            do { word = try StateProof.word(at: slot, storageRoot: account.storageRoot, proof: proof) } catch {
                throw lie("does not hold for \(signer): \(error)")
            }
            // The value the endpoint states beside the proof must be the proven one: a difference is a lie.
            guard (try? BlockEncoding.quantity(entry["value"] ?? .null, "value")) == trimmed(word) else {
                throw lie("states a value for \(signer) that its proof does not")
            }
            guard word.prefix(24).allSatisfy({ $0 == 0 }) else { throw lie("holds a block number past 2^64") }
            let block = word.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            // revokedAt is the block the revocation landed in: one past the proof's own block is made up.
            guard block <= header.number else { throw lie("holds a revocation of \(signer) in a later block") }
            if block > 0 { out[signer] = block }
        }
        return out
    }

    private static func trimmed(_ word: [UInt8]) -> [UInt8] { Array(word.drop { $0 == 0 }) }

    private static func hexList(_ j: JSON?) throws -> [[UInt8]] {
        guard let items = j?.arrayValue else { throw BlockEncoding.Failure(reason: "not a list") }
        return try items.map { try BlockEncoding.bytes($0, "proof node") }
    }
}
