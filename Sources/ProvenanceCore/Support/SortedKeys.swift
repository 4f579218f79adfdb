/// The positions holding `key` in an ascending array of keys (indexes of the search for authentic parts
/// and of audio fingerprints keep their keys this way: 4 bytes a key, no hash table).
func equalRange(of key: UInt32, in keys: [UInt32]) -> Range<Int> {
    var lo = 0
    var hi = keys.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if keys[mid] < key { lo = mid + 1 } else { hi = mid }
    }
    var end = lo
    while end < keys.count && keys[end] == key { end += 1 }
    return lo..<end
}
