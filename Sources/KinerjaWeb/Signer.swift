import Crypto
import Foundation

/// HMAC-SHA256 with a key made at start from the system's CSPRNG, for the two values the web front
/// hands out and checks itself: a form's anti-forgery value, bound to the link's token, and the signed
/// survey cookie. The key lives only in this process, so a restart invalidates both (a form then
/// answers 403 and asks to reload; a browser may answer the survey again).
public struct Signer: Sendable {
    let key: [UInt8]

    public init() {
        var rng = SystemRandomNumberGenerator()
        key = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }

    init(key: [UInt8]) {
        self.key = key
    }

    /// `purpose` separates the uses, so a value made for one is never valid for another.
    public func sign(_ purpose: String, _ message: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(purpose)\u{0}\(message)".utf8), using: SymmetricKey(data: key))
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Constant-time comparison with what `sign` gives.
    public func verify(_ purpose: String, _ message: String, _ value: String) -> Bool {
        let expected = Array(sign(purpose, message).utf8), given = Array(value.utf8)
        guard expected.count == given.count else { return false }
        var diff: UInt8 = 0
        for (a, b) in zip(expected, given) { diff |= a ^ b }
        return diff == 0
    }

    /// The anti-forgery value of a form opened with `token`.
    public func formValue(token: String) -> String { sign("form", token) }
}
