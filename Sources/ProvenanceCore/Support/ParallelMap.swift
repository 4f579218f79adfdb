import Foundation

/// `(0..<count).map(body)` on all cores, results in order. For work per item that is independent and
/// worth a thread hop (reading and checking a manifest), not for a few arithmetic operations.
public enum ParallelMap {
    public static func map<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1 else { return (0..<count).map(body) }
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer {
            slots.deinitialize()
            slots.deallocate()
        }
        // Each index is written by exactly one iteration; the buffer is read only after all have ended.
        nonisolated(unsafe) let shared = slots
        DispatchQueue.concurrentPerform(iterations: count) { i in shared[i] = body(i) }
        return slots.map { $0! }
    }
}
