import Foundation
import Synchronization

/// Fixed one-minute windows per key (a client IP, a token): at most `limit` requests in a window.
/// Time is passed in. Keys of past windows are dropped when a new window starts, so memory is bounded
/// by the keys seen in one minute.
public final class RateLimiter: Sendable {
    let limit: Int
    let window: TimeInterval
    private let state = Mutex<(start: TimeInterval, counts: [String: Int])>((0, [:]))

    public init(limit: Int, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
    }

    /// Counts one request of `key` at `now`; false when it is over the limit.
    public func allow(_ key: String, now: Date) -> Bool {
        let t = now.timeIntervalSince1970
        return state.withLock { s in
            let start = (t / window).rounded(.down) * window
            if start != s.start {
                s.start = start
                s.counts.removeAll(keepingCapacity: true)
            }
            let n = (s.counts[key] ?? 0) + 1
            s.counts[key] = n
            return n <= limit
        }
    }
}

/// The client's address: the TCP peer, or — only when the peer is a trusted reverse proxy — the last
/// address in `X-Forwarded-For` that is not itself a trusted proxy.
public enum ClientAddress {
    public static func resolve(peer: String?, forwardedFor: String?, trustedProxies: Set<String>) -> String {
        let peer = peer ?? "unknown"
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !trustedProxies.contains($0) } ?? peer
    }
}
