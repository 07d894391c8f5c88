import Testing
@testable import Service

@Suite struct PrometheusTextTests {
    @Test func rendersFamiliesWithLabelsAndEscapes() {
        let text = PrometheusText.render([
            MetricFamily(name: "scanledger_tag_reads_total", help: "Tag reads received.", kind: .counter, samples: [
                .init(labels: [("device", "dock-3"), ("zone", "door \"A\"")], value: 1234),
                .init(labels: [("device", "pack\\1")], value: 0),
            ]),
            MetricFamily(name: "scanledger_commit_latency_seconds", help: "p99 commit\nlatency.", kind: .gauge, samples: [
                .init(value: 0.0025),
            ]),
        ])
        #expect(text == """
        # HELP scanledger_tag_reads_total Tag reads received.
        # TYPE scanledger_tag_reads_total counter
        scanledger_tag_reads_total{device="dock-3",zone="door \\"A\\""} 1234
        scanledger_tag_reads_total{device="pack\\\\1"} 0
        # HELP scanledger_commit_latency_seconds p99 commit\\nlatency.
        # TYPE scanledger_commit_latency_seconds gauge
        scanledger_commit_latency_seconds 0.0025

        """)
    }

    @Test func specialValues() {
        #expect(PrometheusText.format(.nan) == "NaN")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(-.infinity) == "-Inf")
        #expect(PrometheusText.format(3) == "3")
        #expect(PrometheusText.format(1e20) == "1e+20")
    }
}
