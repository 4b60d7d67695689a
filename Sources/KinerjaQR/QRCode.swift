import CQRencode
import Glibc

/// A QR code symbol made by libqrencode: a square of dark and light modules, without the quiet zone
/// (a reader needs four light modules around it; whoever draws the symbol adds them).
public struct QRCode: Sendable, Equatable {
    /// How much of the symbol can be damaged (a smudged or torn poster) and still read.
    public enum ErrorCorrection: Sendable {
        /// About 7 % of the codewords can be restored.
        case low
        /// About 15 %.
        case medium
        /// About 25 %.
        case quartile
        /// About 30 %.
        case high

        var level: QRecLevel {
            switch self {
            case .low: QR_ECLEVEL_L
            case .medium: QR_ECLEVEL_M
            case .quartile: QR_ECLEVEL_Q
            case .high: QR_ECLEVEL_H
            }
        }
    }

    /// The symbol's version (1–40), chosen by libqrencode as the smallest that holds the text.
    public let version: Int
    /// Modules per side.
    public let size: Int
    /// Row by row, `true` for a dark module.
    private let modules: [Bool]

    /// Encodes `text` (its UTF-8 bytes; libqrencode picks numeric, alphanumeric or 8-bit segments).
    public init(encoding text: String, correction: ErrorCorrection = .medium) throws(QRCodeError) {
        guard !text.isEmpty, !text.utf8.contains(0) else { throw QRCodeError.unencodable("empty text or a NUL byte") }
        guard let symbol = QRcode_encodeString(text, 0, correction.level, QR_MODE_8, 1) else {
            let reason = errno == ERANGE ? "\(text.utf8.count) bytes do not fit in the largest QR code" : String(cString: strerror(errno))
            throw QRCodeError.unencodable(reason)
        }
        defer { QRcode_free(symbol) }
        let width = Int(symbol.pointee.width)
        version = Int(symbol.pointee.version)
        size = width
        // libqrencode marks a dark module by the lowest bit of its byte; the other bits say what the
        // module is (finder, timing, data), which a drawing does not need.
        modules = (0..<width * width).map { symbol.pointee.data[$0] & 1 == 1 }
    }

    /// Whether the module in column `x`, row `y` (0-based, from the top left) is dark.
    public func isDark(x: Int, y: Int) -> Bool {
        precondition((0..<size).contains(x) && (0..<size).contains(y), "module (\(x), \(y)) outside a \(size)×\(size) symbol")
        return modules[y * size + x]
    }
}

/// Why a text could not become a QR code.
public enum QRCodeError: Error, Equatable, CustomStringConvertible {
    case unencodable(String)

    public var description: String {
        switch self {
        case .unencodable(let reason): "cannot make a QR code: \(reason)"
        }
    }
}
