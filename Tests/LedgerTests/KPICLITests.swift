import Foundation
import Testing
@testable import Ledger
import ScanModel

/// `scanledger kpi` and `scanledger report` run as a user would on a ledger file.
@Suite struct KPICLITests {
    @Test func kpiPrintsTableJSONAndCSVAndRefusesBadFlags() throws {
        let d = try KPIDataSet()
        d.t.ledger.close()
        let binary = try ProcessSupport.scanledger()
        func run(_ args: [String]) throws -> ProcessSupport.Output { try ProcessSupport.run(binary, args + ["--db", d.t.path], stdin: "") }

        let plain = try run(["kpi"])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stdout.contains("fill_rate") && plain.stdout.contains("87.50") && plain.stdout.contains("backorder_rate"))
        let json = try run(["kpi", "--json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let kpis = try #require(rows.first?["kpis"] as? [String: Any])
        #expect((kpis["fill_rate"] as? Double) == 87.5 && kpis["backorder_rate"] is NSNull && (kpis["postings"] as? Int) == 12)
        let csv = try run(["kpi", "--csv", "--by", "station"])
        #expect(csv.stdout.hasPrefix("group,kpi,unit,value\n") && csv.stdout.contains("\npack,fill_rate,%,87.5000\n"))
        #expect(csv.stdout.contains("\nship,fill_rate,%,n/a\n"))
        // A date as --until is the end of that day: today's postings are in.
        let today = String(EventTime.utcText(micros: Int64(Date().timeIntervalSince1970 * 1e6)).prefix(10))
        let day = try run(["kpi", "--json", "--since", today, "--until", today])
        #expect(day.stdout.contains("\"postings\":12"), "\(day.stdout)")

        for bad in [["kpi", "--by", "week"], ["kpi", "--since", "yesterday"], ["kpi", "--until", "2020-01-01", "--since", "2021-01-01"],
                    ["kpi", "--json", "--csv"], ["kpi", "--frobnicate"], ["report"]] {
            let r = try run(bad)
            #expect(r.status == 2, "\(bad): \(r.status) \(r.stderr)")
            #expect(!r.stderr.isEmpty)
        }
        #expect(try run(["kpi", "--by", "week"]).stderr.contains("--by must be day, station or operator, not 'week'"))
        #expect(try run(["kpi", "--since", "yesterday"]).stderr.contains("--since"))
    }

    @Test func reportIsOneSelfContainedPageThatChromiumRenders() throws {
        let d = try KPIDataSet()
        d.t.ledger.close()
        let binary = try ProcessSupport.scanledger()
        let html = d.t.directory.appendingPathComponent("report.html")
        let r = try ProcessSupport.run(binary, ["report", "-o", html.path, "--db", d.t.path], stdin: "")
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: html, encoding: .utf8)
        #expect(text.hasPrefix("<!DOCTYPE html>") && text.contains("<svg") && text.contains("<style>"))
        #expect(!text.contains("<script") && !text.contains("http://") && !text.contains("https://") && !text.contains("<link"))
        #expect(text.contains("Throughput: units per hour") && text.contains("Top refusal codes") && text.contains("wrong-item-for-order"))
        #expect(text.contains(">87.50<"))  // the fill-rate card

        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first(where: FileManager.default.isExecutableFile) else {
            // Only a non-root run may lack it (make deps installs it as root).
            try #require(getuid() != 0, "chromium is missing: run make deps (package chromium)")
            print("KPICLITests: chromium not installed and not root: the PNG rendering check is skipped")
            return
        }
        let png = d.t.directory.appendingPathComponent("report.png")
        let shot = try ProcessSupport.run(URL(fileURLWithPath: chromium), [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(d.t.directory.path)/chromium",
            "--screenshot=\(png.path)", "--window-size=1000,1400", html.absoluteString,
        ], stdin: "")
        #expect(shot.status == 0, "\(shot.stderr)")
        let check = try ProcessSupport.python(Self.pngColours, [png.path])
        #expect(check.status == 0, "\(check.stderr)")
        let fields = check.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(fields.count == 4, "\(check.stdout)")
        guard fields.count == 4 else { return }
        #expect(fields[0] == 1000 && fields[1] == 1400)
        #expect(fields[2] > 50, "only \(fields[2]) distinct colours: a blank page?")
        #expect(fields[3] > 2000, "only \(fields[3]) pixels of the chart blue #2f6db3: no charts drawn?")
    }

    /// Width, height, distinct colours and pixels of the chart blue, from an
    /// 8-bit RGB(A) PNG, with the standard library only.
    static let pngColours = """
        import struct, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n', 'not a PNG'
        pos, idat = 8, b''
        while pos < len(data):
            n, kind = struct.unpack('>I4s', data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
            if kind == b'IHDR': w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            elif kind == b'IDAT': idat += body
        assert depth == 8 and ctype in (2, 6), (depth, ctype)
        bpp = 3 if ctype == 2 else 4
        raw, stride, prev, colours, blue = zlib.decompress(idat), w * bpp, bytearray(w * bpp), set(), 0
        for y in range(h):
            f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
                if f == 1: line[i] = (line[i] + a) & 255
                elif f == 2: line[i] = (line[i] + b) & 255
                elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
                elif f == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            for x in range(0, stride, bpp):
                px = bytes(line[x:x + 3]); colours.add(px)
                if px == b'\\x2f\\x6d\\xb3': blue += 1
            prev = line
        print(w, h, len(colours), blue)
        """
}
