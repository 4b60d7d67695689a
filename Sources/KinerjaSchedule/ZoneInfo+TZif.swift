import Foundation

/// Why a time zone could not be loaded.
public struct ZoneInfoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The zone name or file path concerned.
    public var zone: String
    /// What is wrong.
    public var reason: String

    public var description: String { "time zone '\(zone)': \(reason)" }
}

extension ZoneInfo {
    /// Reads a TZif file (RFC 8536, versions 1 to 4) the way glibc's `__tzfile_read` does: the
    /// 64-bit data block when the file has one, and the footer rule after it.
    init(name: String, tzif data: [UInt8]) throws(ZoneInfoError) {
        var reader = TZifReader(bytes: data, zone: name)
        var header = try reader.header()
        var width = 4
        if header.version != 0 {
            try reader.skip(
                header.timeCount * 5 + header.typeCount * 6 + header.charCount + header.leapCount * 8
                    + header.standardCount + header.utcCount)
            header = try reader.header()
            width = 8
        }
        guard header.standardCount <= header.typeCount, header.utcCount <= header.typeCount,
            header.typeCount > 0
        else { throw ZoneInfoError(zone: name, reason: "inconsistent TZif header") }

        var transitions: [Int64] = []
        transitions.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount { transitions.append(try reader.integer(width: width)) }
        var transitionTypes: [Int] = []
        for _ in 0..<header.timeCount {
            let index = Int(try reader.byte())
            guard index < header.typeCount else {
                throw ZoneInfoError(zone: name, reason: "transition type index out of range")
            }
            transitionTypes.append(index)
        }
        var rawTypes: [(offset: Int, isDST: Bool, nameIndex: Int)] = []
        for _ in 0..<header.typeCount {
            let offset = Int(try reader.integer(width: 4))
            let dst = try reader.byte()
            let nameIndex = Int(try reader.byte())
            guard dst <= 1, nameIndex <= header.charCount else {
                throw ZoneInfoError(zone: name, reason: "malformed local time type")
            }
            rawTypes.append((offset, dst == 1, nameIndex))
        }
        let chars = Array(try reader.bytes(header.charCount))
        let types = rawTypes.map { raw in
            let tail = chars[raw.nameIndex...]
            let end = tail.firstIndex(of: 0) ?? chars.endIndex
            return LocalTimeType(
                offset: raw.offset, isDST: raw.isDST,
                abbreviation: String(decoding: chars[raw.nameIndex..<end], as: UTF8.self))
        }
        var leaps: [LeapSecond] = []
        for _ in 0..<header.leapCount {
            let transition = try reader.integer(width: width)
            let correction = Int(try reader.integer(width: 4))
            leaps.append(LeapSecond(transition: transition, correction: correction))
        }
        try reader.skip(header.standardCount + header.utcCount)

        var footer: PosixTimeZoneRule?
        if width == 8, reader.remaining >= 2, try reader.byte() == UInt8(ascii: "\n") {
            let rest = try reader.bytes(reader.remaining)
            let text = rest.prefix(while: { $0 != UInt8(ascii: "\n") })
            if !text.isEmpty { footer = PosixTimeZoneRule(String(decoding: text, as: UTF8.self)) }
        }
        self.init(
            name: name, transitions: transitions, transitionTypes: transitionTypes, types: types,
            leapSeconds: leaps, footer: footer)
    }
}

/// The counts of a TZif header.
private struct TZifHeader {
    var version: UInt8
    var utcCount: Int
    var standardCount: Int
    var leapCount: Int
    var timeCount: Int
    var typeCount: Int
    var charCount: Int
}

/// A bounds-checked big-endian reader over TZif bytes.
private struct TZifReader {
    let bytes: [UInt8]
    let zone: String
    var index = 0

    var remaining: Int { bytes.count - index }

    func truncated() -> ZoneInfoError { ZoneInfoError(zone: zone, reason: "truncated TZif data") }

    mutating func skip(_ count: Int) throws(ZoneInfoError) {
        guard count >= 0, count <= remaining else { throw truncated() }
        index += count
    }

    mutating func byte() throws(ZoneInfoError) -> UInt8 {
        guard remaining >= 1 else { throw truncated() }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func bytes(_ count: Int) throws(ZoneInfoError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw truncated() }
        defer { index += count }
        return bytes[index..<index + count]
    }

    /// A signed big-endian integer of `width` (4 or 8) bytes.
    mutating func integer(width: Int) throws(ZoneInfoError) -> Int64 {
        let raw = try bytes(width)
        var value: UInt64 = 0
        for b in raw { value = value << 8 | UInt64(b) }
        if width == 4 { return Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: value))) }
        return Int64(bitPattern: value)
    }

    mutating func count() throws(ZoneInfoError) -> Int {
        let value = try integer(width: 4)
        guard value >= 0 else { throw ZoneInfoError(zone: zone, reason: "negative count in TZif header") }
        return Int(value)
    }

    mutating func header() throws(ZoneInfoError) -> TZifHeader {
        let magic = try bytes(4)
        guard Array(magic) == Array("TZif".utf8) else {
            throw ZoneInfoError(zone: zone, reason: "not a TZif file (bad magic)")
        }
        let version = try byte()
        try skip(15)
        return TZifHeader(
            version: version, utcCount: try count(), standardCount: try count(), leapCount: try count(),
            timeCount: try count(), typeCount: try count(), charCount: try count())
    }
}
