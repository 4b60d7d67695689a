import Foundation
import KinerjaDomain

/// The files of a demo data set, as the importers read them (`units.csv`, `employees.csv`,
/// `reviews-<period>.csv`, `skm-<period>.csv`, `training.csv`, `planted.csv`, `followups.csv`).
public enum DemoCSV {
    public static func units(_ units: [KinerjaDomain.Unit]) -> String {
        var lines = ["code,name,head_nip"]
        for u in units { lines.append(CSVWriter.line([u.code, u.name, u.head?.description ?? ""])) }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func employees(_ employees: [Employee]) -> String {
        var lines = ["nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif,jenis_jabatan,kelas_jabatan,eselon,sub_unit"]
        lines.reserveCapacity(employees.count + 1)
        for e in employees {
            lines.append(CSVWriter.line([e.nip.description, e.nama, e.jabatan, e.unit, e.supervisor?.description ?? "",
                                         e.email ?? "", e.telepon ?? "", e.status.rawValue, e.aktif ? "true" : "false",
                                         e.rank.jenisJabatan?.rawValue ?? "", e.rank.kelasJabatan.map(String.init) ?? "",
                                         e.rank.eselon?.rawValue ?? "", e.rank.subUnit ?? ""]))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static let reviewHeader = "reviewer_nip,subject_nip,role," + BerAKHLAKValue.allCases.map(\.rawValue).joined(separator: ",")
        + ",comment,hasil_kerja,submitted_at"

    public static func reviews(_ reviews: [DemoReview], timeZone: TimeZone) -> String {
        var out = reviewHeader + "\n"
        out.reserveCapacity(reviews.count * 110)
        for r in reviews {
            var fields = [r.key.reviewer.description, r.key.subject.description, r.key.role.rawValue]
            fields += r.scores.ordered.map(String.init)
            fields += [r.comment ?? "", r.hasilKerja?.rawValue ?? "", Timestamp.format(r.submittedAt, in: timeZone)]
            out += CSVWriter.line(fields)
            out += "\n"
        }
        return out
    }

    public static func skm(_ responses: [SKMResponse]) -> String {
        var out = "unit,period," + SKMElement.allCases.map(\.column).joined(separator: ",") + "\n"
        for r in responses {
            out += CSVWriter.line([r.unit, r.period.code] + r.answers.map(String.init)) + "\n"
        }
        return out
    }

    public static func training(_ records: [TrainingRecord]) -> String {
        var out = "nip,course,date,hours\n"
        for t in records {
            let hours = t.hours == t.hours.rounded() ? String(Int(t.hours)) : String(t.hours)
            out += CSVWriter.line([t.nip.description, t.course, t.date.description, hours]) + "\n"
        }
        return out
    }

    /// `nip,rule`: one line per planted case, sorted by rule, then NIP.
    public static func planted(_ cases: [PlantedCase]) -> String {
        "nip,rule\n" + cases.map { "\($0.nip),\($0.pattern.rawValue)\n" }.joined()
    }

    public static let followupHeader = "nip,rule,period,created_on,held_on,action,note,next_check,recovers_from"

    /// `followups.csv`: one line per planned follow-up (`DemoFollowupCase`), by NIP: the period whose
    /// close creates the task and that close's day (`created_on`), the outcome the atasan records
    /// (`held_on`, `action`, `note`, `next_check`; empty when never held) and the first period of
    /// better scores (`recovers_from`; empty when none). Call after every `period(_:)`.
    public static func followups(_ generator: DemoGenerator) -> String {
        var out = followupHeader + "\n"
        for f in generator.followups {
            let created = generator.closeAt(period: f.taskPeriod).map { CalendarDate($0, in: generator.spec.timeZone) }
            let held = created.flatMap { f.heldOn(createdOn: $0) }, next = created.flatMap { f.nextCheck(createdOn: $0) }
            out += CSVWriter.line([f.nip.description, f.pattern.rawValue, generator.periods[f.taskPeriod].code,
                                   created?.description ?? "", held?.description ?? "", f.action?.rawValue ?? "", f.note,
                                   next?.description ?? "", f.recoversFrom.map { generator.periods[$0].code } ?? ""]) + "\n"
        }
        return out
    }
}
