import KinerjaDomain
/// A Bandung-like organisation for the demo data set: a Sekretaris Daerah at the top, perangkat
/// daerah (dinas, badan, kecamatan) whose heads report to the Sekda, and inside each unit a tree of
/// sekretaris/kepala bidang, kepala sub bagian/seksi and staff.
///
/// Sizes follow rough weights (Dinas Pendidikan and Dinas Kesehatan are the largest); NIPs follow
/// the BKN structure (birth date, appointment month after the 18th birthday, gender, serial) and are
/// unique; about 1 % of staff without subordinates are inactive (retired), as SIMPEG exports have.
struct DemoOrganisation {
    struct UnitTemplate {
        var code: String
        var name: String
        var weight: Int
        var headTitle: String
    }

    static let units: [UnitTemplate] = [
        .init(code: "SETDA", name: "Sekretariat Daerah Kota Bandung", weight: 6, headTitle: "Kepala Bagian"),
        .init(code: "DISDIK", name: "Dinas Pendidikan", weight: 22, headTitle: "Kepala Dinas"),
        .init(code: "DINKES", name: "Dinas Kesehatan", weight: 16, headTitle: "Kepala Dinas"),
        .init(code: "RSUD", name: "Rumah Sakit Umum Daerah Kota Bandung", weight: 9, headTitle: "Direktur"),
        .init(code: "DLHK", name: "Dinas Lingkungan Hidup dan Kebersihan", weight: 6, headTitle: "Kepala Dinas"),
        .init(code: "DISHUB", name: "Dinas Perhubungan", weight: 5, headTitle: "Kepala Dinas"),
        .init(code: "DSDABM", name: "Dinas Sumber Daya Air dan Bina Marga", weight: 4, headTitle: "Kepala Dinas"),
        .init(code: "DPMPTSP", name: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", weight: 3, headTitle: "Kepala Dinas"),
        .init(code: "BKPSDM", name: "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", weight: 3, headTitle: "Kepala Badan"),
        .init(code: "DISKOMINFO", name: "Dinas Komunikasi dan Informatika", weight: 3, headTitle: "Kepala Dinas"),
        .init(code: "DISDUKCAPIL", name: "Dinas Kependudukan dan Pencatatan Sipil", weight: 3, headTitle: "Kepala Dinas"),
        .init(code: "DINSOS", name: "Dinas Sosial", weight: 2, headTitle: "Kepala Dinas"),
        .init(code: "BAPPELITBANG", name: "Badan Perencanaan Pembangunan, Penelitian dan Pengembangan", weight: 2, headTitle: "Kepala Badan"),
        .init(code: "BPKAD", name: "Badan Pengelolaan Keuangan dan Aset Daerah", weight: 3, headTitle: "Kepala Badan"),
        .init(code: "BAPENDA", name: "Badan Pendapatan Daerah", weight: 3, headTitle: "Kepala Badan"),
        .init(code: "SATPOLPP", name: "Satuan Polisi Pamong Praja", weight: 4, headTitle: "Kepala Satuan"),
        .init(code: "DISBUDPAR", name: "Dinas Kebudayaan dan Pariwisata", weight: 2, headTitle: "Kepala Dinas"),
        .init(code: "DISPORA", name: "Dinas Pemuda dan Olahraga", weight: 2, headTitle: "Kepala Dinas"),
        .init(code: "INSPEKTORAT", name: "Inspektorat Daerah", weight: 2, headTitle: "Inspektur"),
        .init(code: "KEC-COBLONG", name: "Kecamatan Coblong", weight: 2, headTitle: "Camat"),
        .init(code: "KEC-SUKAJADI", name: "Kecamatan Sukajadi", weight: 2, headTitle: "Camat"),
        .init(code: "KEC-ANTAPANI", name: "Kecamatan Antapani", weight: 2, headTitle: "Camat"),
    ]

    static let maleNames = ["Asep", "Dadang", "Ujang", "Cecep", "Deden", "Budi", "Agus", "Hendra", "Rizky", "Fajar",
                            "Iwan", "Yusuf", "Eko", "Dedi", "Ridwan", "Bayu", "Galih", "Ilham", "Rudi", "Taufik",
                            "Engkos", "Yayat", "Dodi", "Aep"]
    static let femaleNames = ["Euis", "Neng", "Siti", "Rina", "Dewi", "Nining", "Lilis", "Ratna", "Yanti", "Wulan",
                              "Intan", "Ayu", "Fitri", "Sri", "Nurul", "Rika", "Dian", "Tuti", "Mira", "Sinta",
                              "Popon", "Imas", "Enok", "Cucu"]
    static let familyNames = ["Suryana", "Hidayat", "Permana", "Kusnadi", "Saputra", "Rahmawati", "Nugraha", "Wijaya",
                              "Setiawan", "Gunawan", "Ramdani", "Sulaeman", "Kurniawan", "Firmansyah", "Maulana",
                              "Hermawan", "Purnama", "Sopandi", "Rohman", "Mulyana", "Sutisna", "Komarudin",
                              "Hernawati", "Nurhayati"]
    static let staffTitles = ["Analis Kebijakan", "Pranata Komputer", "Pengadministrasi Umum", "Pengelola Data",
                              "Arsiparis", "Perencana", "Analis Keuangan", "Pengelola Layanan Operasional",
                              "Penata Kelola Sistem dan Teknologi Informasi", "Bendahara", "Analis SDM Aparatur",
                              "Pengelola Barang Milik Negara", "Penyuluh", "Verifikator Keuangan"]

    /// A staff member's rank, from the title alone (no random draw, so a seed gives the same people as
    /// before ranks were written): analysts, pranata komputer, arsiparis, perencana and penyuluh are
    /// fungsional at kelas 8, the others pelaksana at kelas 6; the sub-unit is the supervisor's (the
    /// unit head's staff have none).
    static func staffRank(_ title: String, subUnit: String?) -> EmployeeRank {
        let functional = ["Analis", "Pranata", "Arsiparis", "Perencana", "Penyuluh"].contains { title.hasPrefix($0) }
        return EmployeeRank(jenisJabatan: functional ? .fungsional : .pelaksana, kelasJabatan: functional ? 8 : 6, subUnit: subUnit)
    }

    var units: [KinerjaDomain.Unit] = []
    var employees: [Employee] = []
    /// Employees who supervise nobody, by index in `employees`.
    var leaves: Set<Int> = []

    init(count: Int, rng: inout SeededRandom) {
        var used = Set<UInt64>()
        var emails = Set<String>()
        func person(title: String, unit: String, supervisor: NIP?, pppk: Bool, rank: EmployeeRank = EmployeeRank()) -> Employee {
            let female = rng.below(2) == 1
            let first = (female ? Self.femaleNames : Self.maleNames)[rng.below(24)]
            let family = Self.familyNames[rng.below(Self.familyNames.count)]
            var nip: NIP?
            while nip == nil {
                let birth = CalendarDate(year: 1965, month: 1, day: 1)!.adding(days: rng.below(35 * 365))
                let minYear = max(birth.year + 19, pppk ? 2019 : 1986)
                let year = min(2024, minYear + rng.below(max(1, 2025 - minYear)))
                let month = 1 + rng.below(12)
                var serial = 1 + rng.below(40)
                while serial < 1000 {
                    let digits = CalendarDate.pad(birth.year, 4) + CalendarDate.pad(birth.month, 2)
                        + CalendarDate.pad(birth.day, 2) + CalendarDate.pad(year, 4) + CalendarDate.pad(month, 2)
                        + (female ? "2" : "1") + CalendarDate.pad(serial, 3)
                    if let candidate = NIP(digits), used.insert(candidate.value).inserted {
                        nip = candidate
                        break
                    }
                    serial += 1
                }
            }
            var email = "\(first).\(family)".lowercased()
            if !emails.insert(email).inserted {
                var n = 2
                while !emails.insert("\(email)\(n)").inserted { n += 1 }
                email += "\(n)"
            }
            let phone = "08" + String(11 + rng.below(89)) + String(10_000_000 + rng.below(89_999_999))
            return Employee(nip: nip!, nama: "\(first) \(family)", jabatan: title, unit: unit, supervisor: supervisor,
                            email: email + "@bandung.go.id", telepon: phone, status: pppk ? .pppk : .pns, aktif: true,
                            rank: rank)
        }

        let sekda = person(title: "Sekretaris Daerah", unit: "SETDA", supervisor: nil, pppk: false,
                           rank: EmployeeRank(jenisJabatan: .struktural, eselon: .iiA))
        employees.append(sekda)
        let totalWeight = Self.units.reduce(0) { $0 + $1.weight }
        var remaining = count - 1
        var unitSizes: [Int] = Self.units.map { max(0, (count - 1) * $0.weight / totalWeight) }
        remaining -= unitSizes.reduce(0, +)
        var u = 0
        while remaining > 0 {
            unitSizes[u % unitSizes.count] += 1
            remaining -= 1
            u += 1
        }
        var hasChildren = Set<Int>()
        for (template, size) in zip(Self.units, unitSizes) where size > 0 {
            units.append(KinerjaDomain.Unit(code: template.code, name: template.name))
            let start = employees.count
            let head = person(title: template.headTitle, unit: template.code, supervisor: sekda.nip, pppk: false,
                              rank: EmployeeRank(jenisJabatan: .struktural, eselon: .iiB))
            employees.append(head)
            hasChildren.insert(0)
            units[units.count - 1].head = head.nip
            let middleCount = size >= 4 ? min(6, max(1, size / 12)) : 0
            var middles: [Int] = []
            for m in 0..<min(middleCount, size - 1) {
                let title = m == 0 ? "Sekretaris" : "Kepala Bidang"
                let subUnit = m == 0 ? "Sekretariat" : "Bidang \(m)"
                employees.append(person(title: title, unit: template.code, supervisor: head.nip, pppk: false,
                                        rank: EmployeeRank(jenisJabatan: .struktural, eselon: m == 0 ? .iiiA : .iiiB, subUnit: subUnit)))
                middles.append(employees.count - 1)
                hasChildren.insert(start)
            }
            var lowers: [Int] = []
            let lowerCount = size >= 30 ? min(middles.count * 3, size / 10) : 0
            for l in 0..<lowerCount where employees.count - start < size {
                let parent = middles[l % middles.count]
                let title = l % middles.count == 0 ? "Kepala Sub Bagian" : "Kepala Seksi"
                employees.append(person(title: title, unit: template.code, supervisor: employees[parent].nip, pppk: false,
                                        rank: EmployeeRank(jenisJabatan: .struktural, eselon: .ivA, subUnit: employees[parent].rank.subUnit)))
                lowers.append(employees.count - 1)
                hasChildren.insert(parent)
            }
            let supervisors = lowers.isEmpty ? (middles.isEmpty ? [start] : middles) : lowers
            var s = 0
            while employees.count - start < size {
                let parent = supervisors[s % supervisors.count]
                let title = Self.staffTitles[rng.below(Self.staffTitles.count)]
                employees.append(person(title: title, unit: template.code, supervisor: employees[parent].nip,
                                        pppk: rng.below(100) < 15, rank: Self.staffRank(title, subUnit: employees[parent].rank.subUnit)))
                hasChildren.insert(parent)
                s += 1
            }
        }
        // The Sekda belongs to SETDA; make sure that unit exists and is headed by the Sekda.
        if let i = units.firstIndex(where: { $0.code == "SETDA" }) {
            units[i].head = sekda.nip
        } else {
            units.insert(KinerjaDomain.Unit(code: "SETDA", name: Self.units[0].name, head: sekda.nip), at: 0)
        }
        for i in employees.indices where !hasChildren.contains(i) && i != 0 {
            leaves.insert(i)
            if rng.below(100) == 0 { employees[i].aktif = false }
        }
        leaves = leaves.filter { employees[$0].aktif }
        units.sort { $0.code < $1.code }
    }
}
