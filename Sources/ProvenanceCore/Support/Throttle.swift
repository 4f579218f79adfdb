import Foundation

/// Lets an event through at most once per interval, from any thread (the hashers and fingerprinters call it).
public final class Throttle: @unchecked Sendable {
    private let interval: Double
    private let lock = NSLock()
    private var last = Date.distantPast
    public init(interval: Double) { self.interval = interval }
    /// Whether `interval` has passed since it last said yes (from any thread).
    public func ready() -> Bool {
        let now = Date()
        lock.lock()
        defer { lock.unlock() }
        guard now.timeIntervalSince(last) >= interval else { return false }
        last = now
        return true
    }
}
