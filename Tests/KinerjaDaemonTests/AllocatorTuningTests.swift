import KinerjaDaemon
import Testing

@Suite("allocator tuning")
struct AllocatorTuningTests {
    @Test("glibc takes both settings; a setting from the environment is left to glibc")
    func appliesUnlessOverridden() {
        #expect(AllocatorTuning.apply(environment: [:]) == ["M_MMAP_THRESHOLD=131072", "M_ARENA_MAX=2"])
        #expect(AllocatorTuning.apply(environment: ["MALLOC_ARENA_MAX": "4"]) == ["M_MMAP_THRESHOLD=131072"])
        #expect(AllocatorTuning.apply(environment: ["MALLOC_ARENA_MAX": "4", "MALLOC_MMAP_THRESHOLD_": "65536"]).isEmpty)
    }
}
