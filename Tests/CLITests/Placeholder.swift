import Testing

// Replaced by the real suites of the CLI issue.
@Test func CLITargetBuilds() { #expect(1 + 1 == 2) }
