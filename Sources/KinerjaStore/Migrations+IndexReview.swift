import GRDB

extension Migrations {
    /// The indexes as the queries need them (`IndexJustificationTests` names the query behind each):
    /// - `skm_web_recent`: GetStatus counts today's web survey responses on every call, and read every
    ///   response ever given to do it; a partial index of the web responses by time makes it a seek.
    /// - `skm_unit_day` (unit, period, time) goes: every query of `skm_response` seeks by unit and
    ///   period only, which `skm_unit_period` answers as well with smaller entries.
    /// - `followup_link_on_followup_id` goes: a follow-up link is found by its token (its unique
    ///   index), and no task is ever deleted, so the foreign key never looks a link up by task.
    static func registerIndexReview(_ m: inout DatabaseMigrator) {
        m.registerMigration("v24-index-review") { db in
            try db.execute(sql: """
                CREATE INDEX skm_web_recent ON skm_response(imported_at) WHERE source = 'web';
                DROP INDEX skm_unit_day;
                DROP INDEX followup_link_on_followup_id;
                """)
        }
    }
}
