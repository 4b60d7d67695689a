import GRDB

extension Migrations {
    /// `assignment_reviewer` becomes a table of its own: (cycle_id, reviewer_id, assignment_id), WITHOUT
    /// ROWID, in place of the index of that name on `assignment` (cycle_id, reviewer_id).
    ///
    /// Why: a cycle's open writes its rows subject by subject, so `assignment`, its unique key (cycle_id,
    /// subject_id, role, reviewer_id) and `assignment_open` take them in order, at the end of each tree.
    /// A reviewer index takes the same rows at random pages. At 250,000 employees (1.48 million rows)
    /// that made the open superlinear: 8.4 s of CPU with the index against 3.0 s without it, 0.59 s
    /// against 0.28 s at 25,000 (Python's sqlite3, 200 rows per statement, 16 MB cache). As a table it
    /// can be filled after the rows, in one `INSERT … SELECT … ORDER BY`: SQLite sorts the pairs in its
    /// sorter and appends them in key order, 1.1 s at 250,000 (`CycleAssignmentWriter`).
    ///
    /// No foreign keys: its rows go with their assignment (the delete trigger, which a cycle's cascade
    /// fires too), and a check of `cycle` per row would cost the open 1.48 million lookups.
    ///
    /// Triggers keep it for every other writer (an import's transfer or departure, a re-assigned
    /// atasan, a deleted cycle's cascade), so no writer can forget it. The insert trigger stands aside
    /// while `assignment_bulk` holds a row for the cycle: the open puts one there, writes its rows, files
    /// them sorted and deletes the row, all in its one transaction, so a committed database never has a
    /// row in `assignment_bulk` (a crash rolls the whole open back). Never `INSERT OR REPLACE` into
    /// `assignment` (see `registerOpenCounts`): the delete trigger would not fire.
    ///
    /// Readers name it as a table: `JOIN assignment_reviewer x ON x.cycle_id = ? AND x.reviewer_id = ?`,
    /// then `assignment` by its key (`ReminderQueryPlanTests`, `AssignmentListPlanTests`,
    /// `ReviewerLookupTests`).
    static func registerReviewerLookup(_ m: inout DatabaseMigrator) {
        m.registerMigration("v15-reviewer-lookup") { db in
            try db.execute(sql: """
                DROP INDEX assignment_reviewer;
                CREATE TABLE assignment_reviewer(
                  cycle_id INTEGER NOT NULL,
                  reviewer_id INTEGER NOT NULL,
                  assignment_id INTEGER NOT NULL,
                  PRIMARY KEY(cycle_id, reviewer_id, assignment_id)) WITHOUT ROWID;
                INSERT INTO assignment_reviewer(cycle_id, reviewer_id, assignment_id)
                  SELECT cycle_id, reviewer_id, id FROM assignment ORDER BY cycle_id, reviewer_id, id;
                CREATE TABLE assignment_bulk(
                  cycle_id INTEGER PRIMARY KEY,
                  after_id INTEGER NOT NULL);
                CREATE TRIGGER assignment_reviewer_insert AFTER INSERT ON assignment
                WHEN NOT EXISTS (SELECT 1 FROM assignment_bulk WHERE cycle_id = NEW.cycle_id) BEGIN
                  INSERT INTO assignment_reviewer(cycle_id, reviewer_id, assignment_id) VALUES (NEW.cycle_id, NEW.reviewer_id, NEW.id);
                END;
                CREATE TRIGGER assignment_reviewer_delete AFTER DELETE ON assignment BEGIN
                  DELETE FROM assignment_reviewer
                  WHERE cycle_id = OLD.cycle_id AND reviewer_id = OLD.reviewer_id AND assignment_id = OLD.id;
                END;
                CREATE TRIGGER assignment_reviewer_update AFTER UPDATE OF id, cycle_id, reviewer_id ON assignment
                WHEN OLD.id <> NEW.id OR OLD.cycle_id <> NEW.cycle_id OR OLD.reviewer_id <> NEW.reviewer_id BEGIN
                  DELETE FROM assignment_reviewer
                  WHERE cycle_id = OLD.cycle_id AND reviewer_id = OLD.reviewer_id AND assignment_id = OLD.id;
                  INSERT INTO assignment_reviewer(cycle_id, reviewer_id, assignment_id) VALUES (NEW.cycle_id, NEW.reviewer_id, NEW.id);
                END;
                """)
        }
    }
}
