import Foundation
@testable import KinerjaDomain

/// Builders for test data.
enum TestData {
    /// A valid NIP: birth 1980-01-01 plus `serial` days, appointment 2005-01, gender 1 or 2.
    static func nip(_ serial: Int, gender: Int = 1) -> NIP {
        nipText(serial, gender: gender).flatMap(NIP.init)!
    }

    static func nipText(_ serial: Int, gender: Int = 1) -> String? {
        let birth = CalendarDate(year: 1970, month: 1, day: 1)!.adding(days: serial / 1000)
        let digits = String(format: "%04d%02d%02d", birth.year, birth.month, birth.day)
            + "200501" + String(gender) + String(format: "%03d", serial % 1000)
        return digits
    }

    static func employee(_ serial: Int, unit: String = "DLHK", supervisor: Int? = nil, aktif: Bool = true) -> Employee {
        Employee(nip: nip(serial), nama: "Pegawai \(serial)", jabatan: "Staf", unit: unit,
                 supervisor: supervisor.map { nip($0) }, email: "p\(serial)@bandung.go.id",
                 status: .pns, aktif: aktif)
    }

    /// A CSV line for the employee file in canonical column order.
    static func csvLine(_ e: Employee, separator: String = ",") -> String {
        [e.nip.description, e.nama, e.jabatan, e.unit, e.supervisor?.description ?? "", e.email ?? "",
         e.telepon ?? "", e.status.rawValue, e.aktif ? "true" : "false"].joined(separator: separator)
    }

    static let employeeHeader = "nip,nama,jabatan,unit_kerja,nip_atasan,email,telepon,status,aktif"

    /// A Bandung-like organisation of `count` employees: a city head (Sekda) at the top, units of varying
    /// size each led by a head who reports to the Sekda, each unit a tree of fan-out 3–8; about 3 % inactive.
    static func organisation(count: Int, seed: UInt64) -> [Employee] {
        var rng = SeededRandom(seed: seed)
        let unitCodes = ["SETDA", "DPMPTSP", "DLHK", "BKPSDM", "DISKOMINFO", "DINKES", "DISDIK", "DISHUB",
                         "DPUPR", "DISPORA", "DINSOS", "BAPPELITBANG", "BPKAD", "BAPENDA", "DISDUKCAPIL",
                         "SATPOLPP", "DPKP", "DKPP", "DISBUDPAR", "DISKAR", "DP3A", "DISNAKER", "DKUKM",
                         "DISPERDAGIN", "DISPUSIP", "INSPEKTORAT", "KESBANGPOL", "BPBD", "RSUD", "SETWAN"]
        var employees: [Employee] = []
        employees.reserveCapacity(count)
        var serial = 0
        func nextNIP() -> NIP {
            serial += 1 + rng.below(3)
            return nip(serial, gender: 1 + rng.below(2))
        }
        let sekda = Employee(nip: nextNIP(), nama: "Sekretaris Daerah", jabatan: "Sekda", unit: "SETDA")
        employees.append(sekda)
        // Split the rest over units with random weights.
        let weights = unitCodes.map { _ in 1 + rng.below(20) }
        let totalWeight = weights.reduce(0, +)
        var remaining = count - 1
        for (u, code) in unitCodes.enumerated() {
            let size = u == unitCodes.count - 1 ? remaining : min(remaining, (count - 1) * weights[u] / totalWeight)
            remaining -= size
            guard size > 0 else { continue }
            let fanOut = 3 + rng.below(6)
            var members: [NIP] = []
            for j in 0..<size {
                let nip = nextNIP()
                let supervisor = j == 0 ? sekda.nip : members[(j - 1) / fanOut]
                members.append(nip)
                employees.append(Employee(
                    nip: nip, nama: "Pegawai \(serial)", jabatan: j == 0 ? "Kepala" : "Staf", unit: code,
                    supervisor: supervisor, email: "p\(serial)@bandung.go.id",
                    status: rng.below(5) == 0 ? .pppk : .pns, aktif: j == 0 || rng.below(33) != 0))
            }
        }
        return employees
    }
}
