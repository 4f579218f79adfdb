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
        let revocations = try RevocationAgreement.combine(answers, hosts: hosts, hashes: &hashes)
        var byDigest: [[UInt8]: RecordFindings] = [:]
        for digest in digests {
            byDigest[digest] = try findings(
                for: digest, answers, hosts: hosts, hashes: &hashes, revocations: revocations)
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
        for digest: [UInt8], _ answers: [EndpointAnswer], hosts: [String], hashes: inout BlockHashes,
        revocations: RevocationAgreement
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
        f.conflicts += revocations.conflicts(about: Set(seen.values.map(\.record.signer)))
        let ordered = seen.values.sorted {
            ($0.record.blockNumber, Hex.encode($0.record.txHash)) < (
                $1.record.blockNumber, Hex.encode($1.record.txHash)
            )
        }
        for entry in ordered {
            // The revocation every endpoint's proof agreed on, not the one of the lookup that found the record.
            var a = entry.record
            a.revocation = revocations.revocation(of: a.signer, else: a.revocation)
            let missing = answers.indices.filter { !entry.by.contains($0) }
            // Above the confirmed head of an endpoint that lacks it: not confirmed everywhere yet, not counted.
            if let e = missing.first(where: { answers[$0].confirmedHead.map { a.blockNumber > $0 } ?? true }) {
                f.rejected.append(
                    RejectedRecord(
                        digest: digest, txHash: a.txHash,
                        check: .notConfirmedAt(endpoint: hosts[e], head: answers[e].confirmedHead ?? 0), forged: false,
                        endpoint: hosts[entry.by.min()!]))
                continue
            }
            f.proven.append(a)
            for e in missing {
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

    /// Block hashes each endpoint reports at a number, asked once per endpoint and number.
    struct BlockHashes {
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
