import Foundation

/// Block times as verdicts print them: UTC, to the second.
public enum Timestamp {
    public static func utc(_ seconds: UInt64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(min(seconds, 1 << 40))))
    }
}
