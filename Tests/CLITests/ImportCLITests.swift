import Foundation
import Testing

@Suite struct ImportCLITests {
    /// A master-data file that is not valid UTF-8 is reported where the bad
    /// byte is, like any other error in the file, and nothing is imported.
    @Test func invalidUTF8IsReportedAtItsLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("import-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("items.csv").path
        var bytes = Array("sku,description\nA-1,first\nB-2,bad ".utf8)
        bytes.append(0xFF)
        bytes += Array(" byte\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: file))

        let out = try CLI.run("scanledger", ["--db", dir.appendingPathComponent("l.db").path, "import", "items", file])
        #expect(out.status == 1)
        #expect(out.stderr.contains("\(file):3:9"), "\(out.stderr)")
        #expect(out.stderr.contains("nothing imported"), "\(out.stderr)")
    }
}
