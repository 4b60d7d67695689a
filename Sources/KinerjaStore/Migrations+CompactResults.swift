import GRDB
import KinerjaDomain

extension Migrations {
    /// The compact result and perilaku override tables: a subject as its `person` id and a unit as its
    /// `unit_key` id in place of NIP and unit-code text, ratings and predikat as small codes
    /// (`RatingCode`, `PredikatCode`), both keyed by (cycle, subject) WITHOUT ROWID (see
    /// docs/architecture.md, "Storage").
    ///
    /// - `result` holds one row per subject per closed cycle (250,000 a quarter for the largest
    ///   instansi). Its key (cycle_id, subject_id) is the table's own order (WITHOUT ROWID): the close
    ///   appends a cycle's rows in subject id order, every read names the cycle (a report, the close's
    ///   counts, the analysis) or the cycle and the subject (an employee's history, an override after
    ///   the close, a follow-up's before and after), so no other index is kept (`ResultPlanTests`).
    ///   Before, a rowid table held the NIP and the unit code as text on every row, with its key
    ///   (cycle, NIP) and an index on the NIP beside it.
    /// - `perilaku_override` likewise, with `set_at` as Unix seconds.
    /// - `result_named` shows the results with their NIPs, unit codes and rating names, for reading
    ///   them by hand; the store reads the table.
    ///
    /// The rows are copied in one transaction (the migrator's); a rating or predikat text the codes do
    /// not know fails it, leaving the old tables. The daemon copies the file first
    /// (`Migrations.rewriting`).
    static func registerCompactResults(_ m: inout DatabaseMigrator) {
        m.registerMigration("v14-compact-results") { db in
            let ratings = ["computed_rating", "override_rating", "perilaku_rating", "hasil_kerja"]
            let unknown = try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM result WHERE \(ratings.map { "(\($0) IS NOT NULL AND \(RatingCode.codeSQL($0)) IS NULL)" }
                                                            .joined(separator: " OR "))
                                                     OR (predikat IS NOT NULL AND \(PredikatCode.codeSQL("predikat")) IS NULL))
                     + (SELECT COUNT(*) FROM perilaku_override WHERE \(RatingCode.codeSQL("rating")) IS NULL)
                """) ?? 0
            guard unknown == 0 else {
                throw DatabaseError(resultCode: .SQLITE_CONSTRAINT,
                                    message: "v14-compact-results: \(unknown) result or override rows hold a rating or predikat the codes do not know")
            }
            func checked(_ column: String, max: Int) -> String { "\(column) INTEGER CHECK (\(column) BETWEEN 0 AND \(max))" }
            try db.execute(sql: """
                INSERT OR IGNORE INTO person(nip)
                  SELECT subject_nip FROM result UNION SELECT subject_nip FROM perilaku_override ORDER BY 1;
                INSERT OR IGNORE INTO unit_key(code) SELECT DISTINCT unit_code FROM result ORDER BY 1;
                CREATE TABLE result_compact(
                  cycle_id INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
                  subject_id INTEGER NOT NULL,
                  unit_id INTEGER NOT NULL,
                  self_mean REAL,
                  atasan_mean REAL,
                  rekan_mean REAL,
                  rekan_count INTEGER NOT NULL,
                  bawahan_mean REAL,
                  bawahan_count INTEGER NOT NULL,
                  weighted_mean REAL,
                  \(checked("computed_rating", max: RatingCode.maxCode)),
                  \(checked("override_rating", max: RatingCode.maxCode)),
                  override_reason TEXT,
                  \(checked("perilaku_rating", max: RatingCode.maxCode)),
                  \(checked("hasil_kerja", max: RatingCode.maxCode)),
                  \(checked("predikat", max: PredikatCode.maxCode)),
                  PRIMARY KEY(cycle_id, subject_id)) WITHOUT ROWID;
                INSERT INTO result_compact(cycle_id, subject_id, unit_id, self_mean, atasan_mean, rekan_mean, rekan_count, bawahan_mean,
                                           bawahan_count, weighted_mean, computed_rating, override_rating, override_reason,
                                           perilaku_rating, hasil_kerja, predikat)
                  SELECT r.cycle_id, p.id, u.id, r.self_mean, r.atasan_mean, r.rekan_mean, r.rekan_count, r.bawahan_mean,
                         r.bawahan_count, r.weighted_mean, \(ratings.prefix(2).map { RatingCode.codeSQL("r.\($0)") }.joined(separator: ", ")),
                         r.override_reason, \(ratings.suffix(2).map { RatingCode.codeSQL("r.\($0)") }.joined(separator: ", ")),
                         \(PredikatCode.codeSQL("r.predikat"))
                  FROM result r JOIN person p ON p.nip = r.subject_nip JOIN unit_key u ON u.code = r.unit_code
                  ORDER BY r.cycle_id, p.id;
                DROP TABLE result;
                ALTER TABLE result_compact RENAME TO result;
                CREATE TABLE perilaku_override_compact(
                  cycle_id INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
                  subject_id INTEGER NOT NULL,
                  rating INTEGER NOT NULL CHECK (rating BETWEEN 0 AND \(RatingCode.maxCode)),
                  reason TEXT NOT NULL,
                  set_by TEXT NOT NULL,
                  set_at INTEGER NOT NULL,
                  PRIMARY KEY(cycle_id, subject_id)) WITHOUT ROWID;
                INSERT INTO perilaku_override_compact(cycle_id, subject_id, rating, reason, set_by, set_at)
                  SELECT o.cycle_id, p.id, \(RatingCode.codeSQL("o.rating")), o.reason, o.set_by, unixepoch(o.set_at)
                  FROM perilaku_override o JOIN person p ON p.nip = o.subject_nip ORDER BY o.cycle_id, p.id;
                DROP TABLE perilaku_override;
                ALTER TABLE perilaku_override_compact RENAME TO perilaku_override;
                CREATE VIEW result_named AS
                  SELECT r.cycle_id, p.nip AS subject_nip, u.code AS unit_code, r.self_mean, r.atasan_mean, r.rekan_mean, r.rekan_count,
                         r.bawahan_mean, r.bawahan_count, r.weighted_mean, \(RatingCode.nameSQL("r.computed_rating")) AS computed_rating,
                         \(RatingCode.nameSQL("r.override_rating")) AS override_rating, r.override_reason,
                         \(RatingCode.nameSQL("r.perilaku_rating")) AS perilaku_rating, \(RatingCode.nameSQL("r.hasil_kerja")) AS hasil_kerja,
                         \(PredikatCode.nameSQL("r.predikat")) AS predikat, r.subject_id, r.unit_id
                  FROM result r JOIN person p ON p.id = r.subject_id JOIN unit_key u ON u.id = r.unit_id;
                """)
        }
    }
}
