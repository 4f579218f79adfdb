import ProvenanceCore

/// Answers from several endpoints of the same chain, made into one set of records (docs/SECURITY.md).
/// Each endpoint's records were proven locally already (RegistryReader), so an endpoint cannot invent one;
/// what it can do is hide one, or serve another fork. A record counts when every endpoint has it in the
/// same block (same hash); a record some endpoint lacks still counts when every endpoint agrees that the
/// block holding it is canonical (same hash at that number), with a warning naming the endpoint that hid
/// it; anything else — a different block at that number, or a record that failed the proof while other
/// endpoints were asked — is a conflict, and the verdict says who said what (exit 3).
public enum EndpointAgreement {
    public static func combine(
        _ answers: [EndpointAnswer], registry: Address, lookedFor: ChainRecords.LookedFor
    ) throws -> ChainRecords {
        precondition(!answers.isEmpty)
        let hosts = answers.map { $0.client.endpoint.redacted }
        let chains = Set(answers.map(\.chainId))
        guard chains.count == 1 else {
            throw ProvenanceError(
                .chain,
                "the endpoints serve different chains: "
                    + zip(hosts, answers).map { "\($0) chain \($1.chainId)" }.joined(separator: ", "))
        }
        var digests = Set(answers.flatMap(\.records.keys))
        digests.formUnion(answers.flatMap { $0.rejected.map(\.digest) })
        var hashes = BlockHashes(answers: answers)
        var byDigest: [[UInt8]: RecordFindings] = [:]
        for digest in digests {
            byDigest[digest] = try findings(for: digest, answers, hosts: hosts, hashes: &hashes)
        }
        // Final only where every endpoint says so: the lowest finalized block, none if one names none.
        let finalized = answers.map(\.finalizedBlock).reduce(UInt64.max as UInt64?) { a, b in
            guard let a, let b else { return nil }
            return min(a, b)
        }
        var records = ChainRecords(
            chainId: answers[0].chainId, latestBlock: answers[0].latestBlock, registry: registry, endpoints: hosts,
            lookedFor: lookedFor, byDigest: byDigest)
        records.finalizedBlock = finalized
        return records
    }

    /// One content ID's records across the endpoints: their union, with what each endpoint left out.
    private static func findings(
        for digest: [UInt8], _ answers: [EndpointAnswer], hosts: [String], hashes: inout BlockHashes
    ) throws -> RecordFindings {
        var f = RecordFindings()
        var seen: [[UInt8]: (record: OnChainAttestation, by: Set<Int>)] = [:]
        for (e, answer) in answers.enumerated() {
            for a in answer.records[digest] ?? [] {
                // The same transaction in another block (number or hash) is two chains, not one record.
                if let first = seen[a.txHash]?.record,
                    first.blockNumber != a.blockNumber || first.blockHash != a.blockHash
                {
                    f.conflicts.append(
                        .blockDiffers(
                            reporting: seen[a.txHash]!.by.sorted().map { hosts[$0] }, txHash: a.txHash,
                            block: first.blockNumber, blockHash: first.blockHash, other: hosts[e], theirs: a.blockHash))
                    continue
                }
                seen[a.txHash, default: (a, [])].by.insert(e)
            }
            for r in answer.rejected where r.digest == digest {
                if r.forged && answers.count > 1 {
                    f.conflicts.append(.forged(endpoint: r.endpoint, txHash: r.txHash, check: r.check))
                } else {
                    f.rejected.append(r)
                }
            }
        }
        f.conflicts += revocationConflicts(digest, answers, hosts: hosts)
        let ordered = seen.values.sorted {
            ($0.record.blockNumber, Hex.encode($0.record.txHash)) < (
                $1.record.blockNumber, Hex.encode($1.record.txHash)
            )
        }
        for entry in ordered {
            let a = entry.record
            f.proven.append(a)
            for e in answers.indices where !entry.by.contains(e) {
                let theirs = try hashes.hash(e, at: a.blockNumber)
                if let theirs, !a.blockHash.isEmpty, theirs == a.blockHash {
                    f.hidden.append(HiddenRecord(endpoint: hosts[e], txHash: a.txHash, block: a.blockNumber))
                } else {
                    f.conflicts.append(
                        .blockDiffers(
                            reporting: entry.by.sorted().map { hosts[$0] }, txHash: a.txHash, block: a.blockNumber,
                            blockHash: a.blockHash, other: hosts[e], theirs: theirs))
                }
            }
        }
        return f
    }

    /// A revocation is each endpoint's word (the signer index's `revokedAt`): a signer whose records two
    /// endpoints report with different revocation blocks makes them disagree, whichever is listed first.
    private static func revocationConflicts(_ digest: [UInt8], _ answers: [EndpointAnswer], hosts: [String])
        -> [EndpointConflict]
    {
        // The signers of this content's records at any endpoint, compared at every endpoint that proved their
        // revocation state (block and time), whichever endpoint is listed first.
        let signers = Set(answers.flatMap { ($0.records[digest] ?? []).map(\.signer) })
        var said: [Address: [(endpoint: Int, revokedAt: UInt64?)]] = [:]
        for (e, answer) in answers.enumerated() {
            for signer in signers where answer.provenSigners.contains(signer) {
                said[signer, default: []].append((e, answer.revocations[signer]?.block))
            }
        }
        return said.sorted { $0.key.checksummed < $1.key.checksummed }.compactMap { signer, said in
            let states = Set(
                said.map { answers[$0.endpoint].revocations[signer].map { "\($0.block)@\($0.time)" } ?? "" })
            guard states.count > 1 else { return nil }
            let answers = said
            return .revocationDiffers(
                signer: signer, endpoints: answers.map { hosts[$0.endpoint] }, revokedAt: answers.map(\.revokedAt))
        }
    }

    /// Block hashes each endpoint reports at a number, asked once per endpoint and number.
    private struct BlockHashes {
        let answers: [EndpointAnswer]
        var known: [Int: [UInt64: [UInt8]?]] = [:]

        init(answers: [EndpointAnswer]) { self.answers = answers }

        mutating func hash(_ e: Int, at number: UInt64) throws -> [UInt8]? {
            if let cached = known[e]?[number] { return cached }
            let hash = try answers[e].client.block(number)?.hash
            known[e, default: [:]][number] = .some(hash)
            return hash
        }
    }
}
