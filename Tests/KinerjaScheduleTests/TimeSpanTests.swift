import Testing

@testable import KinerjaSchedule

@Suite("Time spans")
struct TimeSpanTests {
    static let second: UInt64 = 1_000_000
    static let minute = 60 * second
    static let hour = 60 * minute
    static let day = 24 * hour

    static let parseVectors: [(String, UInt64)] = [
        ("14d", 14 * day),
        ("2h 30min", 2 * hour + 30 * minute),
        ("90s", 90 * second),
        ("1.5h", 90 * minute),
        ("2 h", 2 * hour),
        ("2hours", 2 * hour),
        ("48hr", 48 * hour),
        ("1y 12month", 2 * 31_557_600 * second),
        ("55s500ms", 55 * second + 500_000),
        ("300ms20s 5day", 300_000 + 20 * second + 5 * day),
        ("1M", 2_629_800 * second),
        ("3 weeks", 21 * day),
        ("5", 5 * second),
        (".5s", 500_000),
        ("7µs", 7),
        ("12usec", 12),
        ("100msec", 100_000),
        ("1.0000005s", 1_000_000),
        ("5 minutes 1 second", 5 * minute + second),
        ("2m", 2 * minute),
        ("infinity", UInt64.max),
    ]

    @Test("parses systemd time spans", arguments: parseVectors)
    func parse(text: String, microseconds: UInt64) throws {
        #expect(try TimeSpan.parse(text).microseconds == microseconds)
    }

    @Test("a number without unit uses the default unit")
    func defaultUnit() throws {
        #expect(try TimeSpan.parse("250", defaultUnit: TimeSpan(microseconds: 1000)).microseconds == 250_000)
        #expect(try TimeSpan.parse("250ms", defaultUnit: TimeSpan(microseconds: 1)).microseconds == 250_000)
    }

    static let formatVectors: [(UInt64, String)] = [
        (2 * hour + 30 * minute, "2h 30min"),
        (90 * second, "1min 30s"),
        (14 * day, "2w"),
        (1_500_000, "1.500000s"),
        (1500, "1.500ms"),
        (1, "1us"),
        (0, "0"),
        (UInt64.max, "infinity"),
        (2 * 31_557_600 * second, "2y"),
        (2_629_800 * second, "1month"),
        (3600 * second + 500_000, "1h 500ms"),
        (61 * second, "1min 1s"),
        (55 * second + 500_000, "55.500000s"),
        (9 * day + 3 * hour, "1w 2d 3h"),
    ]

    @Test("prints like systemd", arguments: formatVectors)
    func format(microseconds: UInt64, text: String) {
        #expect(TimeSpan(microseconds: microseconds).formatted() == text)
        #expect(TimeSpan(microseconds: microseconds).description == text)
    }

    @Test("accuracy drops smaller parts")
    func accuracy() {
        let span = TimeSpan(microseconds: 2 * Self.hour + 30 * Self.minute + 12 * Self.second + 345_678)
        #expect(span.formatted() == "2h 30min 12.345678s")
        #expect(span.formatted(accuracy: .seconds(1)) == "2h 30min 12s")
        #expect(span.formatted(accuracy: .seconds(60)) == "2h 30min")
        #expect(TimeSpan(microseconds: 1_500_000).formatted(accuracy: TimeSpan(microseconds: 1000)) == "1.500s")
    }

    @Test("rejects bad spans with the position and the reason")
    func errors() {
        func failure(_ text: String) -> TimeSpanError? {
            do {
                _ = try TimeSpan.parse(text)
                return nil
            } catch {
                return error
            }
        }
        #expect(failure("")?.reason == "expected a number")
        #expect(failure("5x")?.position == 2)
        #expect(failure("5x")?.reason == "unknown unit 'x'")
        #expect(failure("2h -5s")?.position == 4)
        #expect(failure("-5s")?.reason == "negative time spans are not allowed")
        #expect(failure("3.sec")?.reason == "expected digits after '.'")
        #expect(failure("infinity 5s")?.position == 10)
        #expect(failure("99999999999999999999s")?.reason == "number too large")
    }

    @Test("round trip: printing then parsing gives the same span")
    func roundTrip() throws {
        for value: UInt64 in [
            1, 999, 1_000_001, 59 * Self.second + 1, Self.hour + 1, 400 * Self.day + 17, 31_557_600 * Self.second * 3 + 5,
        ] {
            let span = TimeSpan(microseconds: value)
            #expect(try TimeSpan.parse(span.formatted()) == span, "\(span.formatted())")
        }
    }
}
