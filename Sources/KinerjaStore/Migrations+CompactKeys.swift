import GRDB

extension Migrations {
    /// The compact assignment table: integer keys in place of NIP and unit-code text, the role as a
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
    /// - `assignment_named` shows the rows with their NIPs, codes and role names, for the reads that
    ///   list them; the hot paths (open, import, counts, reminders, close) use the table.
    ///
    /// The rows are copied in one transaction (the migrator's), so a failure leaves the old tables;
    /// the daemon copies the file first (`Migrations.rewriting`, `AppDatabase.open(backupBeforeRewrite:)`).
    static func registerCompactKeys(_ m: inout DatabaseMigrator) {
        m.registerMigration("v12-compact-assignments") { db in
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
