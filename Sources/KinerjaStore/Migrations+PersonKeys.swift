import GRDB
import KinerjaDomain

extension Migrations {
    /// The follow-up tasks, the assignment changes of employee imports and the personal review links
    /// name people and units by `person` and `unit_key` ids, like the assignments and results do (see
    /// docs/architecture.md, "Storage"). The NIP and the unit code stay what every reply, file, page
    /// and journal entry shows: the `…_named` views and the stores join them back.
    ///
    /// - `followup`: `subject_id`, `unit_id` (the unit when the task was made; the flag's may move on)
    ///   and `appraiser_id`, who holds the dialog: an employee, or an appraiser outside the employee
    ///   file (`appraiser`); `person` is only an id for a NIP, whichever table names the person. Its id
    ///   is named in links, messages and the CLI, so it keeps AUTOINCREMENT and the sequence carries
    ///   over (a task deleted with its flag never gives its id to another).
    ///   Indexes: `followup_subject (subject_id)` and `followup_appraiser (appraiser_id, status)` for the
    ///   list's `--subject` and `--appraiser` filters, `followup_status` for the pass
    ///   (`PersonKeyPlanTests`).
    /// - `assignment_change`: `employee_id` (whose change it was), `subject_id`, `role` (`RoleCode`),
    ///   `reviewer_id`, `new_reviewer_id` and `changed_at` as Unix seconds. Its one index
    ///   `assignment_change_subject (cycle_id, subject_id)` serves the cycle report's changes (the
    ///   cycle prefix) and the results without predikat (a subject's latest cancelled atasan review);
    ///   the old index by the changed employee's NIP served neither better. No id of it is shown, so
    ///   it is a plain rowid table.
    /// - `review_link`: `reviewer_id`; `review_link_reviewer (cycle_id, reviewer_id)` finds a reviewer's
    ///   links to revoke, `review_link_token`, unique, opens one. Every reminder stores a link, so this
    ///   is the largest of the three (about a million rows after two reminders a reviewer in two
    ///   quarters at 250,000 employees); the unique index is built after the copy, by a sort: the
    ///   tokens are random, and a unique constraint filled row by row wrote its pages at random (6.0 s
    ///   against 1.8 s for the table and its index there). No id of it is shown either.
    ///
    /// `flag` keeps `subject_nip` and `unit_code` as text: the flag list is read in the order of the
    /// unit code and the NIP from `flag_listing` (a page reads its rows and stops), an order ids do
    /// not have; and the flag's identity (`rule/NIP/window start`), shown and journalled, holds the
    /// NIP anyway.
    ///
    /// Each table is rebuilt in place (create, copy, drop, rename, indexes) in the migrator's one
    /// transaction, the foreign keys checked at its end; a role the codes do not know fails it and
    /// leaves the old tables. The daemon copies the file first (`Migrations.rewriting`).
    static func registerPersonKeys(_ m: inout DatabaseMigrator) {
        m.registerMigration("v19-person-keys") { db in
            let unknown = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assignment_change WHERE \(RoleCode.codeSQL("role")) IS NULL") ?? 0
            guard unknown == 0 else {
                throw DatabaseError(resultCode: .SQLITE_CONSTRAINT,
                                    message: "v19-person-keys: \(unknown) assignment_change rows hold a role the codes do not know")
            }
            try db.execute(sql: """
                INSERT OR IGNORE INTO person(nip)
                  SELECT subject_nip FROM followup UNION SELECT appraiser_nip FROM followup WHERE appraiser_nip IS NOT NULL
                  UNION SELECT nip FROM assignment_change UNION SELECT subject_nip FROM assignment_change
                  UNION SELECT reviewer_nip FROM assignment_change
                  UNION SELECT new_reviewer_nip FROM assignment_change WHERE new_reviewer_nip IS NOT NULL
                  UNION SELECT reviewer_nip FROM review_link
                  ORDER BY 1;
                INSERT OR IGNORE INTO unit_key(code) SELECT DISTINCT unit_code FROM followup WHERE unit_code IS NOT NULL ORDER BY 1;

                CREATE TABLE followup_compact(
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  flag_id INTEGER NOT NULL UNIQUE REFERENCES flag(id) ON DELETE CASCADE,
                  subject_id INTEGER NOT NULL,
                  unit_id INTEGER,
                  appraiser_id INTEGER,
                  appraiser_source TEXT,
                  recommendation TEXT NOT NULL,
                  status TEXT NOT NULL CHECK (status IN ('open', 'held', 'closed', 'overdue', 'escalated')),
                  created_at DATETIME NOT NULL,
                  created_on TEXT NOT NULL,
                  due_date TEXT NOT NULL,
                  held_on TEXT,
                  agreed_action TEXT CHECK (agreed_action IS NULL
                                            OR agreed_action IN ('training', 'mentoring', 'workload_change', 'none_needed', 'other')),
                  note TEXT,
                  next_check TEXT,
                  recorded_by TEXT,
                  recorded_via TEXT,
                  recorded_at DATETIME,
                  updated_at DATETIME NOT NULL);
                INSERT INTO followup_compact(id, flag_id, subject_id, unit_id, appraiser_id, appraiser_source, recommendation, status,
                                             created_at, created_on, due_date, held_on, agreed_action, note, next_check, recorded_by,
                                             recorded_via, recorded_at, updated_at)
                  SELECT fu.id, fu.flag_id, s.id, u.id, a.id, fu.appraiser_source, fu.recommendation, fu.status, fu.created_at,
                         fu.created_on, fu.due_date, fu.held_on, fu.agreed_action, fu.note, fu.next_check, fu.recorded_by,
                         fu.recorded_via, fu.recorded_at, fu.updated_at
                  FROM followup fu JOIN person s ON s.nip = fu.subject_nip LEFT JOIN unit_key u ON u.code = fu.unit_code
                  LEFT JOIN person a ON a.nip = fu.appraiser_nip
                  ORDER BY fu.id;
                INSERT INTO sqlite_sequence(name, seq) SELECT 'followup_compact', 0
                  WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'followup_compact');
                UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'followup'), 0))
                  WHERE name = 'followup_compact';
                DROP TABLE followup;
                ALTER TABLE followup_compact RENAME TO followup;
                CREATE INDEX followup_subject ON followup(subject_id);
                CREATE INDEX followup_status ON followup(status, due_date);
                CREATE INDEX followup_appraiser ON followup(appraiser_id, status);
                CREATE VIEW followup_named AS
                  SELECT fu.id, fu.flag_id, s.nip AS subject_nip, u.code AS unit_code, a.nip AS appraiser_nip, fu.appraiser_source,
                         fu.recommendation, fu.status, fu.created_at, fu.created_on, fu.due_date, fu.held_on, fu.agreed_action,
                         fu.note, fu.next_check, fu.recorded_by, fu.recorded_via, fu.recorded_at, fu.updated_at,
                         fu.subject_id, fu.unit_id, fu.appraiser_id
                  FROM followup fu JOIN person s ON s.id = fu.subject_id LEFT JOIN unit_key u ON u.id = fu.unit_id
                  LEFT JOIN person a ON a.id = fu.appraiser_id;

                CREATE TABLE assignment_change_compact(
                  id INTEGER PRIMARY KEY,
                  cycle_id INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
                  employee_id INTEGER NOT NULL,
                  event TEXT NOT NULL CHECK (event IN ('transfer', 'left', 'leave', 'atasan_change')),
                  detail TEXT NOT NULL,
                  subject_id INTEGER NOT NULL,
                  role INTEGER NOT NULL CHECK (role BETWEEN 0 AND 3),
                  reviewer_id INTEGER NOT NULL,
                  new_reviewer_id INTEGER,
                  changed_at INTEGER NOT NULL);
                INSERT INTO assignment_change_compact(id, cycle_id, employee_id, event, detail, subject_id, role, reviewer_id,
                                                      new_reviewer_id, changed_at)
                  SELECT x.id, x.cycle_id, e.id, x.event, x.detail, s.id, \(RoleCode.codeSQL("x.role")), r.id, n.id,
                         unixepoch(x.changed_at)
                  FROM assignment_change x JOIN person e ON e.nip = x.nip JOIN person s ON s.nip = x.subject_nip
                  JOIN person r ON r.nip = x.reviewer_nip LEFT JOIN person n ON n.nip = x.new_reviewer_nip
                  ORDER BY x.id;
                DROP TABLE assignment_change;
                ALTER TABLE assignment_change_compact RENAME TO assignment_change;
                CREATE INDEX assignment_change_subject ON assignment_change(cycle_id, subject_id);
                CREATE VIEW assignment_change_named AS
                  SELECT x.id, x.cycle_id, e.nip, x.event, x.detail, s.nip AS subject_nip, \(RoleCode.nameSQL("x.role")) AS role,
                         r.nip AS reviewer_nip, n.nip AS new_reviewer_nip, x.changed_at, x.employee_id, x.subject_id, x.reviewer_id,
                         x.new_reviewer_id, x.role AS role_code
                  FROM assignment_change x JOIN person e ON e.id = x.employee_id JOIN person s ON s.id = x.subject_id
                  JOIN person r ON r.id = x.reviewer_id LEFT JOIN person n ON n.id = x.new_reviewer_id;

                CREATE TABLE review_link_compact(
                  id INTEGER PRIMARY KEY,
                  cycle_id INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
                  reviewer_id INTEGER NOT NULL,
                  token_sha256 BLOB NOT NULL,
                  created_at DATETIME NOT NULL,
                  created_by TEXT NOT NULL,
                  expires_at DATETIME,
                  revoked_at DATETIME);
                INSERT INTO review_link_compact(id, cycle_id, reviewer_id, token_sha256, created_at, created_by, expires_at, revoked_at)
                  SELECT l.id, l.cycle_id, p.id, l.token_sha256, l.created_at, l.created_by, l.expires_at, l.revoked_at
                  FROM review_link l JOIN person p ON p.nip = l.reviewer_nip ORDER BY l.id;
                DROP TABLE review_link;
                ALTER TABLE review_link_compact RENAME TO review_link;
                CREATE UNIQUE INDEX review_link_token ON review_link(token_sha256);
                CREATE INDEX review_link_reviewer ON review_link(cycle_id, reviewer_id);
                CREATE VIEW review_link_named AS
                  SELECT l.id, l.cycle_id, p.nip AS reviewer_nip, l.token_sha256, l.created_at, l.created_by, l.expires_at, l.revoked_at,
                         l.reviewer_id
                  FROM review_link l JOIN person p ON p.id = l.reviewer_id;
                """)
        }
    }
}
