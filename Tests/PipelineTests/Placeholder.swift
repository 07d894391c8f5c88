import Testing

// Replaced by the real suites of the Pipeline issue.
@Test func PipelineTargetBuilds() { #expect(1 + 1 == 2) }
