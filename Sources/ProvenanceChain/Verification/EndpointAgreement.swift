import ProvenanceCore

/// Verdicts from several endpoints of the same chain, made into one (docs/SECURITY.md). Each endpoint's
/// records were proven locally already (RegistryReader), so an endpoint cannot invent one; what it can do
/// is hide one, or serve another fork. A record counts when every endpoint has it in the same block (same
/// hash); a record some endpoint lacks still counts when every endpoint agrees that the block holding it
/// is canonical (same hash at that number), with a warning naming the endpoint that hid it; anything
/// else — a different block at that number, or a record that failed the proof — is a disagreement the
/// verdict reports endpoint by endpoint, exit 3.
public enum EndpointAgreement {
    public static func combine(_ reports: [(client: EthClient, report: OnChainVerifier.Report)]) throws -> [Verdict] {
        precondition(!reports.isEmpty)
        let hosts = reports.map { $0.client.endpoint.redacted }
        guard reports.count > 1 else {
            return reports[0].report.verdicts.map { v in
                var v = v
                v.endpoints = hosts
                return v
            }
        }
        let chains = Set(reports.map(\.report.chainId))
        guard chains.count == 1 else {
            throw ProvenanceError(
                .chain,
                "the endpoints serve different chains: "
                    + zip(hosts, reports).map { "\($0) chain \($1.report.chainId)" }.joined(separator: ", "))
        }
        // Block hashes each endpoint reports at a number, asked once per endpoint and number.
        var hashes: [Int: [UInt64: [UInt8]]] = [:]
        func hash(_ e: Int, at number: UInt64) throws -> [UInt8]? {
            if let known = hashes[e]?[number] { return known }
            let block = try reports[e].client.block(number)
            hashes[e, default: [:]][number] = block?.hash ?? []
            return block?.hash
        }
        var out: [Verdict] = []
        for i in reports[0].report.verdicts.indices {
            let verdicts = reports.map { $0.report.verdicts[i] }
            var records: [[UInt8]: (record: OnChainAttestation, by: Set<Int>)] = [:]
            for (e, v) in verdicts.enumerated() {
                for a in v.attestations + v.originalAttestations {
                    records[a.txHash, default: (a, [])].by.insert(e)
                }
            }
            var warnings: [String] = []
            var conflicts: [String] = []
            for (e, v) in verdicts.enumerated() where v.status == .forgedRecord {
                conflicts.append("\(hosts[e]) reported a record that failed the local proof (\(v.detail))")
            }
            for (_, entry) in records.sorted(by: { $0.value.record.blockNumber < $1.value.record.blockNumber }) {
                let a = entry.record
                let tx = Hex.encode(a.txHash, prefix: true)
                for e in reports.indices where !entry.by.contains(e) {
                    let theirs = try hash(e, at: a.blockNumber)
                    if let theirs, !a.blockHash.isEmpty, theirs == a.blockHash {
                        warnings.append(
                            "\(hosts[e]) did not report tx \(tx) in block \(a.blockNumber), a block it agrees is canonical"
                        )
                    } else {
                        let seen = entry.by.sorted().map { hosts[$0] }.joined(separator: ", ")
                        conflicts.append(
                            "\(seen) report(s) tx \(tx) in block \(a.blockNumber) \(Hex.encode(a.blockHash.prefix(8), prefix: true))…, \(hosts[e]) has "
                                + (theirs.map { "block \(Hex.encode($0.prefix(8), prefix: true))… there" }
                                    ?? "no such block"))
                    }
                }
            }
            // The verdict of the endpoint that proved the most records (hidden ones are canonical by now).
            let best = verdicts.indices.max { a, b in
                (verdicts[a].attestations.count + verdicts[a].originalAttestations.count, -a)
                    < (verdicts[b].attestations.count + verdicts[b].originalAttestations.count, -b)
            }!
            var v = verdicts[best]
            if !conflicts.isEmpty {
                v = Verdict(
                    path: v.path, sha256: v.sha256, status: .endpointsDisagree,
                    detail: "the endpoints disagree: " + conflicts.joined(separator: "; "), attestations: [],
                    originalSHA256: nil, originalAttestations: [])
            }
            v.endpoints = hosts
            v.warnings = warnings
            out.append(v)
        }
        return out
    }
}
