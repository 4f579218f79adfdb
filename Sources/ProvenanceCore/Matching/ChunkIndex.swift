/// One signed original's chunk list, as its manifest gives it.
public struct ChunkList: Sendable {
    public let size: UInt64
    public let chunkSize: Int
    /// Where the sound starts and ends (FORMAT §2): chunk 0 is the bytes before `grid.start` when that is not
    /// 0; fixed chunks run from it to `grid.end`, and again from `grid.end` to the end when that is not 0.
    public let grid: ChunkStart.Grid
    public let digests: [[UInt8]]
    /// WindowKey pairs: head key (high 32 bits) and tail key (low 32 bits).
    public let windows: [UInt64]
    /// Chunks before the grid (0 or 1), and on it.
    private let headChunks: Int
    private let gridChunks: Int

    public init(
        size: UInt64, chunkSize: Int, grid: ChunkStart.Grid = ChunkStart.Grid(), digests: [[UInt8]], windows: [UInt64]
    ) {
        precondition(digests.count == windows.count, "one window key per chunk")
        self.size = size
        self.chunkSize = chunkSize
        self.grid = grid
        self.digests = digests
        self.windows = windows
        headChunks = grid.start > 0 ? 1 : 0
        let end = grid.end > 0 ? grid.end : size
        let c = UInt64(chunkSize)
        gridChunks = Int(end > grid.start ? (end - grid.start + c - 1) / c : 0)
    }

    public func offset(of chunk: Int) -> UInt64 {
        if chunk < headChunks { return 0 }
        let k = chunk - headChunks
        if k >= gridChunks && grid.end > 0 { return grid.end + UInt64(k - gridChunks) * UInt64(chunkSize) }
        return grid.start + UInt64(k) * UInt64(chunkSize)
    }

    public func length(of chunk: Int) -> Int {
        if chunk < headChunks { return Int(grid.start) }
        let after = chunk - headChunks >= gridChunks && grid.end > 0
        return Int(min(UInt64(chunkSize), (after || grid.end == 0 ? size : grid.end) - offset(of: chunk)))
    }

    /// How many chunks a file of `size` bytes has (at least one: an empty file's).
    public static func count(size: UInt64, chunkSize: Int, grid: ChunkStart.Grid = ChunkStart.Grid()) -> UInt64 {
        let c = UInt64(chunkSize)
        let end = grid.end > 0 ? grid.end : size
        guard grid.start < end, end <= size else { return max(1, size / c + (size % c == 0 ? 0 : 1)) }
        let onGrid = (end - grid.start) / c + ((end - grid.start) % c == 0 ? 0 : 1)
        let after = grid.end > 0 ? (size - end) / c + ((size - end) % c == 0 ? 0 : 1) : 0
        return (grid.start > 0 ? 1 : 0) + max(1, onGrid) + after
    }
}

/// The chunks of one or more originals (a manifest, or every episode of a feed) by window key, so a
/// copy is searched once against all of them instead of once per original.
public final class ChunkIndex: @unchecked Sendable {
    struct Entry {
        let original: Int32
        let chunk: Int32
    }

    public let originals: [ChunkList]
    /// Sorted keys, and the chunks under each (parallel arrays: 12 bytes a chunk).
    private let keys: [UInt32]
    private let entries: [Entry]
    /// Open addressing from a key to its run in `keys` (+1 into `runs`; 0 is empty): a key that passes the
    /// filter costs a load or two, however many chunks share it (a WAV's silence: 485 chunks of one key). The
    /// binary search it replaces was 7% of a 60-minute episode's verify: an MP3's silence passes the filter at
    /// every frame (93,000 lookups).
    private let slots: [Int32]
    private let runs: [Range<Int32>]
    private let slotShift: UInt32
    /// A bitmap of the keys' low bits: most offsets of a copy are rejected by one load.
    private let filter: [UInt64]
    private let filterMask: UInt32
    /// The longest searchable chunk: a copy is read this far ahead of the search.
    public let longestChunk: Int

    public init(_ originals: [ChunkList]) {
        self.originals = originals
        var all: [(UInt32, Entry)] = []
        var longest = WindowKey.width
        for (o, list) in originals.enumerated() {
            for c in list.digests.indices {
                // A chunk shorter than the window cannot be rolled onto; the whole-file digest covers it. One
                // longer than the chunk size (before a media file's grid, §2: its tags) is not searched for: a server
                // rewrites it, and the search's buffer is four times the longest.
                let length = list.length(of: c)
                guard length >= WindowKey.width, length <= list.chunkSize else { continue }
                longest = max(longest, length)
                all.append((UInt32(list.windows[c] >> 32), Entry(original: Int32(o), chunk: Int32(c))))
            }
        }
        // By key, then in each original's order: among identical chunks the earliest comes first.
        all.sort { ($0.0, $0.1.original, $0.1.chunk) < ($1.0, $1.1.original, $1.1.chunk) }
        keys = all.map(\.0)
        entries = all.map(\.1)
        longestChunk = longest
        var bits = 1 << 16
        while bits < all.count * 16 && bits < 1 << 31 { bits <<= 1 }
        var filter = [UInt64](repeating: 0, count: bits / 64)
        let mask = UInt32(bits - 1)
        for k in keys { filter[Int((k & mask) >> 6)] |= 1 << UInt64(k & 63) }
        self.filter = filter
        filterMask = mask
        (slots, runs, slotShift) = Self.slots(keys)
    }

    /// Each distinct key's run of positions, in a table at most half full.
    private static func slots(_ keys: [UInt32]) -> ([Int32], [Range<Int32>], UInt32) {
        var runs: [Range<Int32>] = []
        var i = 0
        while i < keys.count {
            var end = i + 1
            while end < keys.count && keys[end] == keys[i] { end += 1 }
            runs.append(Int32(i)..<Int32(end))
            i = end
        }
        var width: UInt32 = 4
        while 1 << width < 2 * runs.count { width += 1 }
        var slots = [Int32](repeating: 0, count: 1 << width)
        let mask = slots.count - 1
        for (r, run) in runs.enumerated() {
            var s = slot(keys[Int(run.lowerBound)], shift: 32 - width)
            while slots[s] != 0 { s = (s + 1) & mask }
            slots[s] = Int32(r + 1)
        }
        return (slots, runs, 32 - width)
    }

    @inline(__always) private static func slot(_ key: UInt32, shift: UInt32) -> Int {
        Int((key &* 0x9E37_79B1) >> shift)
    }

    public var isEmpty: Bool { keys.isEmpty }

    @inline(__always) func mayHold(_ key: UInt32) -> Bool {
        filter.withUnsafeBufferPointer { f in
            f[Int((key & filterMask) >> 6)] & (1 << UInt64(key & 63)) != 0
        }
    }

    /// The chunks whose first 32 bytes have this key.
    func candidates(_ key: UInt32) -> ArraySlice<Entry> {
        keys.withUnsafeBufferPointer { k in
            slots.withUnsafeBufferPointer { t in
                let mask = t.count - 1
                var s = Self.slot(key, shift: slotShift)
                while t[s] != 0 {
                    let run = runs[Int(t[s]) - 1]
                    if k[Int(run.lowerBound)] == key { return entries[Int(run.lowerBound)..<Int(run.upperBound)] }
                    s = (s + 1) & mask
                }
                return entries[0..<0]
            }
        }
    }
}
