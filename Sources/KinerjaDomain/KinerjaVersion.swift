/// The release version, shown by `--version`, `GetInfo` and `GetStatus`.
public enum KinerjaVersion {
    public static let string = "0.1.0"
}
