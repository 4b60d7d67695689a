import KinerjaCLI

/// `kinerjactl`: a thin entry point; the commands live in KinerjaCLI.
@main
enum KinerjaCTLMain {
    static func main() async {
        await KinerjaCTL.main()
    }
}
