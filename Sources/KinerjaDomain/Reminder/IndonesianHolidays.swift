/// A day off on which no reminder goes out.
public struct Holiday: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Hari libur nasional.
        case national
        /// Cuti bersama (for ASN, counted against annual leave, offices closed).
        case cutiBersama = "cuti_bersama"
    }

    /// Where the date comes from.
    public enum Source: String, Sendable, Hashable, Codable {
        /// Decreed by the SKB 3 Menteri for that year.
        case skb
        /// Computed ahead of the decree (fixed dates, the Easter computus, astronomical new and full
        /// moons for the Hijri, Chinese, Saka and Buddhist dates); must be replaced by the decree.
        case estimate
    }

    public var date: CalendarDate
    public var name: String
    public var kind: Kind
    public var source: Source
}

/// Indonesian national holidays (hari libur nasional) and cuti bersama for 2026 and 2027.
///
/// Rule implemented: the 2026–2027 Indonesian national holidays and cuti bersama are shipped, marked
/// as to be checked yearly (no reminders on them). CHECK EVERY YEAR against the SKB 3 Menteri
/// (Menteri Agama, Menteri Ketenagakerjaan, Menteri PANRB) on hari libur nasional dan cuti bersama,
/// usually signed in September of the year before, and against any later change to it (religious
/// dates are sometimes moved after the isbat).
///
/// - 2026: SKB Nomor 1497 Tahun 2025, Nomor 2 Tahun 2025, Nomor 5 Tahun 2025 (announced 19 September
///   2025): 17 national holidays and 8 days of cuti bersama.
/// - 2027: no SKB yet. The national holidays are estimates (`Source.estimate`); the fixed dates and
///   the Christian dates are certain, the Islamic, Chinese, Hindu and Buddhist dates may move by a day.
///   Cuti bersama for 2027 are not listed at all: they are a government decision that cannot be
///   computed; add them from the SKB when it is published.
public enum IndonesianHolidays {
    public static let all: [Holiday] = y2026 + y2027

    /// The dates only, for `ReminderPolicy.holidays`.
    public static var dates: Set<CalendarDate> { Set(all.map(\.date)) }

    static func day(_ text: String, _ name: String, _ kind: Holiday.Kind, _ source: Holiday.Source) -> Holiday {
        Holiday(date: CalendarDate(iso: text)!, name: name, kind: kind, source: source)
    }

    static let y2026: [Holiday] = [
        day("2026-01-01", "Tahun Baru 2026 Masehi", .national, .skb),
        day("2026-01-16", "Isra Mikraj Nabi Muhammad SAW", .national, .skb),
        day("2026-02-16", "Cuti bersama Tahun Baru Imlek 2577 Kongzili", .cutiBersama, .skb),
        day("2026-02-17", "Tahun Baru Imlek 2577 Kongzili", .national, .skb),
        day("2026-03-18", "Cuti bersama Hari Suci Nyepi", .cutiBersama, .skb),
        day("2026-03-19", "Hari Suci Nyepi (Tahun Baru Saka 1948)", .national, .skb),
        day("2026-03-20", "Cuti bersama Idulfitri 1447 H", .cutiBersama, .skb),
        day("2026-03-21", "Idulfitri 1447 H", .national, .skb),
        day("2026-03-22", "Idulfitri 1447 H", .national, .skb),
        day("2026-03-23", "Cuti bersama Idulfitri 1447 H", .cutiBersama, .skb),
        day("2026-03-24", "Cuti bersama Idulfitri 1447 H", .cutiBersama, .skb),
        day("2026-04-03", "Wafat Yesus Kristus", .national, .skb),
        day("2026-04-05", "Kebangkitan Yesus Kristus (Paskah)", .national, .skb),
        day("2026-05-01", "Hari Buruh Internasional", .national, .skb),
        day("2026-05-14", "Kenaikan Yesus Kristus", .national, .skb),
        day("2026-05-15", "Cuti bersama Kenaikan Yesus Kristus", .cutiBersama, .skb),
        day("2026-05-27", "Iduladha 1447 H", .national, .skb),
        day("2026-05-28", "Cuti bersama Iduladha 1447 H", .cutiBersama, .skb),
        day("2026-05-31", "Hari Raya Waisak 2570 BE", .national, .skb),
        day("2026-06-01", "Hari Lahir Pancasila", .national, .skb),
        day("2026-06-16", "1 Muharam Tahun Baru Islam 1448 H", .national, .skb),
        day("2026-08-17", "Proklamasi Kemerdekaan Republik Indonesia", .national, .skb),
        day("2026-08-25", "Maulid Nabi Muhammad SAW", .national, .skb),
        day("2026-12-24", "Cuti bersama Kelahiran Yesus Kristus", .cutiBersama, .skb),
        day("2026-12-25", "Kelahiran Yesus Kristus", .national, .skb),
    ]

    static let y2027: [Holiday] = [
        day("2027-01-01", "Tahun Baru 2027 Masehi", .national, .estimate),
        day("2027-01-06", "Isra Mikraj Nabi Muhammad SAW (perkiraan)", .national, .estimate),
        day("2027-02-06", "Tahun Baru Imlek 2578 Kongzili (perkiraan)", .national, .estimate),
        day("2027-03-09", "Hari Suci Nyepi, Tahun Baru Saka 1949 (perkiraan)", .national, .estimate),
        day("2027-03-10", "Idulfitri 1448 H (perkiraan)", .national, .estimate),
        day("2027-03-11", "Idulfitri 1448 H (perkiraan)", .national, .estimate),
        day("2027-03-26", "Wafat Yesus Kristus", .national, .estimate),
        day("2027-03-28", "Kebangkitan Yesus Kristus (Paskah)", .national, .estimate),
        day("2027-05-01", "Hari Buruh Internasional", .national, .estimate),
        day("2027-05-06", "Kenaikan Yesus Kristus", .national, .estimate),
        day("2027-05-17", "Iduladha 1448 H (perkiraan)", .national, .estimate),
        day("2027-05-20", "Hari Raya Waisak 2571 BE (perkiraan)", .national, .estimate),
        day("2027-06-01", "Hari Lahir Pancasila", .national, .estimate),
        day("2027-06-06", "1 Muharam Tahun Baru Islam 1449 H (perkiraan)", .national, .estimate),
        day("2027-08-15", "Maulid Nabi Muhammad SAW (perkiraan)", .national, .estimate),
        day("2027-08-17", "Proklamasi Kemerdekaan Republik Indonesia", .national, .estimate),
        day("2027-12-25", "Kelahiran Yesus Kristus", .national, .estimate),
    ]
}
