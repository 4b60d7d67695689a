/// A deterministic pseudo-random generator (SplitMix64, Steele, Lea & Flood 2014).
///
/// Rule implemented: "rekan … chosen deterministically from a seed" (docs/domain-rules.md). The algorithm and
/// every derived operation here (bounded integers, shuffles, string hashing) are written out in this
/// module rather than taken from the standard library, whose `shuffle(using:)` and `Hasher` may change
/// between Swift versions or are randomly seeded per process: the same seed gives the same choices on
/// every machine and every release. Not for cryptography.
public struct SeededRandom: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A generator whose seed mixes `seed` with the stable hash of each of `parts`.
    public init(seed: UInt64, mixing parts: [String]) {
        var s = seed
        for part in parts { s = SeededRandom.mix(s ^ SeededRandom.stableHash(part)) }
        state = s
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SeededRandom.mix(state)
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift with rejection); `bound` > 0.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// Fisher–Yates shuffle in place, stable across Swift versions.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = below(i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// FNV-1a 64-bit hash of the UTF-8 bytes, finished with the SplitMix64 mixer.
    public static func stableHash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return mix(h)
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
