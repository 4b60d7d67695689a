import Foundation
import GRDB
import KinerjaDomain

extension AppDatabase {
    /// The follow-ups created on or after `since` (a local day; nil: all), one effect row each, read in
    /// one set-based query: how each went, whether and when its flag's condition cleared (closed
    /// cycles of the flag's kind closed after the task was created, up to the clearing), and the change
    /// of the subject's perilaku mean and predikat from the period judged when the task was made to the
    /// next closed one.
    ///
    /// The base period is the last closed cycle of the flag's kind closed by the time the task was
    /// created, not the flag's window end: a flag whose condition goes on is re-detected each period
    /// and its window end moves on, so measuring from there would give a change only to the flags that
    /// cleared and bias the comparison of held and never-held follow-ups. A cycle without a close time
    /// (older data) falls back to the window end. A predikat is stored as its rank (`PredikatCode`:
    /// Sangat Kurang 0 … Sangat Baik 4), so its change is a difference of the stored codes.
    public func followupEffectRows(since: CalendarDate?) throws -> [FollowupEffectRow] {
        try writer.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                WITH fu AS (
                    SELECT COALESCE(fuu.code, '-') AS unit, fu.agreed_action, fu.held_on IS NOT NULL AND fu.held_on <= fu.due_date AS on_time,
                           CAST(julianday(fu.held_on) - julianday(fu.created_on) AS INTEGER) AS days, fu.created_at, f.subject_nip,
                           f.window_end, f.condition_cleared, f.cleared_at, c.kind, fu.subject_id
                    FROM followup fu JOIN flag f ON f.id = fu.flag_id LEFT JOIN cycle c ON c.period = f.window_end
                    LEFT JOIN unit_key fuu ON fuu.id = fu.unit_id
                    WHERE fu.created_on >= ?
                ), based AS (
                    SELECT fu.*,
                           COALESCE((SELECT k.period FROM cycle k WHERE k.kind = fu.kind AND k.status = 'closed'
                                     AND k.closed_at <= fu.created_at ORDER BY k.period DESC LIMIT 1), fu.window_end) AS base_period
                    FROM fu
                ), measured AS (
                    SELECT b.*,
                           (SELECT r.weighted_mean FROM result r JOIN cycle k ON k.id = r.cycle_id
                            WHERE r.subject_id = b.subject_id AND k.period = b.base_period) AS before_mean,
                           (SELECT r.predikat FROM result r JOIN cycle k ON k.id = r.cycle_id
                            WHERE r.subject_id = b.subject_id AND k.period = b.base_period) AS before_rank,
                           (SELECT k.id FROM cycle k WHERE k.kind = b.kind AND k.status = 'closed' AND k.period > b.base_period
                            ORDER BY k.period LIMIT 1) AS next_cycle
                    FROM based b
                )
                SELECT m.unit, m.agreed_action, m.on_time, m.days,
                       CASE WHEN m.condition_cleared THEN (SELECT COUNT(*) FROM cycle k WHERE k.kind = m.kind AND k.status = 'closed'
                                                           AND k.closed_at > m.created_at AND k.closed_at <= m.cleared_at) END,
                       n.weighted_mean - m.before_mean, n.predikat - m.before_rank
                FROM measured m LEFT JOIN result n ON n.cycle_id = m.next_cycle AND n.subject_id = m.subject_id
                """, arguments: [since?.description ?? ""])
            var result: [FollowupEffectRow] = []
            while let row = try rows.next() {
                result.append(FollowupEffectRow(
                    unit: row[0], action: (row[1] as String?).flatMap(FollowupAgreedAction.init(rawValue:)), heldOnTime: row[2],
                    daysToDialog: row[3], clearedWithin: row[4], perilakuChange: row[5], predikatChange: row[6]))
            }
            return result
        }
    }
}
