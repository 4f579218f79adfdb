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
        guard let bytes = try? BoundedFile.read(path, what: "scan cache", maxBytes: 256 << 20).bytes,
            let json = try? JSON.parse(bytes), json["format"]?.stringValue == "provenance-scan-cache",
            json["version"]?.intValue == 2, json["genesis"]?.stringValue == Hex.encode(genesis, prefix: true),
            let contents = json["contents"]?.objectValue
        else { return }
        span = json["span"]?.intValue.flatMap { $0 > 0 ? UInt64($0) : nil }
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
            ("format", .string("provenance-scan-cache")), ("version", .int(2)), ("chainId", .number(String(chainId))),
            ("genesis", .string(Hex.encode(genesis, prefix: true))),
            ("registry", .string(registry.checksummed)),
        ]
        if let span { doc.append(("span", .number(String(span)))) }
        doc.append(("contents", .object(contents)))
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try AtomicFile.write(Data(JSON.object(doc).compact.utf8), to: path, mode: 0o600)
    }
}
