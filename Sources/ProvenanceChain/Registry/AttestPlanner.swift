import ProvenanceCore

/// Decides, without a chain, what an attest run does with each file: nothing (already on chain by
/// this signer), skip it (its manifest cannot be read), re-use the signature its manifests already
/// carry (one whole signed batch, anchored again on another chain), or sign new batches.
public enum AttestPlanner {
    /// What is known about one hashed file before deciding.
    public struct Candidate: Sendable {
        public let path: String
        public let digest: FileDigest
        /// Records of this exact content by the signer, each backed by a checked manifest.
        public let records: [OnChainAttestation]
        public let existing: ExistingManifest
        /// Why this content, already on chain by this signer, can neither be trusted as done nor
        /// sensibly paid for again without --force (e.g. attested with other file details).
        public let conflict: String?

        public init(
            path: String, digest: FileDigest, records: [OnChainAttestation], existing: ExistingManifest,
            conflict: String? = nil
        ) {
            self.path = path
            self.digest = digest
            self.records = records
            self.existing = existing
            self.conflict = conflict
        }
    }

    public enum ExistingManifest: Sendable {
        case none
        /// Left as it is, and its file skipped: never fatal to the rest.
        case unreadable(String)
        case manifest(Manifest)

        var manifest: Manifest? {
            if case .manifest(let m) = self { return m }
            return nil
        }
    }

    public struct Plan: Sendable {
        /// Already attested by this signer (indices into the candidates).
        public var recorded: [Int] = []
        public var skipped: [(index: Int, reason: String)] = []
        /// Batches to send, each with the manifests it is sent with (re-used) or nil (to be signed).
        public var batches: [[Int]] = []
        /// The existing manifests of the one batch being re-used, when that is the plan.
        public var reused: [Manifest]?
    }

    /// - Parameter perTransaction: most files per transaction (one signature each).
    public static func plan(
        _ candidates: [Candidate], signer: Address, registry: Address, force: Bool, perTransaction: Int
    ) throws -> Plan {
        var plan = Plan()
        var pending: [Int] = []
        for (i, c) in candidates.enumerated() {
            if case .unreadable(let why) = c.existing {
                plan.skipped.append((i, why + " (left as it is)"))
            } else if let conflict = c.conflict, !force {
                plan.skipped.append((i, conflict))
            } else if !c.records.isEmpty && !force {
                plan.recorded.append(i)
            } else {
                pending.append(i)
            }
        }
        guard !pending.isEmpty else { return plan }
        // Re-use a signature when these files are exactly one batch already signed by this signer
        // (so one signature is anchored on several chains); otherwise sign new batches.
        let candidatesForReuse = pending.compactMap { i -> Manifest? in
            guard let m = candidates[i].existing.manifest, m.signer == signer, m.sha256 == candidates[i].digest.sha256
            else { return nil }
            return m
        }
        let problems = OfflineVerifier(registry: registry).authenticityProblems(candidatesForReuse)
        let reusable = zip(candidatesForReuse, problems).filter { $0.1 == nil }.map(\.0)
        if reusable.count == pending.count, Set(reusable.map(\.signature)).count == 1,
            reusable[0].message.fileCount == pending.count, Set(reusable.map(\.batchIndex)).count == pending.count
        {
            plan.batches = [pending]
            plan.reused = reusable
            return plan
        }
        if !force {
            for i in pending {
                if let m = candidates[i].existing.manifest, !m.anchors.isEmpty {
                    throw ProvenanceError(
                        .input,
                        "\(Manifest.path(for: candidates[i].path)) records a signature anchored on chain \(m.anchors[0].chainId) that a new batch would replace",
                        remedy: .attestWholeBatchOrForce)
                }
            }
        }
        let size = max(1, min(perTransaction, RegistryContract.maxBatch))
        plan.batches = stride(from: 0, to: pending.count, by: size).map {
            Array(pending[$0..<min($0 + size, pending.count)])
        }
        return plan
    }
}
