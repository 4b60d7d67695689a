import GRDB

extension Migrations {
    /// The compact assignment and review tables: integer keys in place of NIP and unit-code text, the role as a
    /// small integer and times as integer seconds (see docs/architecture.md, "Storage").
    ///
    /// - `person` gives every NIP a row refers to (employees, and appraisers outside the employee file)
    ///   an integer id; `unit_key` every unit code one. Rows are never deleted, so an id in a past
    ///   cycle's rows keeps its meaning after the employee or the unit is gone. The NIP and the code stay
    ///   the identity outside the database.
    /// - `assignment` holds `subject_id`, `reviewer_id` (person ids), `role` (`RoleCode`: 0 atasan,
    ///   1 bawahan, 2 rekan, 3 self — the order the names sort as text, so ORDER BY role keeps its
    ///   order), the units at the time the cycle opened as unit_key ids (historical: the employee may
    ///   move since), `due_at` and `submitted_at` as Unix seconds.
    /// - `review` holds its three times as Unix seconds and its source (who or what recorded it: `web`,
    ///   `reviews import by …`, repeated on every row before) as a `review_source` id; `web` is id 1
    ///   (`ReviewSource.web`), so the partial index of today's web reviews names it as a constant.
    /// - `assignment_named` shows the rows with their NIPs, codes and role names, for the reads that
    ///   list them; the hot paths (open, import, counts, reminders, close) use the table.
    ///
    /// The rows are copied in one transaction (the migrator's), so a failure leaves the old tables;
    /// the daemon copies the file first (`Migrations.rewriting`, `AppDatabase.open(backupBeforeRewrite:)`).
    static func registerCompactKeys(_ m: inout DatabaseMigrator) {
        m.registerMigration("v12-compact-rows") { db in
            try db.execute(sql: """
                CREATE TABLE person(id INTEGER PRIMARY KEY, nip TEXT NOT NULL UNIQUE);
                CREATE TABLE unit_key(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
                INSERT INTO person(nip)
                  SELECT subject_nip FROM assignment UNION SELECT reviewer_nip FROM assignment UNION SELECT nip FROM employee
                  ORDER BY 1;
                INSERT INTO unit_key(code)
                  SELECT subject_unit FROM assignment UNION SELECT reviewer_unit FROM assignment UNION SELECT code FROM unit
                  ORDER BY 1;
                CREATE TABLE assignment_compact(
                  -- AUTOINCREMENT: an id is never given twice (a cancelled assignment's id, named in a
                  -- review file or a web form, must not come to mean another assignment).
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  cycle_id INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
                  subject_id INTEGER NOT NULL,
                  role INTEGER NOT NULL CHECK (role BETWEEN 0 AND 3),
                  reviewer_id INTEGER NOT NULL,
                  subject_unit_id INTEGER NOT NULL,
                  reviewer_unit_id INTEGER NOT NULL,
                  due_at INTEGER NOT NULL,
                  submitted_at INTEGER,
                  atasan_source TEXT,
                  UNIQUE(cycle_id, subject_id, role, reviewer_id));
                INSERT INTO assignment_compact(id, cycle_id, subject_id, role, reviewer_id, subject_unit_id, reviewer_unit_id,
                                               due_at, submitted_at, atasan_source)
                  SELECT a.id, a.cycle_id, s.id, \(RoleCode.codeSQL("a.role")), r.id, su.id, ru.id,
                         unixepoch(a.due_at), unixepoch(a.submitted_at), a.atasan_source
                  FROM assignment a JOIN person s ON s.nip = a.subject_nip JOIN person r ON r.nip = a.reviewer_nip
                  JOIN unit_key su ON su.code = a.subject_unit JOIN unit_key ru ON ru.code = a.reviewer_unit
                  ORDER BY a.id;
                DROP TABLE assignment;
                ALTER TABLE assignment_compact RENAME TO assignment;
                CREATE INDEX assignment_reviewer ON assignment(cycle_id, reviewer_id);
                CREATE INDEX assignment_open ON assignment(cycle_id, due_at) WHERE submitted_at IS NULL;
                CREATE INDEX assignment_late ON assignment(cycle_id) WHERE submitted_at > due_at;
                CREATE TABLE review_source(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
                INSERT INTO review_source(id, text) VALUES (\(ReviewSource.web), 'web');
                INSERT OR IGNORE INTO review_source(text) SELECT DISTINCT source FROM review ORDER BY 1;
                CREATE TABLE review_compact(
                  assignment_id INTEGER PRIMARY KEY REFERENCES assignment(id) ON DELETE CASCADE,
                  \(BerAKHLAKColumns.all.map { "\($0) INTEGER NOT NULL CHECK (\($0) BETWEEN 1 AND 5)" }.joined(separator: ",\n  "))
                  ,comment TEXT,
                  hasil_kerja TEXT CHECK (hasil_kerja IS NULL OR hasil_kerja IN ('di_atas', 'sesuai', 'di_bawah')),
                  submitted_at INTEGER NOT NULL,
                  recorded_at INTEGER NOT NULL,
                  revised_at INTEGER,
                  source_id INTEGER NOT NULL REFERENCES review_source(id));
                INSERT INTO review_compact(assignment_id, \(BerAKHLAKColumns.list), comment, hasil_kerja, submitted_at, recorded_at,
                                           revised_at, source_id)
                  SELECT v.assignment_id, \(BerAKHLAKColumns.all.map { "v.\($0)" }.joined(separator: ", ")), v.comment, v.hasil_kerja,
                         unixepoch(v.submitted_at), unixepoch(v.recorded_at), unixepoch(v.revised_at), s.id
                  FROM review v JOIN review_source s ON s.text = v.source ORDER BY v.assignment_id;
                DROP TABLE review;
                ALTER TABLE review_compact RENAME TO review;
                CREATE INDEX review_web_touched ON review(max(recorded_at, coalesce(revised_at, recorded_at)))
                  WHERE source_id = \(ReviewSource.web);
                CREATE VIEW assignment_named AS
                  SELECT a.id, a.cycle_id, s.nip AS subject_nip, \(RoleCode.nameSQL("a.role")) AS role, r.nip AS reviewer_nip,
                         su.code AS subject_unit, ru.code AS reviewer_unit, a.due_at, a.submitted_at, a.atasan_source,
                         a.subject_id, a.reviewer_id, a.role AS role_code
                  FROM assignment a JOIN person s ON s.id = a.subject_id JOIN person r ON r.id = a.reviewer_id
                  JOIN unit_key su ON su.id = a.subject_unit_id JOIN unit_key ru ON ru.id = a.reviewer_unit_id;
                """)
        }
    }
}
