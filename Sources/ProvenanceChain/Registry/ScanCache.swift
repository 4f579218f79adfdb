import Foundation
import ProvenanceCore

/// What earlier lookups by content alone found, per chain and registry, so the next lookup of the same
/// content scans only blocks added since: for each content ID, the last block scanned and the records
/// seen up to it. Also the eth_getLogs span the provider accepted, so a new scan does not start with a
/// refused query. A file in the user's cache directory (mode 0600); a cache that cannot be read is
/// ignored and rewritten, never an error: it only saves calls.
///
/// Only blocks at least `reorgMargin` below the confirmed head are recorded as scanned, so a
/// reorganisation shallower than that never leaves a stale record here.
public final class ScanCache {
    public static let reorgMargin: UInt64 = 64
    /// Content IDs kept; the least recently used go first.
    public static let maxEntries = 100_000

    struct Record: Equatable {
        let signer: Address
        let txHash: [UInt8]
        let block: UInt64
        let logIndex: UInt64
        let time: UInt64
    }

    struct Entry {
        var scannedTo: UInt64
        var used: UInt64
        var records: [Record]
    }

    let directory: String
    private(set) var entries: [String: Entry] = [:]
    var span: UInt64?
    /// The hash of each block an entry was scanned to, as the endpoint said then: an entry counts only where the
    /// endpoint asked now has that very block there (a liar's head of its own making once cached would
    /// otherwise hide every record in the blocks it claimed were scanned).
    var scannedHashes: [UInt64: [UInt8]] = [:]
    private var chainId: UInt64 = 0
    private var genesis: [UInt8] = []
    private var registry = RegistryAddress.canonical

    public init(directory: String) { self.directory = directory }

    /// One file per chain (its id and genesis hash: two devnets or a fork with the same id never share one)
    /// and registry. What is in it is a hint only: where to look, never a record (RegistryReader proves again).
    private var path: String {
        "\(directory)/scan-\(chainId)-\(Hex.encode(Array(genesis.prefix(8))))-\(registry.checksummed.lowercased()).json"
    }

    func load(chainId: UInt64, genesis: [UInt8], registry: Address) {
        self.chainId = chainId
        self.genesis = genesis
        self.registry = registry
        entries = [:]
        span = nil
        scannedHashes = [:]
        guard let bytes = try? BoundedFile.read(path, what: "scan cache", maxBytes: 256 << 20).bytes,
            let json = try? JSON.parse(bytes), json["format"]?.stringValue == "provenance-scan-cache",
            json["version"]?.intValue == 3, json["genesis"]?.stringValue == Hex.encode(genesis, prefix: true),
            let contents = json["contents"]?.objectValue
        else { return }
        span = json["span"]?.intValue.flatMap { $0 > 0 ? UInt64($0) : nil }
        for (key, value) in json["blocks"]?.objectValue ?? [] {
            if let n = UInt64(key), let h = value.stringValue.flatMap({ Hex.decode($0, count: 32) }) {
                scannedHashes[n] = h
            }
        }
        for (key, value) in contents {
            guard Hex.decode(key, count: 32) != nil, let scanned = value["scannedTo"]?.intValue, scanned >= 0,
                let used = value["used"]?.intValue, let items = value["records"]?.arrayValue
            else { continue }
            let records = items.compactMap { item -> Record? in
                guard let f = item.arrayValue, f.count == 5, let s = f[0].stringValue, let signer = try? Address(s),
                    let tx = f[1].stringValue.flatMap({ Hex.decode($0, count: 32) }), let block = f[2].intValue,
                    let index = f[3].intValue, let time = f[4].intValue, block >= 0, index >= 0, time >= 0
                else { return nil }
                return Record(
                    signer: signer, txHash: tx, block: UInt64(block), logIndex: UInt64(index), time: UInt64(time))
            }
            entries[key] = Entry(scannedTo: UInt64(scanned), used: UInt64(max(0, used)), records: records)
        }
    }

    func entry(_ contentID: [UInt8]) -> Entry? { entries[Hex.encode(contentID)] }

    func update(_ contentID: [UInt8], scannedTo: UInt64, records: [Record]) {
        entries[Hex.encode(contentID)] = Entry(
            scannedTo: scannedTo, used: UInt64(Date().timeIntervalSince1970), records: records)
    }

    func save() throws {
        if entries.count > Self.maxEntries {
            let keep = entries.sorted { $0.value.used > $1.value.used }.prefix(Self.maxEntries)
            entries = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
        }
        let contents: [(String, JSON)] = entries.keys.sorted().map { key in
            let e = entries[key]!
            return (
                key,
                .object([
                    ("scannedTo", .number(String(e.scannedTo))), ("used", .number(String(e.used))),
                    (
                        "records",
                        .array(
                            e.records.map {
                                .array([
                                    .string($0.signer.checksummed), .string(Hex.encode($0.txHash, prefix: true)),
                                    .number(String($0.block)), .number(String($0.logIndex)), .number(String($0.time)),
                                ])
                            })
                    ),
                ])
            )
        }
        var doc: [(String, JSON)] = [
            ("format", .string("provenance-scan-cache")), ("version", .int(3)), ("chainId", .number(String(chainId))),
            ("genesis", .string(Hex.encode(genesis, prefix: true))),
            ("registry", .string(registry.checksummed)),
        ]
        if let span { doc.append(("span", .number(String(span)))) }
        let used = Set(entries.values.map(\.scannedTo))
        doc.append(
            (
                "blocks",
                .object(
                    scannedHashes.keys.filter(used.contains).sorted().map {
                        (String($0), .string(Hex.encode(scannedHashes[$0]!, prefix: true)))
                    })
            ))
        doc.append(("contents", .object(contents)))
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try AtomicFile.write(Data(JSON.object(doc).compact.utf8), to: path, mode: 0o600)
    }
}

extension RegistryReader {
    /// The blocks the cache's entries for `digests` were scanned to that this endpoint has, with the same hash,
    /// below the confirmed head; and the hash of the block the cache will say it scanned to now (the confirmed
    /// head less the reorganisation margin), asked in the same request.
    func scannedBlocks(_ digests: [[UInt8]], cache: ScanCache, confirmed: UInt64) throws -> Set<UInt64> {
        let settled = confirmed >= ScanCache.reorgMargin ? confirmed - ScanCache.reorgMargin : 0
        // At most 16 blocks asked: entries scanned to others are scanned again from the deployment block.
        let claimed = Array(
            Set(
                digests.compactMap { cache.entry($0)?.scannedTo }.filter {
                    $0 < confirmed && cache.scannedHashes[$0] != nil
                }
            )
            .sorted().suffix(16))
        let asked = [settled] + claimed
        let answers = try client.batch(asked.map { .block($0) })
        var ok = Set<UInt64>()
        var fresh: [UInt8]?
        for (i, (n, answer)) in zip(asked, answers).enumerated() {
            guard case .success(.block(let block?)) = answer, block.number == n else { continue }
            if i == 0 { fresh = block.hash } else if cache.scannedHashes[n] == block.hash { ok.insert(n) }
        }
        cache.scannedHashes[settled] = fresh
        return ok
    }
}
