import KinerjaDomain

extension DaemonConfig {
    /// `appraisers:` — pejabat penilai kinerja who are not in the employee file: the Wali Kota for
    /// the Sekda, the Sekda for the kepala dinas when the Sekda is not imported. Each entry, under a
    /// name of the file's choosing, has either `nip` (an ASN's NIP) or `number` (1–999, for someone
    /// without a NIP; shown as 000000000000000001), `nama`, `jabatan`, optional `email`, and whom
    /// they appraise: `appraises` (NIPs) and/or `unit_heads_of` (unit codes; the top employee of
    /// each unit, that is an active member without an active atasan in the file).
    ///
    /// Why config and not a CSV: there are a handful of them, they change with elections and
    /// rotations rather than with every SIMPEG export, and they must be in place before the first
    /// cycle opens; `kinerjad --check-config` validates them with the rest, a reload takes them up,
    /// and the cycle keeps the list it opened with (stored with the cycle).
    mutating func readAppraisers(from root: ConfigReader) {
        let section = root.section("appraisers")
        var list: [ExternalAppraiser] = []
        var seen: Set<NIP> = []
        for (name, a) in section.namedSections() {
            var id: NIP?
            let nipText = a.string("nip", default: "", nonEmpty: false)
            let number = a.has("number") ? a.int("number", default: 0, range: 1...999) : nil
            switch (nipText.isEmpty, number) {
            case (false, nil):
                switch NIP.parse(nipText) {
                case .success(let nip) where !nip.isOutsideAppraiser: id = nip
                case .success: a.problem("nip", "a NIP is needed here; for someone without one use number: 1–999")
                case .failure(let error): a.problem("nip", "not a valid NIP: \(error.message)")
                }
            case (true, let n?): id = NIP.outsideAppraiser(n)
            case (false, _?): a.problem("number", "give nip or number, not both")
            case (true, nil): section.problem(name, "needs nip (an ASN's NIP) or number (1–999, for someone without a NIP)")
            }
            let nama = a.string("nama", default: "")
            let jabatan = a.string("jabatan", default: "")
            if nama.isEmpty { a.problem("nama", "the appraiser's name is required") }
            if jabatan.isEmpty { a.problem("jabatan", "the appraiser's position is required") }
            let email = a.value("email", default: String?.none, expected: "an e-mail address") { text in
                FieldValue.isValidEmail(text) ? text : nil
            }
            let subjects = a.list("appraises", default: [NIP](), expected: "an employee's NIP") { NIP($0) }
            let units = a.list("unit_heads_of", default: [String](), expected: "a unit code") { $0.isEmpty ? nil : $0 }
            if subjects.isEmpty && units.isEmpty {
                section.problem(name, "names nobody to appraise: give appraises (NIPs) or unit_heads_of (unit codes)")
            }
            guard let id else { continue }
            if !seen.insert(id).inserted { a.problem(number == nil ? "nip" : "number", "\(id) is already used by another appraiser") }
            list.append(ExternalAppraiser(nip: id, nama: nama, jabatan: jabatan, email: email, subjects: Set(subjects),
                                          unitHeadsOf: Set(units)))
        }
        appraisers = list
    }
}
