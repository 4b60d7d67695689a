import GRDB

extension Migrations {
    /// `assignment_open_count`: how many assignments of each cycle are still open (not submitted), per
    /// due date, kept by triggers on `assignment`.
    ///
    /// GetStatus counts the overdue assignments of the open cycles on every call. Counted from the
    /// partial index `assignment_open`, that read one index entry per open assignment: about 0.3 s for
    /// a 250,000-employee quarter whose 1.48 million assignments are all past due, on every status call
    /// and every STATUS= update, and again right after the open commits. A cycle's assignments share a
    /// few due dates at most (the open's, and those of assignments added later by a transfer), so this
    /// table has a handful of rows per cycle and the count is a sum over them
    /// (`StatusCounts.overdueSQL`, `StatusCountsPlanTests`).
    ///
    /// Triggers, not the writers, keep it: every way an assignment is added, submitted, moved to
    /// another due date or deleted (the open, an import, a web submission, a transfer, a cycle's
    /// cascade) passes through them, so no writer can forget it. Their cost is one upsert on this small
    /// table per row written (about a tenth of the open's time at 250,000 employees; docs/benchmarks.md).
    /// Rows whose count falls to 0 stay: one per cycle and due date. Never `INSERT OR REPLACE` into
    /// `assignment`: a REPLACE deletes the old row without firing the delete trigger (unless
    /// `recursive_triggers` is on), and the count would drift.
    static func registerOpenCounts(_ m: inout DatabaseMigrator) {
        m.registerMigration("v13-open-counts") { db in
            try db.execute(sql: """
                CREATE TABLE assignment_open_count(
                  cycle_id INTEGER NOT NULL REFERENCES cycle(id) ON DELETE CASCADE,
                  due_at INTEGER NOT NULL,
                  n INTEGER NOT NULL,
                  PRIMARY KEY(cycle_id, due_at)) WITHOUT ROWID;
                INSERT INTO assignment_open_count(cycle_id, due_at, n)
                  SELECT cycle_id, due_at, COUNT(*) FROM assignment WHERE submitted_at IS NULL GROUP BY cycle_id, due_at;
                CREATE TRIGGER assignment_open_count_insert AFTER INSERT ON assignment
                WHEN NEW.submitted_at IS NULL BEGIN
                  INSERT INTO assignment_open_count(cycle_id, due_at, n) VALUES (NEW.cycle_id, NEW.due_at, 1)
                    ON CONFLICT(cycle_id, due_at) DO UPDATE SET n = n + 1;
                END;
                CREATE TRIGGER assignment_open_count_delete AFTER DELETE ON assignment
                WHEN OLD.submitted_at IS NULL BEGIN
                  UPDATE assignment_open_count SET n = n - 1 WHERE cycle_id = OLD.cycle_id AND due_at = OLD.due_at;
                END;
                CREATE TRIGGER assignment_open_count_update AFTER UPDATE OF cycle_id, due_at, submitted_at ON assignment
                WHEN (OLD.submitted_at IS NULL) <> (NEW.submitted_at IS NULL)
                  OR (NEW.submitted_at IS NULL AND (OLD.cycle_id <> NEW.cycle_id OR OLD.due_at <> NEW.due_at)) BEGIN
                  UPDATE assignment_open_count SET n = n - 1
                    WHERE OLD.submitted_at IS NULL AND cycle_id = OLD.cycle_id AND due_at = OLD.due_at;
                  INSERT INTO assignment_open_count(cycle_id, due_at, n)
                    SELECT NEW.cycle_id, NEW.due_at, 1 WHERE NEW.submitted_at IS NULL
                    ON CONFLICT(cycle_id, due_at) DO UPDATE SET n = n + 1;
                END;
                """)
        }
    }
}
