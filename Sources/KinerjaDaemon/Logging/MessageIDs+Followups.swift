extension MessageIDs {
    /// A follow-up task was created from a flag for the employee's atasan (KINERJA_FOLLOWUP_ID,
    /// KINERJA_FLAG_ID, KINERJA_NIP, KINERJA_APPRAISER, KINERJA_DUE).
    public static let followupCreated = "0b1c52b5dd164c31af6e74b7fe5bfaf3"
    /// The outcome of a follow-up was recorded (KINERJA_VIA: web or admin); no note in the entry.
    public static let followupHeld = "751ab2de5596463cbbb1a791ebc877f9"
    /// A follow-up passed its due date without an outcome.
    public static let followupOverdue = "76150a9b361b4d3cbdf1244534ddf167"
    /// An overdue follow-up was escalated to the unit head and the BKPSDM digest.
    public static let followupEscalated = "83445e405e544c529f52784bf6126187"

    /// The follow-up ids, for the catalog check.
    public static let followupIDs = [followupCreated, followupHeld, followupOverdue, followupEscalated]
}
