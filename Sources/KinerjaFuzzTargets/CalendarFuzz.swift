import Foundation
import KinerjaSchedule

/// Properties of the calendar expression parser (systemd.time(7), used for `jobs.schedule` in the
/// configuration and by `kinerjactl calendar`):
/// - an error names a column inside the expression (1 ... length + 1, in characters);
/// - the normalised form of an accepted expression parses to the same specification, and
///   normalising it again gives the same text;
/// - both compute the same next elapse after a fixed instant, and an elapse is after that instant.
enum CalendarFuzz {
    static let utc = ZoneInfo.utc
    /// 2025-01-01 00:00:00 UTC.
    static let base = SystemdTimestamp(microseconds: 1_735_689_600_000_000)

    static func check(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let text = FuzzInput.text(bytes)
        let spec: CalendarSpec
        do {
            spec = try CalendarSpec.parse(text, localZone: utc)
        } catch {
            guard (1...text.count + 1).contains(error.position), !error.reason.isEmpty else {
                throw FuzzFailure(.calendar, "error at column \(error.position) of a \(text.count)-character expression: \(error)")
            }
            return
        }
        let normalized = spec.normalized
        let again: CalendarSpec
        do {
            again = try CalendarSpec.parse(normalized, localZone: utc)
        } catch {
            throw FuzzFailure(.calendar, "normalised form \"\(normalized)\" of \"\(text)\" does not parse: \(error)")
        }
        guard again.normalized == normalized else {
            throw FuzzFailure(.calendar, "normalising \"\(text)\" is not stable: \"\(normalized)\" then \"\(again.normalized)\"")
        }
        guard sameSchedule(spec, again) else {
            throw FuzzFailure(.calendar, "\"\(text)\" and its normalised form \"\(normalized)\" differ")
        }
        let next = spec.nextElapse(after: base, localZone: utc)
        let nextAgain = again.nextElapse(after: base, localZone: utc)
        guard next == nextAgain else {
            throw FuzzFailure(.calendar, "\"\(text)\" elapses \(next), its normalised form \"\(normalized)\" \(nextAgain)")
        }
        if case .at(let when) = next, when.microseconds <= base.microseconds {
            throw FuzzFailure(.calendar, "\"\(text)\" elapses at \(when.microseconds), not after \(base.microseconds)")
        }
    }

    static func sameSchedule(_ a: CalendarSpec, _ b: CalendarSpec) -> Bool {
        a.weekdays == b.weekdays && a.year == b.year && a.month == b.month && a.day == b.day
            && a.hour == b.hour && a.minute == b.minute && a.microsecond == b.microsecond
            && a.endOfMonth == b.endOfMonth && a.zone == b.zone
    }
}
