import Foundation
import KinerjaDomain

/// The reminder sweep's selection and writes as set-based SQL, for the sweep benchmark: the same
/// owed reviews, the stage each has reached, one outbox row per reviewer (digest body built with
/// `group_concat`, the configured templates filled with `replace`, `{tautan}` as the link slot), the
/// copies (a linked escalation's as a message of its own), the stage marks and the admin digest, in
/// statements run inside one write transaction by the caller.
///
/// Simplifications against the planner, none of which changes the rows for the benchmark's data:
/// local days are computed with the zone's offset at the sweep instant (Asia/Jakarta has no DST);
/// `{{`/`}}` escapes in templates are not unescaped; addresses are trimmed of ASCII blanks only. The
/// admin digest names every reviewer at the unit-head stage (the planner names ten per unit): its
/// text differs, which the comparison (texts by hash only) reports and does not stop on.
struct SweepBenchSQL {
    var planner: ReminderPlanner
    var from: MailAddress
    var now: Date

    /// A SQL string literal.
    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// A GRDB-stored instant (`YYYY-MM-DD HH:MM:SS.SSS`, UTC) as a literal.
    static func instant(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss.SSS"
        return literal(f.string(from: date))
    }

    /// `strftime`-based Indonesian long date of a `YYYY-MM-DD` expression: `Kamis, 22 Oktober 2026`.
    static func longDate(_ d: String) -> String {
        let weekdays = ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"]
        let w = weekdays.enumerated().map { "WHEN '\($0.offset)' THEN '\($0.element)'" }.joined(separator: " ")
        let m = IndonesianFormat.monthNames.enumerated()
            .map { "WHEN '\($0.offset < 9 ? "0" : "")\($0.offset + 1)' THEN '\($0.element)'" }.joined(separator: " ")
        return "(CASE strftime('%w', \(d)) \(w) END || ', ' || CAST(strftime('%d', \(d)) AS INTEGER) || ' ' || "
            + "CASE strftime('%m', \(d)) \(m) END || ' ' || strftime('%Y', \(d)))"
    }

    /// `19800101 200501 1 001` from an 18-digit NIP expression.
    static func groupedNIP(_ n: String) -> String {
        "(substr(\(n), 1, 8) || ' ' || substr(\(n), 9, 6) || ' ' || substr(\(n), 15, 1) || ' ' || substr(\(n), 16, 3))"
    }

    /// `template` with each `{name}` replaced by the SQL expression given for it.
    static func render(_ template: TemplateText, _ values: [String: String]) -> String {
        var expression = literal(template.source)
        for (name, value) in values.sorted(by: { $0.key < $1.key }) where template.source.contains("{\(name)}") {
            expression = "replace(\(expression), '{\(name)}', \(value))"
        }
        return expression
    }

    /// The statements, in order.
    var statements: [String] {
        let policy = planner.policy
        let offset = policy.timeZone.secondsFromGMT(for: now)
        let today = policy.day(of: now)
        let startOfDay = policy.workingHours.instant(on: today, at: TimeOfDay(hour: 0, minute: 0)!)
        let todayText = Self.literal(today.description)
        let nowText = Self.instant(now)
        // The due date as the date text it was stored as before integer seconds, for the day arithmetic below.
        let dueText = "strftime('%Y-%m-%d %H:%M:%f', a.due_at, 'unixepoch')"
        let local = { (column: String) in "date(\(column), '\(offset >= 0 ? "+" : "")\(offset) seconds')" }
        let level = { (l: EscalationLevel) -> Int in l == .none ? 0 : l == .atasan ? 1 : 2 }
        let stages = policy.stages.map { "(\(Self.literal($0.id)), \($0.dayOffset))" }.joined(separator: ", ")
        // The escalation level of the Nth overdue reminder sent for a review (0: none yet).
        let levels = (0...policy.afterDays.count).map { "(\($0), \(level(policy.escalation.level(atOverdueStage: $0))))" }
            .joined(separator: ", ")
        let firstOverdue = policy.afterDays.min().map(String.init) ?? "NULL"
        let domain = from.email.split(separator: "@").last.map(String.init) ?? "localhost"
        let messageID = "'kinerjad.' || lower(hex(randomblob(16))) || \(Self.literal("@" + domain))"
        let fromJSON = "json_object('email', \(Self.literal(from.email)), 'name', \(Self.literal(from.name)))"
        let blank = "char(32, 9, 10, 13)"
        let rolePhrase = """
            CASE os.role WHEN 'atasan' THEN 'sebagai atasan langsung' WHEN 'rekan' THEN 'sebagai rekan kerja' \
            ELSE 'sebagai bawahan' END
            """
        let status = """
            CASE WHEN os.el > 0 THEN 'terlambat ' || os.el || ' hari' WHEN os.el < 0 THEN (-os.el) || ' hari lagi' \
            ELSE 'batas waktu hari ini' END
            """
        let templates = planner.templates
        let copyList = """
            CASE WHEN m.c1name IS NOT NULL AND m.c2name IS NOT NULL THEN m.c1name || ' (atasan langsung) dan ' || m.c2name || ' (kepala unit kerja)' \
            WHEN m.c1name IS NOT NULL THEN m.c1name || ' (atasan langsung)' ELSE IFNULL(m.c2name || ' (kepala unit kerja)', '') END
            """
        var values: [String: String] = [
            "nama": "m.nama", "nip": Self.groupedNIP("m.rv"), "jumlah": "m.n", "jumlah_terlambat": "m.late", "daftar": "m.daftar",
            "tanggal": Self.literal(IndonesianFormat.longDate(today)),
            "batas_terdekat": "IFNULL(\(Self.longDate("m.nextdue")), 'semua batas waktu telah terlewati')",
            "instansi": Self.literal(planner.sender),
            // The slot the delivery fills with the reviewer's links (`ReviewLinkSlot`).
            "tautan": "(char(1) || 'tautan:' || m.cids || char(1))",
        ]
        let reminderSubject = Self.render(templates.reminder.subject, values)
        let reminderBody = Self.render(templates.reminder.body, values)
        values["tembusan"] = copyList
        values["riwayat_pengingat"] = """
            CASE WHEN IFNULL(m.earlier, 0) > 0 THEN 'setelah ' || m.earlier || ' kali pengingat sebelumnya' \
            ELSE 'hingga melewati batas waktunya' END
            """
        let escalationSubject = Self.render(templates.escalation.subject, values)
        let escalationBody = Self.render(templates.escalation.body, values)

        var sql = [
            // New messages are written here with their bodies, then into outbox and outbox_text at the end.
            """
            CREATE TEMP TABLE nx(idempotency_key TEXT NOT NULL, kind TEXT NOT NULL, recipient_nip TEXT, mail_from TEXT NOT NULL,
                                 mail_to TEXT NOT NULL, mail_cc TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
                                 message_id TEXT NOT NULL, created_at, status TEXT NOT NULL, attempts INTEGER NOT NULL,
                                 next_attempt_at, in_flight INTEGER NOT NULL)
            """,
            "CREATE TEMP TABLE st(stage TEXT NOT NULL, off INTEGER PRIMARY KEY)",
            "INSERT INTO st VALUES \(stages)",
            "CREATE TEMP TABLE lv(ord INTEGER PRIMARY KEY, lvl INTEGER NOT NULL)",
            "INSERT INTO lv VALUES \(levels)",
            // The reminders each review of an open cycle already had: all, overdue ones, the latest
            // overdue stage (days), and when the message with its latest mark was written.
            """
            CREATE TEMP TABLE mk AS
            SELECT s.assignment_id AS id, COUNT(*) AS tot, SUM(s.stage LIKE 'after:%') AS ocnt,
                   MAX(CASE WHEN s.stage LIKE 'after:%' THEN CAST(substr(s.stage, 7, length(s.stage) - 7) AS INTEGER) END) AS hi,
                   MAX(x.created_at) AS lastat
            FROM outbox_stage s JOIN outbox x ON x.id = s.outbox_id
            JOIN assignment a ON a.id = s.assignment_id JOIN cycle c ON c.id = a.cycle_id AND c.status = 'open'
            GROUP BY s.assignment_id
            """,
            // Every owed review with its stage and whether its mark is new: before the first overdue
            // stage the latest stage reached; after it, the overdue stage after the last one sent, once
            // the calendar and the pace since that reminder allow, else the last one sent.
            """
            CREATE TEMP TABLE os AS
            WITH o AS (
              SELECT a.id, a.cycle_id AS cid, c.period AS label, a.reviewer_nip AS rv, a.subject_nip AS sj, s.nama AS sname,
                     a.role, \(dueText) AS due, \(local(dueText)) AS dday,
                     CAST(julianday(\(todayText)) - julianday(\(local(dueText))) AS INTEGER) AS el,
                     IFNULL(mk.tot, 0) AS tot, IFNULL(mk.ocnt, 0) AS ocnt, mk.hi, mk.lastat,
                     (SELECT MIN(off) FROM st WHERE off > IFNULL(mk.hi, 0)) AS nx
              FROM assignment_named a
              JOIN cycle c ON c.id = a.cycle_id AND c.status = 'open'
              JOIN employee r ON r.nip = a.reviewer_nip AND r.aktif
              JOIN employee s ON s.nip = a.subject_nip
              LEFT JOIN mk ON mk.id = a.id
              WHERE a.submitted_at IS NULL),
            p AS (
              SELECT o.*, \(firstOverdue) IS NOT NULL AND o.el >= \(firstOverdue) AS overdue,
                     CASE WHEN \(firstOverdue) IS NOT NULL AND o.el >= \(firstOverdue) THEN
                            CASE WHEN o.nx IS NOT NULL AND o.nx <= o.el
                                      AND (o.hi IS NULL OR o.lastat IS NULL
                                           OR CAST(julianday(\(todayText)) - julianday(\(local("o.lastat"))) AS INTEGER) >= o.nx - o.hi)
                                 THEN o.nx ELSE o.hi END
                          ELSE (SELECT MAX(off) FROM st WHERE off <= o.el) END AS soff
              FROM o),
            q AS (
              SELECT p.*, st.stage,
                     st.stage IS NOT NULL AND NOT EXISTS (SELECT 1 FROM outbox_stage m WHERE m.assignment_id = p.id AND m.stage = st.stage) AS isnew
              FROM p LEFT JOIN st ON st.off = p.soff)
            SELECT q.*, CASE WHEN q.overdue THEN (SELECT lvl FROM lv WHERE ord = q.ocnt + q.isnew) ELSE 0 END AS lvl,
                   MIN(q.due) OVER (PARTITION BY q.rv, q.cid) AS cfirst,
                   ROW_NUMBER() OVER (PARTITION BY q.rv, q.cid ORDER BY q.due, q.sj,
                                      CASE q.role WHEN 'self' THEN 0 WHEN 'atasan' THEN 1 WHEN 'rekan' THEN 2 ELSE 3 END, q.id) AS num
            FROM q
            """,
            "CREATE INDEX temp.os_order ON os(rv, cfirst, cid, num)",
            // Per reviewer: counts, levels, the next due day.
            """
            CREATE TEMP TABLE g AS
            SELECT rv, COUNT(*) AS n, SUM(el > 0) AS late, MAX(lvl) AS cur, MAX(CASE WHEN isnew THEN lvl END) AS newlvl,
                   SUM(isnew) AS nnew, SUM(stage IS NOT NULL) AS reached, MIN(CASE WHEN el <= 0 THEN dday END) AS nextdue,
                   SUM(lvl = 2) AS atlvl2, MAX(CASE WHEN lvl = 2 THEN el END) AS mostlate, SUM(lvl >= 1) AS ge1,
                   MIN(CASE WHEN isnew AND soff > 0 THEN tot END) AS earlier
            FROM os GROUP BY rv HAVING SUM(stage IS NOT NULL) > 0
            """,
            // The digest list: numbered items per cycle block, blocks in order of their first due instant.
            """
            CREATE TEMP TABLE b AS
            SELECT os.rv, os.cfirst, os.cid, 'Siklus ' || os.label || ':' || char(10) || group_concat(
                     '  ' || os.num || '. ' || CASE os.role WHEN 'self' THEN 'Penilaian diri sendiri'
                       ELSE os.sname || ' (NIP ' || \(Self.groupedNIP("os.sj")) || '), ' || \(rolePhrase) END
                     || char(10) || '     batas waktu ' || \(Self.longDate("os.dday")) || ', ' || \(status), char(10)) AS text
            FROM os GROUP BY os.rv, os.cfirst, os.cid
            """,
            "CREATE INDEX temp.b_order ON b(rv, cfirst, cid)",
            // The digest list and the cycles it names (the review link slot's ids), in block order.
            "CREATE TEMP TABLE d AS SELECT rv, group_concat(text, char(10) || char(10)) AS daftar, group_concat(cid, ',') AS cids FROM b GROUP BY rv",
            // One message per reviewer reached by a new stage, with an address, not yet messaged today.
            """
            INSERT INTO nx (idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject, body,
                                message_id, created_at, status, attempts, next_attempt_at, in_flight)
            WITH m AS (
              SELECT g.*, e.nama, trim(e.email, \(blank)) AS email, d.daftar, d.cids,
                     CASE WHEN g.newlvl >= 1 AND sup.nip <> g.rv AND trim(IFNULL(sup.email, ''), \(blank)) <> '' THEN sup.nama END AS c1name,
                     trim(sup.email, \(blank)) AS c1mail,
                     CASE WHEN g.newlvl = 2 AND hd.nip <> g.rv AND hd.nip IS NOT e.supervisor_nip
                               AND trim(IFNULL(hd.email, ''), \(blank)) <> '' THEN hd.nama END AS c2name,
                     trim(hd.email, \(blank)) AS c2mail
              FROM g
              JOIN employee e ON e.nip = g.rv AND e.aktif AND trim(IFNULL(e.email, ''), \(blank)) <> ''
              JOIN d ON d.rv = g.rv
              LEFT JOIN employee sup ON sup.nip = e.supervisor_nip AND sup.aktif
              LEFT JOIN unit u ON u.code = e.unit_code
              LEFT JOIN employee hd ON hd.nip = u.head_nip AND hd.aktif
              WHERE g.nnew > 0
                AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.recipient_nip = g.rv AND x.created_at >= \(Self.instant(startOfDay))))
            SELECT 'reminder/' || m.rv || '/' || \(todayText),
                   CASE WHEN m.c1name IS NULL AND m.c2name IS NULL THEN 'reminder' ELSE 'escalation' END,
                   m.rv, \(fromJSON), '[' || json_object('email', m.email, 'name', m.nama) || ']',
                   '[' || CASE WHEN m.c1name IS NOT NULL AND m.c2name IS NOT NULL
                                 THEN json_object('email', m.c1mail, 'name', m.c1name) || ',' || json_object('email', m.c2mail, 'name', m.c2name)
                               WHEN m.c1name IS NOT NULL THEN json_object('email', m.c1mail, 'name', m.c1name)
                               WHEN m.c2name IS NOT NULL THEN json_object('email', m.c2mail, 'name', m.c2name) ELSE '' END || ']',
                   CASE WHEN m.c1name IS NULL AND m.c2name IS NULL THEN \(reminderSubject) ELSE \(escalationSubject) END,
                   CASE WHEN m.c1name IS NULL AND m.c2name IS NULL THEN \(reminderBody) ELSE \(escalationBody) END,
                   \(messageID), \(nowText), 'pending', 0, \(nowText), 0
            FROM m
            """,
        ]
        // A linked escalation goes to the reviewer alone; its copy to the atasan and unit head is a
        // message of its own, with the copy's sentence where the link was (`AppDatabase.copyDraft`).
        let slot = "substr(body, instr(body, char(1)), instr(substr(body, instr(body, char(1)) + 1), char(1)) + 1)"
        let linkedEscalation = "created_at = \(nowText) AND kind = 'escalation' AND mail_cc <> '[]' AND instr(body, char(1)) > 0"
        sql += [
            """
            INSERT INTO nx (idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject, body,
                                message_id, created_at, status, attempts, next_attempt_at, in_flight)
            SELECT idempotency_key || '/tembusan', 'escalation_copy', NULL, mail_from, mail_cc, '[]', 'Tembusan: ' || subject,
                   replace(body, \(slot), \(Self.literal(ReviewLinkSlot.copyText))), \(messageID), \(nowText), 'pending', 0, \(nowText), 0
            FROM nx WHERE \(linkedEscalation) ORDER BY rowid
            """,
            "UPDATE nx SET mail_cc = '[]' WHERE \(linkedEscalation)",
        ]
        if let admin = planner.adminAddress {
            let adminValues: [String: String] = [
                "tanggal": Self.literal(IndonesianFormat.longDate(today)), "instansi": Self.literal(planner.sender),
                "jumlah_penilai": "(SELECT COUNT(*) FROM esc)", "jumlah_penilaian": "(SELECT IFNULL(SUM(late), 0) FROM esc)",
                "daftar_eskalasi": "IFNULL((SELECT group_concat(text, char(10) || char(10)) FROM eu), '  (tidak ada)')",
                "jumlah_tanpa_email": "(SELECT COUNT(*) FROM miss)",
                "daftar_tanpa_email": "IFNULL((SELECT group_concat(text, char(10)) FROM miss), '  (tidak ada)')",
            ]
            sql += [
                // Reviewers at the unit-head level, grouped by unit.
                """
                CREATE TEMP TABLE esc AS
                SELECT IFNULL(e.unit_code, '') AS unit, g.rv, IFNULL(e.nama, '') AS nama, g.atlvl2 AS late, g.mostlate
                FROM g LEFT JOIN employee e ON e.nip = g.rv AND e.aktif WHERE g.cur = 2
                """,
                "CREATE INDEX temp.esc_order ON esc(unit, rv)",
                """
                CREATE TEMP TABLE eu AS
                SELECT unit, CASE unit WHEN '' THEN 'Unit tidak diketahui' ELSE unit END || char(10) || group_concat(
                         '  - ' || CASE nama WHEN '' THEN '(nama tidak diketahui)' ELSE nama END || ' (NIP ' || \(Self.groupedNIP("rv"))
                         || '): ' || late || ' penilaian terlambat, paling lama ' || mostlate || ' hari', char(10)) AS text
                FROM esc GROUP BY unit ORDER BY unit
                """,
                // Who should have been reached but has no address: reviewers, atasan and unit heads due a copy.
                """
                CREATE TEMP TABLE miss AS
                WITH k AS (
                  SELECT g.rv AS nip, 0 AS r, g.reached AS n FROM g
                    LEFT JOIN employee e ON e.nip = g.rv AND e.aktif WHERE trim(IFNULL(e.email, ''), \(blank)) = ''
                  UNION ALL
                  SELECT e.supervisor_nip, 1, g.ge1 FROM g JOIN employee e ON e.nip = g.rv AND e.aktif
                    LEFT JOIN employee sup ON sup.nip = e.supervisor_nip AND sup.aktif
                    WHERE g.cur >= 1 AND e.supervisor_nip <> g.rv AND trim(IFNULL(sup.email, ''), \(blank)) = ''
                  UNION ALL
                  SELECT u.head_nip, 2, g.atlvl2 FROM g JOIN employee e ON e.nip = g.rv AND e.aktif
                    JOIN unit u ON u.code = e.unit_code LEFT JOIN employee hd ON hd.nip = u.head_nip AND hd.aktif
                    WHERE g.cur = 2 AND u.head_nip <> g.rv AND u.head_nip IS NOT e.supervisor_nip
                      AND trim(IFNULL(hd.email, ''), \(blank)) = ''),
                t AS (SELECT k.nip, k.r, SUM(k.n) AS n, IFNULL(p.nama, '') AS nama, IFNULL(p.unit_code, '') AS unit
                      FROM k LEFT JOIN employee p ON p.nip = k.nip AND p.aktif GROUP BY k.nip, k.r)
                SELECT unit, nip, '  - ' || CASE nama WHEN '' THEN '(tidak ada di data pegawai)' ELSE nama END
                       || ' (NIP ' || \(Self.groupedNIP("nip")) || ')' || CASE unit WHEN '' THEN '' ELSE ', ' || unit END || ': '
                       || group_concat(phrase, '; ') AS text
                FROM (SELECT t.*, CASE r WHEN 0 THEN 'penilai dengan ' || n || ' penilaian yang perlu diingatkan'
                                         WHEN 1 THEN 'atasan langsung yang perlu menerima tembusan (' || n || ' penilaian terlambat)'
                                         ELSE 'kepala unit kerja yang perlu menerima tembusan (' || n || ' penilaian terlambat)' END AS phrase
                      FROM t ORDER BY unit, nip, r)
                GROUP BY unit, nip ORDER BY unit, nip
                """,
                """
                INSERT INTO nx (idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject, body,
                                    message_id, created_at, status, attempts, next_attempt_at, in_flight)
                SELECT 'admin-digest/' || \(todayText), 'admin_digest', NULL, \(fromJSON),
                       '[' || json_object('email', \(Self.literal(admin.email)), 'name', \(Self.literal(admin.name))) || ']', '[]',
                       \(Self.render(templates.adminDigest.subject, adminValues)), \(Self.render(templates.adminDigest.body, adminValues)),
                       \(messageID), \(nowText), 'pending', 0, \(nowText), 0
                WHERE (EXISTS (SELECT 1 FROM esc) OR EXISTS (SELECT 1 FROM miss))
                  AND NOT EXISTS (SELECT 1 FROM outbox WHERE kind = 'admin_digest' AND created_at >= \(Self.instant(startOfDay)))
                """,
            ]
        }
        sql += [
            """
            INSERT INTO outbox (idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject,
                                message_id, created_at, status, attempts, next_attempt_at, in_flight)
            SELECT idempotency_key, kind, recipient_nip, mail_from, mail_to, mail_cc, subject,
                   message_id, created_at, status, attempts, next_attempt_at, in_flight FROM nx ORDER BY rowid
            """,
            "INSERT INTO outbox_text (outbox_id, body) SELECT o.id, nx.body FROM nx JOIN outbox o ON o.idempotency_key = nx.idempotency_key ORDER BY o.id",
            // The new stage marks of the reviewers just written to.
            """
            INSERT INTO outbox_stage (assignment_id, stage, outbox_id)
            SELECT os.id, os.stage, x.id FROM os
            JOIN outbox x ON x.idempotency_key = 'reminder/' || os.rv || '/' || \(todayText) AND x.created_at = \(nowText)
            WHERE os.isnew
            """,
            "DROP TABLE temp.nx",
        ]
        return sql + ["DROP TABLE temp.st", "DROP TABLE temp.lv", "DROP TABLE temp.mk", "DROP TABLE temp.os", "DROP TABLE temp.g", "DROP TABLE temp.b", "DROP TABLE temp.d"]
            + (planner.adminAddress == nil ? [] : ["DROP TABLE temp.esc", "DROP TABLE temp.eu", "DROP TABLE temp.miss"])
    }
}
