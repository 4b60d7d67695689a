/// The performance predikat of an employee for a period.
///
/// Rule implemented: PermenPANRB 6/2022 and the matrix in docs/domain-rules.md (rows hasil kerja, columns
/// perilaku kerja):
///
/// | hasil \ perilaku | Di Bawah          | Sesuai          | Di Atas         |
/// |------------------|-------------------|-----------------|-----------------|
/// | Di Atas          | Kurang/Misconduct | Baik            | Sangat Baik     |
/// | Sesuai           | Kurang/Misconduct | Baik            | Baik            |
/// | Di Bawah         | Sangat Kurang     | Butuh Perbaikan | Butuh Perbaikan |
///
/// Raw values are the file/JSON names; `name` is the official wording. Ordered from worst to best.
public enum Predikat: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CodingKeyRepresentable {
    case sangatKurang = "sangat_kurang"
    case kurang
    case butuhPerbaikan = "butuh_perbaikan"
    case baik
    case sangatBaik = "sangat_baik"

    /// The predikat for a hasil kerja and a perilaku kerja rating.
    public init(hasilKerja: Rating, perilaku: Rating) {
        switch (hasilKerja, perilaku) {
        case (.diAtas, .diAtas): self = .sangatBaik
        case (.diAtas, .sesuai), (.sesuai, .sesuai), (.sesuai, .diAtas): self = .baik
        case (.diAtas, .diBawah), (.sesuai, .diBawah): self = .kurang
        case (.diBawah, .diBawah): self = .sangatKurang
        case (.diBawah, .sesuai), (.diBawah, .diAtas): self = .butuhPerbaikan
        }
    }

    /// The official wording.
    public var name: String {
        switch self {
        case .sangatBaik: return "Sangat Baik"
        case .baik: return "Baik"
        case .butuhPerbaikan: return "Butuh Perbaikan"
        case .kurang: return "Kurang/Misconduct"
        case .sangatKurang: return "Sangat Kurang"
        }
    }

    public static func < (a: Predikat, b: Predikat) -> Bool { a.rank < b.rank }

    var rank: Int {
        switch self {
        case .sangatKurang: return 0
        case .kurang: return 1
        case .butuhPerbaikan: return 2
        case .baik: return 3
        case .sangatBaik: return 4
        }
    }
}
