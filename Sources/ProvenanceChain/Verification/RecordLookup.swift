import Foundation
import ProvenanceCore

/// The second stage of verifying on chain: every endpoint is asked for the same content IDs, each record it
/// reports is proven here (RegistryReader), and the endpoints' answers are compared (EndpointAgreement).
/// Returns values — the proven and the rejected records — never state to read back.
public struct RecordLookup {
    public let clients: [EthClient]
    public let registry: Address
    public let confirmations: UInt64
    public let expectedChainId: UInt64?
    /// Whose records: these signers (through the registry's index), or nil for anyone (a scan).
    public let signers: [Address]?
    /// Remembers scans by content alone between runs.
    public var scanCache: ScanCache?
    /// Told of a scan by content alone: blocks scanned of the total.
    public var onScanProgress: (_ scanned: UInt64, _ total: UInt64) -> Void = { _, _ in }

    public init(
        clients: [EthClient], registry: Address, confirmations: UInt64, expectedChainId: UInt64?, signers: [Address]?
    ) {
        self.clients = clients
        self.registry = registry
        self.confirmations = confirmations
        self.expectedChainId = expectedChainId
        self.signers = signers
    }

    private func reader(for client: EthClient) -> RegistryReader {
        let reader = RegistryReader(client: client, registry: registry, confirmations: confirmations)
        reader.cache = scanCache
        reader.onScanProgress = onScanProgress
        return reader
    }

    /// Starts asking every endpoint for `digests` on another thread (an endpoint's round trips cost no
    /// CPU), so the chain answers while the caller hashes. Only lookups by signer start early: a scan
    /// reports progress on the terminal and waits for the files.
    public func start(_ digests: [[UInt8]]) -> Pending? {
        guard let signers, !digests.isEmpty else { return nil }
        let expected = expectedChainId
        return Pending(
            readers: clients.map { reader(for: $0) }, digests: digests,
            ask: { reader, digests in try reader.lookup(digests, by: signers, expectedChainId: expected) })
    }

    /// Every endpoint's answer for `queries` (those already asked by `pending` are not asked again),
    /// compared into one set of records.
    public func finish(_ pending: Pending?, queries: [[UInt8]]) throws -> ChainRecords {
        let early = pending?.join()
        var answers: [EndpointAnswer] = []
        for (c, client) in clients.enumerated() {
            var records: [[UInt8]: [OnChainAttestation]] = [:]
            // An endpoint asked twice (early and late) gives two lookups: both proofs of revocation state are
            // kept, so an endpoint that changes its answer between them contradicts itself (EndpointAgreement).
            var lookups: [RegistryReader.Lookup] = []
            let reader: RegistryReader
            if let early {
                reader = early[c].reader
                let found = try early[c].found.get()
                for (q, f) in zip(early[c].digests, found.records) { records[q] = f }
                lookups.append(found)
            } else {
                reader = self.reader(for: client)
            }
            let asked = Self.unique(queries.filter { records[$0] == nil })
            if lookups.isEmpty || !asked.isEmpty {
                let found = try reader.lookup(asked, by: signers, expectedChainId: expectedChainId)
                for (q, f) in zip(asked, found.records) { records[q] = f }
                lookups.append(found)
            }
            let last = lookups[lookups.count - 1]
            // The lowest confirmed head of the lookups: a record above it is not confirmed here yet.
            let heads = lookups.map(\.confirmedHead)
            let confirmed = heads.contains(nil) ? nil : heads.compactMap { $0 }.min()
            guard Set(lookups.map(\.chainId)).count == 1 else {
                throw ProvenanceError(.chain, "\(client.endpoint.redacted) changed chains between two lookups")
            }
            var answer = EndpointAnswer(
                client: client, chainId: last.chainId, latestBlock: last.latestBlock, records: records,
                rejected: lookups.flatMap(\.rejected))
            answer.revocationProofs = lookups.compactMap(\.revocations)
            answer.confirmedHead = confirmed
            answer.finalizedBlock = last.finalizedBlock
            answers.append(answer)
        }
        return try EndpointAgreement.combine(
            answers, registry: registry, lookedFor: signers.map { .signers($0.count) } ?? .anyone)
    }

    static func unique(_ digests: [[UInt8]]) -> [[UInt8]] {
        var seen = Set<[UInt8]>()
        return digests.filter { seen.insert($0).inserted }
    }

    /// Lookups under way on their own thread, one endpoint after another.
    public final class Pending: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var answers:
            [(reader: RegistryReader, digests: [[UInt8]], found: Result<RegistryReader.Lookup, Error>)] =
                []

        private let readers: [RegistryReader]
        private let digests: [[UInt8]]
        private let ask: (RegistryReader, [[UInt8]]) throws -> RegistryReader.Lookup

        init(
            readers: [RegistryReader], digests: [[UInt8]],
            ask: @escaping (RegistryReader, [[UInt8]]) throws -> RegistryReader.Lookup
        ) {
            self.readers = readers
            self.digests = digests
            self.ask = ask
            let thread = Thread { [self] in
                answers = self.readers.map { reader in
                    (reader, self.digests, Result { try self.ask(reader, self.digests) })
                }
                done.signal()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }

        /// Waits for the lookups; each endpoint's reader, the digests asked and its answer, in order.
        func join() -> [(reader: RegistryReader, digests: [[UInt8]], found: Result<RegistryReader.Lookup, Error>)] {
            done.wait()
            return answers
        }
    }
}

/// One endpoint's proven answer for a window of content IDs.
public struct EndpointAnswer {
    public let client: EthClient
    public let chainId: UInt64
    public let latestBlock: UInt64
    public let records: [[UInt8]: [OnChainAttestation]]
    public let rejected: [RejectedRecord]
    /// What each of this endpoint's storage proofs showed of the signers' revocation state (one per lookup).
    public var revocationProofs: [ProvenRevocations] = []
    /// The highest block whose records count at this endpoint (nil: none yet).
    public var confirmedHead: UInt64?
    /// The block this endpoint calls finalized (nil: none named).
    public var finalizedBlock: UInt64?
}
