import ProvenanceChain
import ProvenanceCore

/// Every JSON shape the tool prints (`--json` lines, `--summary`, progress lines), in one place beside
/// what docs/FORMAT.md documents. The manifest and its anchors are a file format and live with Manifest.
enum JSONOutput {
    static func attestation(_ a: OnChainAttestation) -> JSON {
        var fields: [(String, JSON)] = [
            ("signer", .string(a.signer.checksummed)), ("chainId", .number(String(a.chainId))),
            ("registry", .string(a.registry.checksummed)), ("txHash", .string(Hex.encode(a.txHash, prefix: true))),
            ("blockNumber", .number(String(a.blockNumber))), ("timestamp", .number(String(a.blockTime))),
        ]
        // The signer's key revocation on this chain, and whether it voids this record.
        if let r = a.revocation {
            fields += [
                (
                    "signerRevoked",
                    .object([("blockNumber", .number(String(r.block))), ("timestamp", .number(String(r.time)))])
                ), ("void", .bool(a.isRevoked)),
            ]
        }
        return .object(fields)
    }

    static func time(_ s: Double) -> JSON { .number(String(format: "%.3f", s)) }

    /// The copy's byte ranges no signed chunk covers, with their times in the copy when it is an MP3.
    static func differing(_ parts: AuthenticParts?) -> JSON {
        guard let parts else { return .array([]) }
        return .array(
            parts.unmatched.map { r in
                var f: [(String, JSON)] = [("start", .number(String(r.start))), ("end", .number(String(r.end)))]
                if let a = parts.copyTime(r.start), let b = parts.copyTime(r.end) {
                    f += [("startTime", time(a)), ("endTime", time(b))]
                }
                return .object(f)
            })
    }

    // MARK: hash, sign

    static func hashed(_ path: String, _ d: FileDigest) -> JSON {
        let start: [(String, JSON)] =
            (d.chunkStart > 0 ? [("chunkStart", .number(String(d.chunkStart)))] : [])
            + (d.chunkEnd > 0 ? [("chunkEnd", .number(String(d.chunkEnd)))] : [])
        return .object(
            [
                ("path", .string(path)), ("size", .number(String(d.size))), ("sha256", .string(Hex.encode(d.sha256))),
                ("chunkSize", .int(d.chunkSize)),
            ] + start + [
                ("chunkRoot", .string(Hex.encode(d.chunkRoot, prefix: true))),
                ("chunks", .array(d.chunks.map { .string(Hex.encode($0)) })),
            ])
    }

    static func signed(_ item: BatchSigner.Signed) -> JSON {
        .object([
            ("path", .string(item.path)), ("sha256", .string(Hex.encode(item.manifest.sha256))),
            ("signer", .string(item.manifest.signer.checksummed)), ("manifest", .string(item.manifestPath)),
        ])
    }

    // MARK: verify

    /// `audio` (for a similar copy: matched stretches, in the clip's seconds, with the original's, and the
    /// unmatched ones) and `soundNote` (why the sound said nothing).
    static func sound(_ audio: AudioComparison?, note: String?) -> [(String, JSON)] {
        var out: [(String, JSON)] = []
        if let audio {
            out.append(
                (
                    "audio",
                    .object([
                        (
                            "matches",
                            .array(
                                audio.matches.map {
                                    .object([
                                        ("start", seconds($0.start)), ("end", seconds($0.end)),
                                        ("originalStart", seconds($0.originalStart)),
                                        ("originalEnd", seconds($0.originalEnd)),
                                        ("bitErrorRate", .number(String(format: "%.3f", $0.bitErrorRate))),
                                    ])
                                })
                        ),
                        (
                            "unmatched",
                            .array(
                                audio.unmatched.map {
                                    .object([("start", seconds($0.start)), ("end", seconds($0.end))])
                                })
                        ),
                    ])
                ))
        }
        if let note { out.append(("soundNote", .string(note))) }
        return out
    }

    /// `authentic` (the copy's ranges that are the original's, in copy order, end exclusive) and
    /// `originalCoverage` (the share of the original's bytes found), for a modified copy.
    static func authentic(_ parts: AuthenticParts?) -> [(String, JSON)] {
        guard let parts else { return [] }
        let times = parts.partTimes
        return [
            (
                "authentic",
                .array(
                    parts.parts.enumerated().map { i, p in
                        var f: [(String, JSON)] = [
                            ("start", .number(String(p.start))), ("end", .number(String(p.end))),
                            ("originalStart", .number(String(p.originalStart))),
                            ("originalEnd", .number(String(p.originalEnd))),
                        ]
                        if let t = times?[i] {
                            f += [
                                ("startTime", time(t.start)), ("endTime", time(t.end)),
                                ("originalStartTime", time(t.originalStart)), ("originalEndTime", time(t.originalEnd)),
                                ("originalTimesEstimated", .bool(t.estimated)),
                            ]
                        }
                        return .object(f)
                    })
            ),
            ("copyCoverage", .number(String(format: "%.6f", parts.copyCoverage))),
            ("originalCoverage", .number(String(format: "%.6f", parts.originalCoverage))),
            ("inOrder", .bool(parts.inOrder)), ("skippedCandidates", .int(parts.skippedCandidates)),
        ]
    }

    /// What was checked on this machine for every record listed (docs/FORMAT.md §6b).
    static let proof: JSON = .object([
        ("checkedLocally", .bool(true)),
        (
            "checks",
            .array(
                [
                    "registry code", "confirmations", "transaction hash recomputed from its signed fields",
                    "transaction calls the registry", "receipt succeeded in the log's block", "block hash",
                    "log present in the receipt", "batch Merkle root", "EIP-712 signature (low s) recovers the signer",
                    "content ID among the signed files", "signer's revocation",
                ].map { .string($0) })
        ),
    ])

    static func identity(_ id: Identity?) -> JSON {
        guard let id, !id.name.isEmpty else { return .null }
        return .object([("name", .string(id.name)), ("check", .string(id.check.rawValue))])
    }

    /// One verdict, offline or on chain: the status and its reasons (codes with fields, and `detail`, the
    /// same in words), the records with what was checked here, and the evidence (authentic parts, sound).
    /// Fields that only a chain gives (chainId, registry, attestations, proof, endpoints, original) are
    /// printed on chain; those that only a manifest gives (manifest, episode) offline.
    static func verdict(_ v: Verdict, registry: Address, identities: [Address: Identity] = [:]) -> JSON {
        var fields: [(String, JSON)] = [
            ("path", .string(v.path)), ("sha256", v.sha256.map { .string(Hex.encode($0)) } ?? .null),
            ("status", .string(v.status.rawValue)),
        ]
        if let chainId = v.chainId {
            fields += [("chainId", .number(String(chainId))), ("registry", .string(registry.checksummed))]
        }
        fields.append(("signer", v.signer.map { .string($0.checksummed) } ?? .null))
        if v.chainId != nil {
            fields += onChainFields(v, identities: identities)
        } else {
            fields += [
                ("manifest", v.manifestPath.map { .string(URLText.location($0)) } ?? .null),
                ("episode", v.original?.title.map { .string($0) } ?? .null),
            ]
        }
        fields += [
            ("detail", .string(VerdictText.detail(v))), ("reasons", .array(v.reasons.map(reason))),
            ("differingRanges", differing(v.authentic)),
        ]
        return .object(
            fields + authentic(v.authentic) + sound(v.audio, note: VerdictText.soundNote(v))
                + picture(v.picture, note: VerdictText.pictureNote(v)))
    }

    private static func onChainFields(_ v: Verdict, identities: [Address: Identity]) -> [(String, JSON)] {
        func records(_ list: [OnChainAttestation]) -> JSON {
            .array(
                list.map { a in
                    guard case .object(var fields) = attestation(a) else { return attestation(a) }
                    fields.append(("identity", identity(identities[a.signer])))
                    // At or below the block every endpoint calls finalized (null: one names none).
                    fields.append(("finalized", v.isFinal(a).map { .bool($0) } ?? .null))
                    return .object(fields)
                })
        }
        let original: JSON =
            v.originalSHA256.map { sha in
                .object([
                    ("sha256", .string(Hex.encode(sha))), ("attestations", records(v.originalAttestations)),
                    ("episode", v.original?.title.map { .string($0) } ?? .null),
                    ("manifest", v.original.map { .string(WebClient.shown($0.location)) } ?? .null),
                ])
            } ?? .null
        var warnings: [JSON] = []
        for case .endpointHidRecord(let endpoint, let tx, let block) in v.reasons {
            warnings.append(.string(VerdictText.hidden(endpoint, tx, block)))
        }
        return [
            ("identity", identity(v.signer.flatMap { identities[$0] })),
            ("attestations", records(v.attestations)), ("proof", v.attestations.isEmpty ? .null : proof),
            ("endpoints", .array(v.endpoints.map { .string($0) })), ("warnings", .array(warnings)),
            ("original", original),
        ]
    }

    // MARK: attest

    static func attestedFile(_ f: Attester.FileResult, dryRun: Bool) -> JSON {
        var fields: [(String, JSON)] = [("path", .string(f.path))]
        switch f.status {
        case .attested, .planned:
            fields += [
                ("sha256", .string(Hex.encode(f.sha256))), ("status", .string(dryRun ? "planned" : "attested")),
                ("manifest", .string(f.manifestPath)), ("anchor", f.anchor?.json ?? .null),
            ]
        case .alreadyAttested(let records):
            fields += [
                ("sha256", .string(Hex.encode(f.sha256))), ("status", .string("already-attested")),
                ("manifest", .string(f.manifestPath)), ("attestations", .array(records.map(attestation))),
            ]
        case .skipped(let reason):
            fields += [("status", .string("skipped")), ("error", .string(reason))]
        }
        return .object(fields)
    }

    static func dryRunTransaction(_ batch: Attester.Batch, gasLimit: UInt64) -> JSON {
        .object([
            ("dryRun", .bool(true)), ("txHash", .string(batch.transaction.hashHex)),
            ("raw", .string(Hex.encode(batch.transaction.raw, prefix: true))),
            ("chainId", .number(String(batch.chainId))), ("files", .int(batch.fileCount)),
            ("gasLimit", .number(String(gasLimit))), ("maxCostWei", .string(String(batch.maxCost))),
        ])
    }

    static func minedTransaction(_ r: EthClient.Receipt, chainId: UInt64, files: Int, cost: Wei) -> JSON {
        .object([
            ("txHash", .string(Hex.encode(r.transactionHash, prefix: true))), ("chainId", .number(String(chainId))),
            ("blockNumber", .number(String(r.blockNumber))), ("files", .int(files)),
            ("gasUsed", .number(String(r.gasUsed))), ("costWei", .string(String(cost))),
        ])
    }

    /// One file of `attest --summary FILE`: its digest and where it is recorded.
    static func summaryFile(_ f: Attester.FileResult) -> JSON {
        var fields: [(String, JSON)] = [("path", .string(f.path))]
        switch f.status {
        case .attested: fields.append(("status", .string("attested")))
        case .planned: fields.append(("status", .string("planned")))
        case .alreadyAttested: fields.append(("status", .string("already-attested")))
        case .skipped(let why): fields += [("status", .string("skipped")), ("error", .string(why))]
        }
        if !f.sha256.isEmpty { fields.append(("sha256", .string(Hex.encode(f.sha256)))) }
        if let a = f.anchor {
            fields += [
                ("txHash", .string(Hex.encode(a.txHash, prefix: true))),
                ("blockNumber", .number(String(a.blockNumber))), ("blockTime", .number(String(a.blockTime))),
            ]
        }
        return .object(fields)
    }

    /// One transaction of `attest --summary FILE`.
    static func summaryTransaction(_ b: Attester.Batch) -> JSON {
        .object([
            ("txHash", .string(b.transaction.hashHex)), ("files", .int(b.fileCount)),
            ("blockNumber", b.receipt.map { .number(String($0.blockNumber)) } ?? .null),
            ("gasUsed", b.receipt.map { .number(String($0.gasUsed)) } ?? .null),
        ])
    }

    static func progress(_ event: Attester.Progress) -> JSON {
        switch event {
        case let .hashing(files, of, bytes, ofBytes):
            return .object([
                ("progress", .string("hashing")), ("files", .int(files)), ("of", .int(of)),
                ("bytes", .number(String(bytes))), ("ofBytes", .number(String(ofBytes))),
            ])
        case let .hashed(files, bytes, of):
            return .object([
                ("progress", .string("hashed")), ("files", .int(files)), ("of", .int(of)),
                ("bytes", .number(String(bytes))),
            ])
        case let .sent(batch, of, files, tx):
            return .object([
                ("progress", .string("sent")), ("transaction", .int(batch)), ("of", .int(of)), ("files", .int(files)),
                ("txHash", .string(tx)),
            ])
        case let .confirmed(batch, of, block):
            return .object([
                ("progress", .string("confirmed")), ("transaction", .int(batch)), ("of", .int(of)),
                ("block", .number(String(block))),
            ])
        case let .fingerprinting(p):
            return .object([
                ("progress", .string("fingerprinting")), ("files", .int(p.files)), ("of", .int(p.ofFiles)),
                ("soundSeconds", time(p.soundSeconds)), ("pictureSeconds", time(p.pictureSeconds)),
            ])
        }
    }

    // MARK: chain, registry

    struct ChainStatus {
        let endpoint: String
        let chainId: UInt64
        let latest: EthClient.Block?
        let registry: Address
        let registryStatus: RegistryDeployer.Status
        let account: Address?
        let balance: Wei?
        let nonce: UInt64?
    }

    static func chainStatus(_ s: ChainStatus) -> JSON {
        let status: String
        switch s.registryStatus {
        case .deployed: status = "deployed"
        case .absent: status = "absent"
        case .foreignCode: status = "foreign-code"
        }
        return .object([
            ("endpoint", .string(s.endpoint)), ("chainId", .number(String(s.chainId))),
            ("blockNumber", s.latest.map { .number(String($0.number)) } ?? .null),
            ("blockTime", s.latest.map { .number(String($0.timestamp)) } ?? .null),
            ("registry", .string(s.registry.checksummed)), ("registryStatus", .string(status)),
            ("account", s.account.map { .string($0.checksummed) } ?? .null),
            ("balanceWei", s.balance.map { .string(String($0)) } ?? .null),
            ("nonce", s.nonce.map { .number(String($0)) } ?? .null),
        ])
    }

    static func registryDeployment(_ outcome: RegistryDeployer.Outcome, chainId: UInt64) -> JSON {
        .object([
            ("address", .string(outcome.address.checksummed)), ("chainId", .number(String(chainId))),
            ("alreadyDeployed", .bool(outcome.alreadyDeployed)), ("create2", .bool(!outcome.viaPlainCreate)),
            ("txHash", outcome.receipt.map { .string(Hex.encode($0.transactionHash, prefix: true)) } ?? .null),
            ("gasUsed", outcome.receipt.map { .number(String($0.gasUsed)) } ?? .null),
        ])
    }

    /// `revoke --json`.
    static func revocation(_ o: Revoker.Outcome, signer: Address, registry: Address) -> JSON {
        .object([
            ("signer", .string(signer.checksummed)), ("chainId", .number(String(o.chainId))),
            ("registry", .string(registry.checksummed)),
            ("status", .string(o.unsent != nil ? "planned" : o.receipt == nil ? "already-revoked" : "revoked")),
            ("revokedAt", o.unsent != nil ? .null : .number(String(o.revokedAt))),
            ("timestamp", o.unsent != nil ? .null : .number(String(o.time))),
            (
                "txHash",
                (o.receipt?.transactionHash ?? o.unsent?.hash).map { .string(Hex.encode($0, prefix: true)) } ?? .null
            ),
        ])
    }

    /// `trust list --json`.
    static func trustList(_ entries: [(entry: TrustEntry, note: String)]) -> JSON {
        .array(
            entries.map { entry, note in
                let kind: String
                switch entry {
                case .address: kind = "address"
                case .ens: kind = "ens"
                case .domain: kind = "domain"
                }
                return .object([
                    ("entry", .string(entry.description)), ("kind", .string(kind)), ("note", .string(note)),
                ])
            })
    }
}
