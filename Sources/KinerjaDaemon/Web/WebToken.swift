import Crypto
import Foundation

/// The secret in a personal or public link: 32 bytes (256 bits) from the system's CSPRNG
/// (`SystemRandomNumberGenerator`, getrandom(2) on Linux), written as 43 characters of unpadded
/// base64url. The database keeps only `sha256` of the bytes.
public struct WebToken: Sendable, Hashable {
    public static let byteCount = 32
    public static let textLength = 43
    public let bytes: [UInt8]

    /// A new token from the system's CSPRNG.
    public static func generate() -> WebToken {
        var rng = SystemRandomNumberGenerator()
        return WebToken(bytes: (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses the text of a link's last path segment; nil unless it is exactly 43 base64url characters
    /// that decode to 32 bytes (the last character carrying no stray bits).
    public init?(parsing text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == Self.textLength else { return nil }
        var bits: UInt32 = 0, count = 0
        var out: [UInt8] = []
        out.reserveCapacity(Self.byteCount)
        for c in utf8 {
            guard let v = Self.value(of: c) else { return nil }
            bits = (bits << 6) | UInt32(v)
            count += 6
            if count >= 8 {
                count -= 8
                out.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
                bits &= (1 << UInt32(count)) - 1
            }
        }
        // 43 × 6 = 258 bits: 32 bytes and 2 bits that must be zero (canonical form).
        guard out.count == Self.byteCount, bits == 0 else { return nil }
        self.bytes = out
    }

    public var text: String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var bits: UInt32 = 0, count = 0
        for b in bytes {
            bits = (bits << 8) | UInt32(b)
            count += 8
            while count >= 6 {
                count -= 6
                out.append(alphabet[Int((bits >> UInt32(count)) & 63)])
            }
            bits &= (1 << UInt32(count)) - 1
        }
        if count > 0 { out.append(alphabet[Int((bits << UInt32(6 - count)) & 63)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// What the database stores.
    public var sha256: Data { Data(SHA256.hash(data: bytes)) }

    private static func value(of c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return nil
        }
    }
}
