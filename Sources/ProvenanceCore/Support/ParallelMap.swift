import Foundation

/// `(0..<count).map(body)` on all cores, results in order. For work per item that is independent and
/// worth a thread hop (reading and checking a manifest), not for a few arithmetic operations.
public enum ParallelMap {
    public static func map<T>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        guard count > 1 else { return (0..<count).map(body) }
        return collect(count) { slots in
            nonisolated(unsafe) let shared = slots
            DispatchQueue.concurrentPerform(iterations: count) { i in shared[i] = body(i) }
        }
    }

    /// The same on `workers` threads, for work that waits rather than computes (network fetches).
    public static func map<T>(_ count: Int, workers: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        guard count > 1, workers > 1 else { return (0..<count).map(body) }
        return collect(count) { slots in
            nonisolated(unsafe) let shared = slots
            let lock = NSLock()
            nonisolated(unsafe) var next = 0
            let group = DispatchGroup()
            for _ in 0..<min(workers, count) {
                group.enter()
                Thread {
                    while true {
                        lock.lock()
                        let i = next
                        next += 1
                        lock.unlock()
                        guard i < count else { break }
                        shared[i] = body(i)
                    }
                    group.leave()
                }.start()
            }
            group.wait()
        }
    }

    /// `first` here and `second` on another thread at the same time; both results once both are done.
    public static func both<A, B>(_ first: () -> A, _ second: @escaping @Sendable () -> B) -> (A, B) {
        nonisolated(unsafe) var b: B?
        let group = DispatchGroup()
        group.enter()
        Thread {
            b = second()
            group.leave()
        }.start()
        let a = first()
        group.wait()
        return (a, b!)
    }

    /// Runs `fill` over `count` result slots and returns them in order. Each index is written by exactly
    /// one iteration; the slots are read only after `fill` has returned.
    private static func collect<T>(_ count: Int, _ fill: (UnsafeMutableBufferPointer<T?>) -> Void) -> [T] {
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer {
            slots.deinitialize()
            slots.deallocate()
        }
        fill(slots)
        return slots.map { $0! }
    }
}
